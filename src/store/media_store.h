#pragma once
// Where media files live: inputs, uploads, synthesised audio and rendered results, each named by
// a relative name such as "videos/<task id>.mp4" (the names the task store records). API nodes
// and workers reach the files only through this interface, so every node that shares the store
// (a directory on a shared mount for LocalDirMediaStore) can serve any URL another node handed
// out.
//
// Names: segments of letters, digits, '.', '_' and '-' joined by '/'; no absolute paths, no
// empty, "." or ".." segments, no segment starting with '.' (reserved for files being written).
// Every method that takes a name throws core::Error(InvalidInput) naming the broken rule.
#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace dh::store {

// Throws core::Error(InvalidInput) when `name` is not a valid media name (see above).
void checkMediaName(const std::string& name);
bool isValidMediaName(const std::string& name);

struct MediaInfo {
  uint64_t bytes = 0;
  int64_t modifiedNs = 0;  // last change, nanoseconds since the Unix epoch (for ETags)
};

class MediaStore;

// A file being produced on the local file system (e.g. by the renderer, which needs a path).
// Nothing is visible under `name` until commit(); destroying it uncommitted deletes the file.
class StagedMedia {
 public:
  StagedMedia(MediaStore& store, std::string name, std::string path);
  ~StagedMedia();
  StagedMedia(StagedMedia&& other) noexcept;
  StagedMedia& operator=(StagedMedia&&) = delete;
  StagedMedia(const StagedMedia&) = delete;
  StagedMedia& operator=(const StagedMedia&) = delete;

  const std::string& path() const { return path_; }  // write the file here
  const std::string& name() const { return name_; }
  // Publishes the finished file under name() atomically, replacing any earlier file.
  void commit();

 private:
  MediaStore* store_;
  std::string name_;
  std::string path_;
  bool done_ = false;
};

class MediaStore {
 public:
  virtual ~MediaStore() = default;

  // Stores `bytes` under `name` atomically: readers see the old file or the whole new one.
  virtual void put(const std::string& name, std::span<const uint8_t> bytes) = 0;
  // Moves the finished local file at `path` under `name` atomically; `path` is gone afterwards.
  virtual void putFile(const std::string& name, const std::string& path) = 0;
  // A local path to write `name` into, published by StagedMedia::commit().
  virtual StagedMedia stage(const std::string& name) = 0;

  // The whole file; throws core::Error(NotFound) when there is none.
  virtual std::vector<uint8_t> read(const std::string& name) = 0;
  // A stream positioned at the start, for serving (ranges seek); throws NotFound when missing.
  virtual std::unique_ptr<std::istream> open(const std::string& name) = 0;
  // Size and change time, or nullopt when there is no such file.
  virtual std::optional<MediaInfo> info(const std::string& name) = 0;
  bool exists(const std::string& name) { return info(name).has_value(); }
  // Throws NotFound when missing.
  uint64_t size(const std::string& name);
  // Deletes the file, or the directory `name` with everything in it (a live stream); false when
  // there was none.
  virtual bool remove(const std::string& name) = 0;
  // A local directory for files that appear under "name/<file>" as soon as they are in it (a
  // live stream that grows while it renders), created when missing. Whoever writes there must
  // write each file under another name first and rename it into place, so that readers on any
  // node never see part of one.
  virtual std::string liveDirectory(const std::string& name) = 0;

  // Deletes files still being written (staged or mid-put) that nobody has touched for
  // `idleSeconds`: what a process killed while writing left behind. Returns how many.
  virtual size_t removeAbandoned(int64_t idleSeconds) = 0;
  // Free space for new media in bytes (for the disk floor), nullopt when it cannot be told.
  virtual std::optional<uint64_t> freeBytes() = 0;
  // For logs: "directory data/media".
  virtual std::string describe() const = 0;
};

}  // namespace dh::store
