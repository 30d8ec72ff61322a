#pragma once
// Media in a directory on a local disk or a shared mount (NFS and the like), one file per name
// under it. Writes go to a temporary file in the destination's own directory and are renamed
// into place, which is atomic on one file system, so a reader on any node never sees a partial
// file. Temporary files start with '.', which no media name may, so they are never served.
#include "store/media_store.h"

namespace dh::store {

class LocalDirMediaStore : public MediaStore {
 public:
  // Creates `root` when it does not exist.
  explicit LocalDirMediaStore(std::string root);

  void put(const std::string& name, std::span<const uint8_t> bytes) override;
  void putFile(const std::string& name, const std::string& path) override;
  StagedMedia stage(const std::string& name) override;
  std::vector<uint8_t> read(const std::string& name) override;
  std::unique_ptr<std::istream> open(const std::string& name) override;
  std::optional<MediaInfo> info(const std::string& name) override;
  bool remove(const std::string& name) override;
  std::string liveDirectory(const std::string& name) override;
  size_t removeAbandoned(int64_t idleSeconds) override;
  std::optional<uint64_t> freeBytes() override;
  std::string describe() const override;

  const std::string& root() const { return root_; }

 private:
  std::string pathOf(const std::string& name) const;  // checks the name
  // A new empty temporary file beside `name` (its directory created); returns its path.
  std::string tempBeside(const std::string& name) const;

  std::string root_;
};

}  // namespace dh::store
