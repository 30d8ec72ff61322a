#pragma once
// Base64 through OpenSSL. Input may carry a "data:<mime>;base64," prefix and line breaks.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dh::media {

// Decodes `text`; throws core::Error(InvalidInput, field) naming the rule that failed.
std::vector<uint8_t> decodeBase64(std::string_view text, const std::string& field);

std::string encodeBase64(const uint8_t* data, size_t size);
inline std::string encodeBase64(const std::vector<uint8_t>& bytes) {
  return encodeBase64(bytes.data(), bytes.size());
}

// True when `text` starts like an http:// or https:// URL (case-insensitive scheme).
bool looksLikeUrl(std::string_view text);

}  // namespace dh::media
