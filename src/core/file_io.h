#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace dh::core {

// Whole file as bytes; throws Error(InvalidInput, field) naming the path when it cannot be read.
std::vector<uint8_t> readFileBytes(const std::string& path, const std::string& field = {});

// Writes `bytes` to `path` through a temporary file and a rename, so readers never see a part.
void writeFileAtomically(const std::string& path, const void* data, size_t size);

}  // namespace dh::core
