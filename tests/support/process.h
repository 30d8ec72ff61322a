#pragma once
// Runs a program the way a user would and captures what it printed.
#include <string>
#include <vector>

namespace dh::test {

struct ProcessResult {
  int exitCode = -1;  // -1 when killed by a signal
  std::string out;
  std::string err;
};

ProcessResult runProcess(const std::vector<std::string>& argv);

}  // namespace dh::test
