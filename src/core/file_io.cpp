#include "core/file_io.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace dh::core {

std::vector<uint8_t> readFileBytes(const std::string& path, const std::string& field) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(
        ErrorKind::InvalidInput,
        (field.empty() ? "" : field + ": ") + "cannot read " + path + ": " + std::strerror(errno),
        field);
  }
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeFileAtomically(const std::string& path, const void* data, size_t size) {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.flush();
    if (!out)
      throw Error(ErrorKind::Internal, "cannot write " + temp + ": " + std::strerror(errno));
  }
  std::filesystem::rename(temp, path);
}

}  // namespace dh::core
