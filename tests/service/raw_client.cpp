#include "raw_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>

namespace dh::test {
namespace {

using Clock = std::chrono::steady_clock;

Clock::time_point deadlineIn(double seconds) {
  return Clock::now() +
         std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

}  // namespace

RawClient::RawClient(int port) {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd_);
    throw std::runtime_error("cannot connect to port " + std::to_string(port));
  }
}

RawClient::~RawClient() {
  close(fd_);
}

bool RawClient::send(const std::string& text) {
  return ::send(fd_, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size());
}

bool RawClient::receiveSome() {
  pollfd p{fd_, POLLIN, 0};
  if (poll(&p, 1, 20) <= 0) return true;
  char buffer[4096];
  const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
  if (n <= 0) return false;
  received_.append(buffer, static_cast<size_t>(n));
  return true;
}

bool RawClient::waitForClose(double seconds) {
  const auto deadline = deadlineIn(seconds);
  while (Clock::now() < deadline) {
    if (!receiveSome()) return true;
  }
  return false;
}

const std::string& RawClient::readResponse(double seconds) {
  const auto deadline = deadlineIn(seconds);
  while (Clock::now() < deadline &&
         (received_.find("\r\n\r\n") == std::string::npos || received_.back() != '}')) {
    if (!receiveSome()) break;
  }
  return received_;
}

}  // namespace dh::test
