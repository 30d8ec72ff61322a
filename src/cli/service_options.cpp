#include "cli/service_options.h"

namespace dh::cli {

void addSharedStoreOptions(const OptionAdder& opt, service::ServiceConfig& c) {
  opt("--max-running-renders", c.maxRunningRenders, "MAX_RUNNING_RENDERS",
      "Renders at once across all processes sharing the store (0 = unlimited)");
  opt("--std-rate", c.stdRate, "STD_RATE", "Units charged per output second in std mode");
  opt("--pro-rate", c.proRate, "PRO_RATE", "Units charged per output second in pro mode");
  opt("--lease-seconds", c.leaseSeconds, "LEASE_SECONDS",
      "A task's claim lapses this long after its worker's last heartbeat");
  opt("--max-attempts", c.maxAttempts, "MAX_ATTEMPTS",
      "Claims of a task whose worker keeps dying before it fails");
  opt("--shutdown-grace-seconds", c.shutdownGraceSeconds, "SHUTDOWN_GRACE_SECONDS",
      "On SIGTERM, running renders get this long before they are handed back");
  opt("--retention-days", c.retentionDays, "RETENTION_DAYS", "Media older than this are purged");
  opt("--render-niceness", c.renderNiceness, "RENDER_NICENESS",
      "Nice value (0-19) of the render threads, so HTTP requests and live sessions come first")
      ->check(CLI::Range(0, 19));
  opt("--log-level", c.logLevel, "LOG_LEVEL", "trace, debug, info, warn, error, critical, off")
      ->check(CLI::Validator(
          [](std::string& level) -> std::string {
            for (const char* known :
                 {"trace", "debug", "info", "warn", "warning", "error", "critical", "off"})
              if (level == known) return {};
            return "unknown log level \"" + level +
                   "\"; use one of trace, debug, info, warn, error, critical, off";
          },
          "LEVEL"));
}

}  // namespace dh::cli
