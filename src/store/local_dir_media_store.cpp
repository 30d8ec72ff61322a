#include "store/local_dir_media_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>

#include <fmt/format.h>

#include "core/error.h"

namespace dh::store {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void throwSystem(const std::string& what, int error) {
  throw core::Error(core::ErrorKind::Internal, what + ": " + std::strerror(error));
}

[[noreturn]] void throwMissing(const std::string& name) {
  throw core::Error(core::ErrorKind::NotFound, "no media file named \"" + name + "\"");
}

// Writes all of `bytes` to `fd`, then flushes them to the disk.
void writeAll(int fd, std::span<const uint8_t> bytes, const std::string& path) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throwSystem("cannot write " + path, errno);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) throwSystem("cannot flush " + path, errno);
}

std::string randomSuffix() {
  static std::mutex mutex;
  static std::mt19937_64 engine{std::random_device{}()};
  std::lock_guard lock(mutex);
  return fmt::format("{:016x}", engine());
}

}  // namespace

LocalDirMediaStore::LocalDirMediaStore(std::string root) : root_(std::move(root)) {
  if (root_.empty())
    throw core::Error(core::ErrorKind::InvalidInput, "--media-dir: must not be empty", "media-dir");
  std::error_code ec;
  fs::create_directories(root_, ec);
  if (ec || !fs::is_directory(root_))
    throw core::Error(core::ErrorKind::InvalidInput,
                      "--media-dir: cannot use " + root_ + " as the media directory" +
                          (ec ? ": " + ec.message() : std::string(": not a directory")),
                      "media-dir");
}

std::string LocalDirMediaStore::pathOf(const std::string& name) const {
  checkMediaName(name);
  return (fs::path(root_) / name).string();
}

std::string LocalDirMediaStore::tempBeside(const std::string& name) const {
  const fs::path target = pathOf(name);
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  if (ec) throwSystem("cannot create " + target.parent_path().string(), ec.value());
  // Created with O_EXCL and mode 0666 less the umask, like any file the service writes (mkstemp
  // would make it 0600, unreadable to other users of a shared mount).
  for (int attempt = 0;; ++attempt) {
    const std::string path =
        (target.parent_path() / fmt::format(".{}.{}", target.filename().string(), randomSuffix()))
            .string();
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) {
      ::close(fd);
      return path;
    }
    if (errno != EEXIST || attempt > 100)
      throwSystem("cannot create a temporary file beside " + target.string(), errno);
  }
}

void LocalDirMediaStore::put(const std::string& name, std::span<const uint8_t> bytes) {
  const std::string temp = tempBeside(name);
  try {
    const int fd = ::open(temp.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) throwSystem("cannot open " + temp, errno);
    try {
      writeAll(fd, bytes, temp);
    } catch (...) {
      ::close(fd);
      throw;
    }
    if (::close(fd) != 0) throwSystem("cannot close " + temp, errno);
    putFile(name, temp);
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }
}

void LocalDirMediaStore::putFile(const std::string& name, const std::string& path) {
  const std::string target = pathOf(name);
  std::error_code ec;
  fs::create_directories(fs::path(target).parent_path(), ec);
  if (::rename(path.c_str(), target.c_str()) == 0) return;
  if (errno != EXDEV) throwSystem("cannot move " + path + " to " + target, errno);
  // Another file system: copy beside the target first, so the rename stays atomic.
  const std::string temp = tempBeside(name);
  fs::copy_file(path, temp, fs::copy_options::overwrite_existing, ec);
  if (ec) {
    ::unlink(temp.c_str());
    throwSystem("cannot copy " + path + " to " + temp, ec.value());
  }
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    throwSystem("cannot move " + temp + " to " + target, error);
  }
  ::unlink(path.c_str());
}

StagedMedia LocalDirMediaStore::stage(const std::string& name) {
  return StagedMedia(*this, name, tempBeside(name));
}

std::vector<uint8_t> LocalDirMediaStore::read(const std::string& name) {
  const std::string path = pathOf(name);
  if (!info(name)) throwMissing(name);
  std::ifstream in(path, std::ios::binary);
  if (!in) throwSystem("cannot open " + path, errno);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (in.bad()) throwSystem("cannot read " + path, errno);
  return bytes;
}

std::unique_ptr<std::istream> LocalDirMediaStore::open(const std::string& name) {
  const std::string path = pathOf(name);
  if (!info(name)) throwMissing(name);
  auto in = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!*in) throwSystem("cannot open " + path, errno);
  return in;
}

std::optional<MediaInfo> LocalDirMediaStore::info(const std::string& name) {
  const std::string path = pathOf(name);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return MediaInfo{static_cast<uint64_t>(st.st_size),
                   static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec};
}

bool LocalDirMediaStore::remove(const std::string& name) {
  const std::string path = pathOf(name);
  std::error_code ec;
  if (fs::is_directory(fs::symlink_status(path, ec))) {
    fs::remove_all(path, ec);
    if (ec) throwSystem("cannot remove " + path, ec.value());
    return true;
  }
  if (::unlink(path.c_str()) == 0) return true;
  if (errno == ENOENT) return false;
  throwSystem("cannot remove " + path, errno);
}

std::string LocalDirMediaStore::liveDirectory(const std::string& name) {
  const std::string path = pathOf(name);
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) throwSystem("cannot create " + path, ec.value());
  return path;
}

size_t LocalDirMediaStore::removeAbandoned(int64_t idleSeconds) {
  // Files being written are named ".<target>.<random>" (tempBeside); a live writer keeps
  // changing its file, so one idle for long belonged to a process that died.
  const auto cutoff = fs::file_time_type::clock::now() - std::chrono::seconds(idleSeconds);
  size_t removed = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root_, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& path = it->path();
    if (!it->is_regular_file(ec) || path.filename().string().rfind('.', 0) != 0) continue;
    const auto modified = fs::last_write_time(path, ec);
    if (!ec && modified < cutoff && fs::remove(path, ec)) ++removed;
    ec.clear();
  }
  return removed;
}

std::optional<uint64_t> LocalDirMediaStore::freeBytes() {
  struct statvfs st {};
  if (::statvfs(root_.c_str(), &st) != 0) return std::nullopt;
  return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
}

std::string LocalDirMediaStore::describe() const {
  return "directory " + root_;
}

}  // namespace dh::store
