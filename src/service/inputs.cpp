#include "service/inputs.h"

#include "core/error.h"
#include "media/audio_decoder.h"
#include "media/base64.h"
#include "media/image_decoder.h"
#include "media/media_limits.h"

namespace dh::service {

InputResolver::InputResolver(const ServiceConfig& config, store::Store& store,
                             store::MediaStore& media)
    : config_(config), store_(store), media_(media) {
  publicUrl_ = config.publicUrl.empty()
                   ? "http://" + config.host + ":" + std::to_string(config.port)
                   : config.publicUrl;
  while (!publicUrl_.empty() && publicUrl_.back() == '/') publicUrl_.pop_back();
  const std::string port = std::to_string(config.port);
  selfBases_ = {publicUrl_ + "/media/", "http://127.0.0.1:" + port + "/media/",
                "http://localhost:" + port + "/media/",
                "http://" + config.host + ":" + port + "/media/"};
  fetch_.connectTimeoutSeconds = config.fetchConnectTimeoutSeconds;
  fetch_.totalTimeoutSeconds = config.fetchTimeoutSeconds;
  fetch_.maxRedirects = config.fetchMaxRedirects;
  fetch_.allowed = parseCidrs(config.allowFetchFrom, "allow-fetch-from");
}

std::string InputResolver::localMediaPath(const std::string& url) const {
  for (const auto& base : selfBases_) {
    if (url.rfind(base, 0) != 0) continue;
    std::string rest = url.substr(base.size());
    rest = rest.substr(0, rest.find_first_of("?#"));
    if (rest.empty() || rest.find("..") != std::string::npos) return {};
    return rest;
  }
  return {};
}

std::vector<uint8_t> InputResolver::bytesOf(const std::string& value, const std::string& field,
                                            size_t maxBytes) {
  if (media::looksLikeUrl(value)) {
    const std::string local = localMediaPath(value);
    if (!local.empty()) {
      if (!store::isValidMediaName(local) || !media_.exists(local))
        throw core::Error(core::ErrorKind::NotFound,
                          field + ": no such file on this server: " + value, field);
      return media_.read(local);
    }
    FetchOptions options = fetch_;
    options.maxBytes = maxBytes;
    return fetchUrl(value, field, options);
  }
  if (value.find("://") != std::string::npos)
    core::throwInvalid(field, field + ": only http and https URLs are accepted");
  return media::decodeBase64(value, field);
}

std::string InputResolver::store(const std::vector<uint8_t>& bytes, const std::string& taskId,
                                 const std::string& field) {
  const std::string relative = "inputs/" + taskId + "-" + field;
  media_.put(relative, bytes);
  return relative;
}

ResolvedInput InputResolver::image(const std::string& value, const std::string& field,
                                   const std::string& taskId) {
  // An upload of this server was checked when it arrived.
  if (media::looksLikeUrl(value)) {
    const std::string local = localMediaPath(value);
    if (local.rfind("uploads/", 0) == 0) {
      auto upload = store_.findUploadByFile(local);
      if (!upload)
        throw core::Error(core::ErrorKind::NotFound, field + ": no such upload: " + value, field);
      if (upload->kind != "image")
        core::throwInvalid(
            field, field + ": the upload is " + upload->contentType + ", not a JPEG or PNG image");
      return {upload->file, 0.0};
    }
  }
  const media::ImageLimits limits;
  const auto bytes = bytesOf(value, field, limits.maxBytes);
  media::decodeImage(bytes, field, limits);
  return {store(bytes, taskId, field), 0.0};
}

ResolvedInput InputResolver::audio(const std::string& value, const std::string& field,
                                   const std::string& taskId) {
  if (media::looksLikeUrl(value)) {
    const std::string local = localMediaPath(value);
    if (local.rfind("uploads/", 0) == 0 || local.rfind("audio/", 0) == 0) {
      if (auto upload = store_.findUploadByFile(local)) {
        if (upload->kind != "audio")
          core::throwInvalid(field, field + ": the upload is " + upload->contentType +
                                        ", not MP3/WAV/M4A/AAC audio");
        return {upload->file, upload->seconds};
      }
      if (auto audio = store_.findAudioByFile(local)) return {audio->file, audio->seconds};
      throw core::Error(core::ErrorKind::NotFound, field + ": no such upload: " + value, field);
    }
  }
  const media::AudioLimits limits;
  const auto bytes = bytesOf(value, field, limits.maxBytes);
  const media::AudioClip clip = media::decodeAudio(bytes, field, limits);
  return {store(bytes, taskId, field), clip.durationSeconds()};
}

ResolvedInput InputResolver::audioId(const std::string& id, const std::string& field,
                                     const std::string& accountId) {
  auto audio = store_.findAudio(id);
  if (!audio || audio->accountId != accountId)
    throw core::Error(core::ErrorKind::NotFound, field + ": no audio with id " + id, field);
  const store::Millis maxAge = static_cast<store::Millis>(config_.retentionDays) * 86400000LL;
  if (store::nowMillis() - audio->createdAt > maxAge)
    core::throwInvalid(field, field + ": audio " + id + " is older than " +
                                  std::to_string(config_.retentionDays) + " days");
  media::checkAudioDuration(audio->seconds, field);
  return {audio->file, audio->seconds};
}

}  // namespace dh::service
