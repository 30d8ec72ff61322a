#pragma once
// Fetching user-supplied URLs with libcurl: http/https only, a byte cap enforced while the body
// streams, connect and total timeouts, few redirects, and every connection's address checked
// against loopback/private/link-local/multicast ranges unless the operator allowed it.
#include <cstdint>
#include <string>
#include <vector>

namespace dh::service {

// An IPv4 or IPv6 network ("127.0.0.0/8", "::1/128").
class Cidr {
 public:
  explicit Cidr(const std::string& text);  // throws core::Error(InvalidInput) when malformed
  bool contains(const void* address, int family) const;

 private:
  int family_ = 0;
  unsigned char bytes_[16] = {};
  int prefix_ = 0;
};

struct FetchOptions {
  size_t maxBytes = 10 * 1024 * 1024;  // abort once the body passes this many bytes
  int connectTimeoutSeconds = 10;
  int totalTimeoutSeconds = 30;
  int maxRedirects = 3;
  std::vector<Cidr> allowed;  // exceptions to the private-address ban
};

// The body of `url`. Throws core::Error naming `field`: InvalidInput (bad scheme, refused
// address, HTTP error, too large), Timeout (took too long).
std::vector<uint8_t> fetchUrl(const std::string& url, const std::string& field,
                              const FetchOptions& options);

// True when `address` is loopback, private, link-local, multicast or unspecified.
bool isRestrictedAddress(const void* address, int family);

}  // namespace dh::service
