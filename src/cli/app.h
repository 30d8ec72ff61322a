#pragma once

namespace dh::cli {

// Parses the command line and runs the chosen subcommand; returns the process exit code
// (0 success, 1 the work failed, 2 bad usage).
int runApp(int argc, char** argv);

}  // namespace dh::cli
