#pragma once
// The web console of `dh serve`: the page at `/` and its assets (embedded in the binary at build
// time from web/console/), plus two helper endpoints the page uses besides the public API:
//   POST /v1/console/analyze-face  image bytes (raw or multipart "file") -> face box, 68 landmarks
//   GET  /v1/console/account       the calling key's name, balance and the service's rates
// Both need the same Bearer key as the API and answer in the Kling envelope.
#include <httplib.h>

#include <span>
#include <string_view>

namespace dh::service {

class TaskService;

// One embedded file of web/console/.
struct ConsoleAsset {
  std::string_view path;         // URL path below /console/, e.g. "console.js"
  std::string_view contentType;  // MIME type with charset where it applies
  std::string_view bytes;        // the file's content
};

// The embedded files (generated at build time into console_assets.cpp).
std::span<const ConsoleAsset> consoleAssets();

// Registers the console's routes on `server`. `tasks` must outlive the server.
void addConsoleRoutes(httplib::Server& server, TaskService& tasks);

}  // namespace dh::service
