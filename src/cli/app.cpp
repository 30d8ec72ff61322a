#include "cli/app.h"

#include <iostream>
#include <opencv2/core/utility.hpp>
#include <vector>

#include "cli/commands.h"
#include "core/error.h"
#include "core/log.h"
#include "media/ffmpeg_log.h"

namespace dh::cli {

int runApp(int argc, char** argv) {
  CLI::App app{"Digital Human: talking-avatar videos from one photo and one voice track", "dh"};
  app.require_subcommand(1);
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "Log more, including FFmpeg's warnings");
  const std::vector<Command> commands = {addRenderCommand(app), addAnalyzeCommand(app),
                                         addTtsCommand(app),    addServeCommand(app),
                                         addKeysCommand(app),   addWorkerCommand(app)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "dh: " << e.what() << " (see dh --help)\n";
    return 2;
  }
  media::routeFfmpegLogs(verbose);
  // A render keeps the cores busy with its own stages (frame drawing, x264's threads, phone
  // recognition), and the service runs several renders at once: OpenCV's thread pool on top of
  // that only adds hand-offs (measured: about 8% more CPU time for the same render).
  cv::setNumThreads(1);
  if (verbose) core::setLogLevel("debug");
  for (const auto& [command, action] : commands) {
    if (!command->parsed()) continue;
    try {
      return action();
    } catch (const std::exception& e) {
      std::cerr << "dh " << command->get_name() << ": error: " << core::rootMessage(e) << "\n";
      return 1;
    }
  }
  return 2;
}

}  // namespace dh::cli
