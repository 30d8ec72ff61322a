#pragma once
// Runs a program the way a user would and captures what it printed, or leaves it running in the
// background until the test stops it.
#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace dh::test {

struct ProcessResult {
  int exitCode = -1;  // -1 when killed by a signal
  std::string out;
  std::string err;
};

ProcessResult runProcess(const std::vector<std::string>& argv);

// A program running beside the test (a `dh serve` or `dh worker`): stderr is appended to
// `logPath`, stdout is read until the line that says the program is ready. Stopped with SIGTERM
// when destroyed.
class BackgroundProcess {
 public:
  // Starts `argv` (argv[0] a path) and waits up to `timeout` for a stdout line containing
  // `readyText`; throws with the line read and the log when the program exits or stays silent
  // instead (and kills it).
  BackgroundProcess(const std::vector<std::string>& argv, std::string logPath,
                    const std::string& readyText,
                    std::chrono::seconds timeout = std::chrono::seconds(30));
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  void terminate();  // SIGTERM and wait
  void kill9();      // SIGKILL and wait
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // The ready line, from `readyText` to its end ("listening on http://127.0.0.1:41234").
  const std::string& readyLine() const { return readyLine_; }
  // The port at the end of the ready line.
  int port() const;
  // What the program wrote on stderr so far.
  std::string log() const;

 private:
  void stop(int signalNumber);

  pid_t pid_ = -1;
  std::string logPath_;
  std::string readyLine_;
};

// The whole file as a string; empty when it cannot be read.
std::string readWholeFile(const std::string& path);

}  // namespace dh::test
