#pragma once
// Turns an input field (http(s) URL, Base64, a URL of this server, or an audio_id) into a checked
// file in the media store. Everything that can be checked at submit is checked here.
#include <string>

#include "service/config.h"
#include "service/fetch.h"
#include "store/media_store.h"
#include "store/store.h"

namespace dh::service {

struct ResolvedInput {
  std::string file;      // media name ("inputs/<task>-image")
  double seconds = 0.0;  // audio duration (decoded), 0 for images
};

class InputResolver {
 public:
  InputResolver(const ServiceConfig& config, store::Store& store, store::MediaStore& media);

  ResolvedInput image(const std::string& value, const std::string& field,
                      const std::string& taskId);
  ResolvedInput audio(const std::string& value, const std::string& field,
                      const std::string& taskId);
  ResolvedInput audioId(const std::string& id, const std::string& field,
                        const std::string& accountId);

  // "uploads/123.png" when `url` points into this server's /media/, else empty.
  std::string localMediaPath(const std::string& url) const;
  const std::string& publicUrl() const { return publicUrl_; }

 private:
  std::vector<uint8_t> bytesOf(const std::string& value, const std::string& field, size_t maxBytes);
  std::string store(const std::vector<uint8_t>& bytes, const std::string& taskId,
                    const std::string& field);

  const ServiceConfig& config_;
  store::Store& store_;
  store::MediaStore& media_;
  std::string publicUrl_;
  std::vector<std::string> selfBases_;  // URL prefixes that mean this server
  FetchOptions fetch_;
};

}  // namespace dh::service
