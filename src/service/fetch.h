#pragma once
// Fetching and posting to user-supplied URLs with libcurl through one guard: http/https only, and
// every connection's address checked after DNS (the checked address is the one connected to)
// against loopback/private/link-local/metadata/multicast ranges unless the operator allowed it.
// Fetches also cap the body while it streams and follow few redirects; posts follow none.
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

// POSTing to a user-supplied URL (callbacks).
struct PostOptions {
  int timeoutSeconds = 10;    // connect and total
  std::vector<Cidr> allowed;  // exceptions to the private-address ban
};
struct PostOutcome {
  long status = 0;       // the HTTP status when the receiver answered, else 0
  std::string error;     // why there is no answer (empty when answered)
  bool refused = false;  // the guard refused the URL or its address: retrying will not help
};
// POSTs `body` with the given header lines ("Name: value"). Never throws for what the receiver
// or the network does; the outcome says it.
PostOutcome postUrl(const std::string& url, const std::string& body,
                    const std::vector<std::string>& headers, const PostOptions& options);

// The CIDRs of an allow-list flag; throws core::Error(InvalidInput) naming `flag` ("allow-...").
std::vector<Cidr> parseCidrs(const std::vector<std::string>& texts, const std::string& flag);

// True when `address` is loopback, private, link-local, multicast or unspecified.
bool isRestrictedAddress(const void* address, int family);

}  // namespace dh::service
