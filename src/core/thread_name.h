#pragma once
// Names the calling thread as `top -H`, `perf` and /proc/PID/task/TID/stat show it ("dh-draw").
// Linux keeps at most 15 characters; longer names are cut.
#include <string>

namespace dh::core {

void nameThisThread(const std::string& name);

}  // namespace dh::core
