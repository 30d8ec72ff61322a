#pragma once
// Command-line options of the processes that share a store (`dh serve`, `dh worker`): each flag
// also reads a DH_ environment variable, and the options every such process must set alike are
// defined once.
#include <CLI/CLI.hpp>

#include <string>

#include "service/config.h"

namespace dh::cli {

// Adds `--flag` with help text, environment variable DH_<ENV> and the default shown in --help.
class OptionAdder {
 public:
  explicit OptionAdder(CLI::App* cmd) : cmd_(cmd) {}
  template <typename T>
  CLI::Option* operator()(const std::string& flags, T& value, const std::string& env,
                          const std::string& help) const {
    return cmd_->add_option(flags, value, help)->envname("DH_" + env)->capture_default_str();
  }

 private:
  CLI::App* cmd_;
};

// Render cap, prices, claim lease and attempts, shutdown grace, media retention and log level:
// what every API node and worker on one store agrees on.
void addSharedStoreOptions(const OptionAdder& opt, service::ServiceConfig& c);

}  // namespace dh::cli
