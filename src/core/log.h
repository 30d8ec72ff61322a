#pragma once
// Loggers named after their component ("media", "worker"); messages about a task carry its id.
#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace dh::core {

std::shared_ptr<spdlog::logger> logger(const std::string& component);

// Sets the level of every logger ("trace".."off"); unknown names keep "info".
void setLogLevel(const std::string& level);

}  // namespace dh::core
