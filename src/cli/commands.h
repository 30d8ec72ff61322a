#pragma once
// Each subcommand registers its options on the app and returns the action to run when chosen.
#include <CLI/CLI.hpp>

#include <functional>

namespace dh::cli {

using CommandAction = std::function<int()>;

struct Command {
  CLI::App* subcommand;
  CommandAction action;
};

Command addRenderCommand(CLI::App& app);
Command addAnalyzeCommand(CLI::App& app);
Command addTtsCommand(CLI::App& app);
Command addServeCommand(CLI::App& app);
Command addKeysCommand(CLI::App& app);
Command addWorkerCommand(CLI::App& app);

}  // namespace dh::cli
