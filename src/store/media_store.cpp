#include "store/media_store.h"

#include <unistd.h>

#include "core/error.h"

namespace dh::store {
namespace {

[[noreturn]] void refuse(const std::string& name, const std::string& rule) {
  throw core::Error(core::ErrorKind::InvalidInput, "media name \"" + name + "\": " + rule);
}

bool allowedChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

}  // namespace

void checkMediaName(const std::string& name) {
  if (name.empty()) refuse(name, "must not be empty");
  if (name.front() == '/') refuse(name, "absolute paths are not allowed (names are relative)");
  size_t start = 0;
  while (true) {
    const size_t slash = name.find('/', start);
    const std::string segment =
        name.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (segment.empty()) refuse(name, "empty segments (\"//\" or a trailing '/') are not allowed");
    if (segment == "." || segment == "..")
      refuse(name, "\".\" and \"..\" segments are not allowed (names stay inside the store)");
    if (segment.front() == '.')
      refuse(name, "segments starting with '.' are not allowed (reserved for files being written)");
    for (char c : segment) {
      if (!allowedChar(c))
        refuse(name, "only letters, digits, '.', '_' and '-' are allowed between '/' separators");
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
}

bool isValidMediaName(const std::string& name) {
  try {
    checkMediaName(name);
    return true;
  } catch (const core::Error&) {
    return false;
  }
}

uint64_t MediaStore::size(const std::string& name) {
  const auto found = info(name);
  if (!found) throw core::Error(core::ErrorKind::NotFound, "no media file named \"" + name + "\"");
  return found->bytes;
}

StagedMedia::StagedMedia(MediaStore& store, std::string name, std::string path)
    : store_(&store), name_(std::move(name)), path_(std::move(path)) {}

StagedMedia::StagedMedia(StagedMedia&& other) noexcept
    : store_(other.store_),
      name_(std::move(other.name_)),
      path_(std::move(other.path_)),
      done_(other.done_) {
  other.done_ = true;
}

StagedMedia::~StagedMedia() {
  if (!done_) ::unlink(path_.c_str());
}

void StagedMedia::commit() {
  if (done_) throw core::Error(core::ErrorKind::Internal, "media " + name_ + " committed twice");
  store_->putFile(name_, path_);
  done_ = true;
}

}  // namespace dh::store
