#pragma once
// A raw TCP connection to a loopback server, for tests that must send what an HTTP client
// library would not: half a request line, a body that stalls, bytes one at a time.
#include <string>

namespace dh::test {

class RawClient {
 public:
  explicit RawClient(int port);  // connects to 127.0.0.1:port; throws when it cannot
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  // False when the server has closed the connection.
  bool send(const std::string& text);
  // Reads until the server closes the connection or `seconds` pass; returns whether it closed.
  bool waitForClose(double seconds);
  // Reads until one complete response with a JSON body ending in '}' is in, the server closes
  // or `seconds` pass; returns everything received so far.
  const std::string& readResponse(double seconds);
  const std::string& received() const { return received_; }

 private:
  // Waits up to 20 ms for bytes and appends them; false when the server closed the connection.
  bool receiveSome();

  int fd_ = -1;
  std::string received_;
};

}  // namespace dh::test
