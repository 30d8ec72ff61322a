#include "service/connections.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cstdlib>

namespace dh::service {
namespace {

// Address text and port of an IPv4/IPv6 socket address; port -1 for other families.
std::pair<std::string, int> endpoint(const sockaddr_storage& address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&address);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text));
    return {text, ntohs(in->sin_port)};
  }
  if (address.ss_family == AF_INET6) {
    const auto* in = reinterpret_cast<const sockaddr_in6*>(&address);
    inet_ntop(AF_INET6, &in->sin6_addr, text, sizeof(text));
    return {text, ntohs(in->sin6_port)};
  }
  return {"", -1};
}

}  // namespace

int shutdownClientReads(int port, const std::string& peerAddress, int peerPort) {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return 0;
  int count = 0;
  while (const dirent* entry = readdir(dir)) {
    char* end = nullptr;
    const long number = std::strtol(entry->d_name, &end, 10);
    const int fd = static_cast<int>(number);
    if (end == entry->d_name || *end != '\0' || fd == dirfd(dir)) continue;
    struct stat info {};
    if (fstat(fd, &info) != 0 || !S_ISSOCK(info.st_mode)) continue;
    sockaddr_storage local{}, peer{};
    socklen_t localLength = sizeof(local), peerLength = sizeof(peer);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &localLength) != 0) continue;
    // Accepted connections share the listening port and have a peer; the listener has none.
    if (endpoint(local).second != port) continue;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peerLength) != 0) continue;
    if (!peerAddress.empty()) {
      const auto [address, remotePort] = endpoint(peer);
      if (remotePort != peerPort || address != peerAddress) continue;
    }
    if (::shutdown(fd, SHUT_RD) == 0) ++count;
  }
  closedir(dir);
  return count;
}

}  // namespace dh::service
