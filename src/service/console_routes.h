#pragma once
// The web console of `dh serve`: the page at `/` and its assets (embedded in the binary at build
// time from web/console/), plus two helper endpoints the page uses besides the public API:
//   POST /v1/console/analyze-face  image bytes (raw or multipart "file") -> face box, 68 landmarks
//   GET  /v1/console/account       the calling key's name, balance and the service's rates
// They are registered by HttpApi::registerRoutes through the API's one wrapper: the same auth
// (Bearer key or JWT), IP allow-list, rate limit, metrics and Kling envelope as every route.
#include <httplib.h>

#include <span>
#include <string_view>

namespace dh::service {

// One embedded file of web/console/.
struct ConsoleAsset {
  std::string_view path;         // URL path below /console/, e.g. "console.js"
  std::string_view contentType;  // MIME type with charset where it applies
  std::string_view bytes;        // the file's content
};

// The embedded files (generated at build time into console_assets.cpp).
std::span<const ConsoleAsset> consoleAssets();

}  // namespace dh::service
