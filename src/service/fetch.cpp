#include "service/fetch.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <memory>
#include <mutex>

#include "core/error.h"
#include "media/base64.h"
#include "media/media_limits.h"

namespace dh::service {
namespace {

struct CurlCleanup {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct HeaderListCleanup {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

size_t discardBody(char*, size_t size, size_t count, void*) {
  return size * count;
}

void initCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool prefixMatches(const unsigned char* a, const unsigned char* b, int prefix) {
  const int whole = prefix / 8;
  if (std::memcmp(a, b, static_cast<size_t>(whole)) != 0) return false;
  const int rest = prefix % 8;
  if (rest == 0) return true;
  const unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

struct FetchState {
  std::vector<uint8_t> body;
  size_t maxBytes = 0;
  bool tooLarge = false;
  const std::vector<Cidr>* allowed = nullptr;
  std::string refusedAddress;
};

size_t onBody(char* data, size_t size, size_t count, void* user) {
  auto* state = static_cast<FetchState*>(user);
  const size_t n = size * count;
  if (state->body.size() + n > state->maxBytes) {
    state->tooLarge = true;
    return 0;  // aborts the transfer
  }
  state->body.insert(state->body.end(), data, data + n);
  return n;
}

curl_socket_t onOpenSocket(void* user, curlsocktype, curl_sockaddr* address) {
  auto* state = static_cast<FetchState*>(user);
  const void* raw = nullptr;
  if (address->family == AF_INET) {
    raw = &reinterpret_cast<const sockaddr_in*>(&address->addr)->sin_addr;
  } else if (address->family == AF_INET6) {
    raw = &reinterpret_cast<const sockaddr_in6*>(&address->addr)->sin6_addr;
  } else {
    state->refusedAddress = "a non-IP address";
    return CURL_SOCKET_BAD;
  }
  if (isRestrictedAddress(raw, address->family)) {
    bool allowed = false;
    for (const auto& cidr : *state->allowed)
      allowed = allowed || cidr.contains(raw, address->family);
    if (!allowed) {
      char text[INET6_ADDRSTRLEN] = {};
      inet_ntop(address->family, raw, text, sizeof(text));
      state->refusedAddress = text;
      return CURL_SOCKET_BAD;
    }
  }
  return socket(address->family, address->socktype, address->protocol);
}

// The guard both fetches and posts share: http/https only, and every connection's address checked
// as curl opens the socket, i.e. after DNS and for the very address it then connects to.
void guardConnections(CURL* c, FetchState& state) {
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, onOpenSocket);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &state);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "digital-human/0.1");
}

std::string refusalText(const std::string& address) {
  return "the URL leads to " + address +
         ", a loopback/private/link-local address that is not allowed";
}

}  // namespace

Cidr::Cidr(const std::string& text) {
  const size_t slash = text.find('/');
  const std::string address = text.substr(0, slash);
  if (inet_pton(AF_INET, address.c_str(), bytes_) == 1) {
    family_ = AF_INET;
    prefix_ = 32;
  } else if (inet_pton(AF_INET6, address.c_str(), bytes_) == 1) {
    family_ = AF_INET6;
    prefix_ = 128;
  } else {
    core::throwInvalid("cidr", "\"" + text + "\" is not an IPv4 or IPv6 network");
  }
  if (slash != std::string::npos) {
    const int maxPrefix = prefix_;
    try {
      prefix_ = std::stoi(text.substr(slash + 1));
    } catch (const std::exception&) {
      prefix_ = -1;
    }
    if (prefix_ < 0 || prefix_ > maxPrefix)
      core::throwInvalid(
          "cidr", "\"" + text + "\" has a prefix length outside 0-" + std::to_string(maxPrefix));
  }
}

bool Cidr::contains(const void* address, int family) const {
  return family == family_ &&
         prefixMatches(static_cast<const unsigned char*>(address), bytes_, prefix_);
}

std::vector<Cidr> parseCidrs(const std::vector<std::string>& texts, const std::string& flag) {
  std::vector<Cidr> out;
  for (const auto& text : texts) {
    try {
      out.emplace_back(text);
    } catch (const core::Error& e) {
      core::throwInvalid(flag, "--" + flag + ": " + e.what());
    }
  }
  return out;
}

bool isRestrictedAddress(const void* address, int family) {
  static const std::vector<Cidr> restricted = [] {
    std::vector<Cidr> list;
    for (const char* c :
         {"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
          "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4", "::/128", "::1/128",
          "fc00::/7", "fe80::/10", "ff00::/8", "::ffff:0:0/96"})
      list.emplace_back(c);
    return list;
  }();
  for (const auto& cidr : restricted) {
    if (cidr.contains(address, family)) return true;
  }
  return false;
}

std::vector<uint8_t> fetchUrl(const std::string& url, const std::string& field,
                              const FetchOptions& options) {
  if (!media::looksLikeUrl(url))
    core::throwInvalid(field, field + ": only http and https URLs are accepted");
  initCurlOnce();
  std::unique_ptr<CURL, CurlCleanup> curl(curl_easy_init());
  if (!curl) throw core::Error(core::ErrorKind::Internal, "fetch: curl_easy_init failed", field);
  FetchState state;
  state.maxBytes = options.maxBytes;
  state.allowed = &options.allowed;
  char errorText[CURL_ERROR_SIZE] = {};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  guardConnections(c, state);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, static_cast<long>(options.maxRedirects));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(options.connectTimeoutSeconds));
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(options.totalTimeoutSeconds));
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.maxBytes));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, onBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &state);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errorText);
  const CURLcode rc = curl_easy_perform(c);
  if (!state.refusedAddress.empty())
    core::throwInvalid(field, field + ": " + refusalText(state.refusedAddress));
  if (state.tooLarge || rc == CURLE_FILESIZE_EXCEEDED)
    core::throwInvalid(field, field + ": the file at the URL is larger than the " +
                                  media::formatBytes(options.maxBytes) + " limit");
  if (rc == CURLE_OPERATION_TIMEDOUT)
    throw core::Error(core::ErrorKind::Timeout,
                      field + ": fetching the URL took longer than " +
                          std::to_string(options.totalTimeoutSeconds) + " s",
                      field);
  if (rc == CURLE_TOO_MANY_REDIRECTS)
    core::throwInvalid(field, field + ": the URL redirects more than " +
                                  std::to_string(options.maxRedirects) + " times");
  if (rc != CURLE_OK)
    core::throwInvalid(field, field + ": cannot fetch the URL (" +
                                  std::string(errorText[0] ? errorText : curl_easy_strerror(rc)) +
                                  ")");
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status >= 300)
    core::throwInvalid(field, field + ": fetching the URL answered HTTP " + std::to_string(status));
  return std::move(state.body);
}

PostOutcome postUrl(const std::string& url, const std::string& body,
                    const std::vector<std::string>& headers, const PostOptions& options) {
  PostOutcome outcome;
  if (!media::looksLikeUrl(url)) {
    outcome.refused = true;
    outcome.error = "only http and https URLs are accepted";
    return outcome;
  }
  initCurlOnce();
  std::unique_ptr<CURL, CurlCleanup> curl(curl_easy_init());
  if (!curl) throw core::Error(core::ErrorKind::Internal, "post: curl_easy_init failed");
  std::unique_ptr<curl_slist, HeaderListCleanup> list;
  for (const auto& line : headers) {
    curl_slist* extended = curl_slist_append(list.get(), line.c_str());
    if (!extended) throw core::Error(core::ErrorKind::Internal, "post: curl_slist_append failed");
    list.release();
    list.reset(extended);
  }
  FetchState state;
  state.allowed = &options.allowed;
  char errorText[CURL_ERROR_SIZE] = {};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  guardConnections(c, state);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect is an answer, not followed
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list.get());
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(options.timeoutSeconds));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(options.timeoutSeconds));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discardBody);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errorText);
  const CURLcode rc = curl_easy_perform(c);
  if (!state.refusedAddress.empty()) {
    outcome.refused = true;
    outcome.error = refusalText(state.refusedAddress);
    return outcome;
  }
  if (rc != CURLE_OK) {
    outcome.error = errorText[0] ? errorText : curl_easy_strerror(rc);
    return outcome;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &outcome.status);
  return outcome;
}

}  // namespace dh::service
