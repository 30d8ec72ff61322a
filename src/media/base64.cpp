#include "media/base64.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "core/error.h"

namespace dh::media {
namespace {

struct EncodeContextDeleter {
  void operator()(EVP_ENCODE_CTX* ctx) const { EVP_ENCODE_CTX_free(ctx); }
};

std::string_view stripDataPrefix(std::string_view text, const std::string& field) {
  if (text.size() >= 5 && std::equal(text.begin(), text.begin() + 5, "data:", [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == b;
      })) {
    const auto comma = text.find(',');
    if (comma == std::string_view::npos || text.substr(0, comma).find(";base64") == text.npos) {
      core::throwInvalid(field, field +
                                    " is a data: URL without \";base64,\"; only Base64 data "
                                    "URLs are accepted");
    }
    return text.substr(comma + 1);
  }
  return text;
}

}  // namespace

std::vector<uint8_t> decodeBase64(std::string_view text, const std::string& field) {
  text = stripDataPrefix(text, field);
  // Line breaks and spaces are common in pasted Base64; OpenSSL skips whitespace itself.
  const auto nonSpace =
      std::count_if(text.begin(), text.end(), [](unsigned char c) { return !std::isspace(c); });
  if (nonSpace == 0) core::throwInvalid(field, field + " is empty");
  if (nonSpace % 4 != 0) {
    core::throwInvalid(field, field + " is not valid Base64: length " + std::to_string(nonSpace) +
                                  " is not a multiple of 4");
  }
  std::unique_ptr<EVP_ENCODE_CTX, EncodeContextDeleter> ctx(EVP_ENCODE_CTX_new());
  if (!ctx) throw core::Error(core::ErrorKind::Internal, "out of memory for Base64 decoding");
  EVP_DecodeInit(ctx.get());
  std::vector<uint8_t> out(text.size() / 4 * 3 + 4);
  int written = 0;
  int total = 0;
  const int rc = EVP_DecodeUpdate(ctx.get(), out.data(), &written,
                                  reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
  total += written;
  int tail = 0;
  if (rc < 0 || EVP_DecodeFinal(ctx.get(), out.data() + total, &tail) < 0) {
    core::throwInvalid(field, field +
                                  " is not valid Base64: it contains characters outside "
                                  "A-Z a-z 0-9 + / = or misplaced padding");
  }
  total += tail;
  out.resize(total);
  return out;
}

std::string encodeBase64(const uint8_t* data, size_t size) {
  std::string out(4 * ((size + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(n);
  return out;
}

bool looksLikeUrl(std::string_view text) {
  auto startsWithNoCase = [&](std::string_view prefix) {
    return text.size() >= prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
             return a == std::tolower(static_cast<unsigned char>(b));
           });
  };
  return startsWithNoCase("http://") || startsWithNoCase("https://");
}

}  // namespace dh::media
