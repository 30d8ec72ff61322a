#include "core/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <mutex>

namespace dh::core {

std::shared_ptr<spdlog::logger> logger(const std::string& component) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  if (auto existing = spdlog::get(component)) return existing;
  auto created = spdlog::stderr_color_mt(component);
  created->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ [%n] %v");
  return created;
}

void setLogLevel(const std::string& level) {
  spdlog::set_level(spdlog::level::from_str(level));
}

}  // namespace dh::core
