#include "support/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

extern char** environ;

namespace dh::test {

ProcessResult runProcess(const std::vector<std::string>& argv) {
  int outPipe[2];
  int errPipe[2];
  if (pipe(outPipe) != 0 || pipe(errPipe) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, outPipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, errPipe[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, outPipe[0]);
  posix_spawn_file_actions_addclose(&actions, errPipe[0]);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(outPipe[1]);
  close(errPipe[1]);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);

  ProcessResult result;
  std::array<pollfd, 2> fds{pollfd{outPipe[0], POLLIN, 0}, pollfd{errPipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open = 2;
  char buffer[65536];
  while (open > 0) {
    if (poll(fds.data(), fds.size(), -1) < 0) break;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      const ssize_t n = read(fds[i].fd, buffer, sizeof(buffer));
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open;
      }
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv, std::string logPath,
                                     const std::string& readyText, std::chrono::seconds timeout)
    : logPath_(std::move(logPath)) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, logPath_.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    pid_ = -1;
    throw std::runtime_error("cannot start " + argv[0]);
  }
  // Read stdout until a whole line holds `readyText`, the program closes it or time runs out.
  std::string printed;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const size_t at = printed.find(readyText);
    if (at != std::string::npos && printed.find('\n', at) != std::string::npos) {
      readyLine_ = printed.substr(at, printed.find('\n', at) - at);
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    pollfd p{out[0], POLLIN, 0};
    if (poll(&p, 1, 200) <= 0) continue;
    char buffer[256];
    const ssize_t n = read(out[0], buffer, sizeof(buffer));
    if (n <= 0) break;
    printed.append(buffer, static_cast<size_t>(n));
  }
  close(out[0]);
  if (readyLine_.empty()) {
    kill9();
    throw std::runtime_error(argv[0] + " did not become ready (\"" + readyText + "\"): " + printed +
                             "\n" + log());
  }
}

BackgroundProcess::~BackgroundProcess() {
  terminate();
}

void BackgroundProcess::terminate() {
  stop(SIGTERM);
}

void BackgroundProcess::kill9() {
  stop(SIGKILL);
}

void BackgroundProcess::stop(int signalNumber) {
  if (pid_ <= 0) return;
  ::kill(pid_, signalNumber);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

int BackgroundProcess::port() const {
  const size_t colon = readyLine_.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("no port in \"" + readyLine_ + "\"");
  return std::stoi(readyLine_.substr(colon + 1));
}

std::string BackgroundProcess::log() const {
  return readWholeFile(logPath_);
}

std::string readWholeFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace dh::test
