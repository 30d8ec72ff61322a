// Runs every `sh` block of docs/API.md, in order, in one bash session against a real server, the
// way a reader would paste them, and checks what they printed.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "service_harness.h"
#include "support/process.h"
#include "support/test_paths.h"

namespace dh::test {
namespace {

std::string shellBlocks(const std::string& markdown) {
  std::istringstream in(markdown);
  std::string script, line;
  bool inside = false;
  int blocks = 0;
  while (std::getline(in, line)) {
    if (!inside && line == "```sh") {
      inside = true;
      ++blocks;
      script += "# --- block " + std::to_string(blocks) + "\n";
    } else if (inside && line == "```") {
      inside = false;
    } else if (inside) {
      script += line + "\n";
    }
  }
  return script;
}

TEST(DocsExamples, EveryShellBlockOfApiMdRunsAgainstARealServer) {
  const std::string dir = scratchDir();
  ServeProcess server(dir + "/serve");
  server.start();
  const std::string key = server.keys({"ensure-dev", "--file", dir + "/dev-key"});
  std::ifstream in(std::string(DH_SOURCE_DIR) + "/docs/API.md");
  std::stringstream markdown;
  markdown << in.rdbuf();
  const std::string script = shellBlocks(markdown.str());
  ASSERT_GT(std::count(script.begin(), script.end(), '\n'), 40) << "no examples found";

  setenv("DH_URL", server.url().c_str(), 1);
  setenv("DH_KEY", key.substr(0, key.find('\n')).c_str(), 1);
  setenv("DH_DB", server.db().c_str(), 1);
  setenv("TMPDIR", dir.c_str(), 1);
  const std::string binDir = std::filesystem::path(dhBinary()).parent_path().string();
  setenv("PATH", (binDir + ":" + getenv("PATH")).c_str(), 1);
  const std::string wrapped =
      "set -euo pipefail\ncd '" + std::string(DH_SOURCE_DIR) + "'\n" + script;
  const auto result = runProcess({"/bin/bash", "-c", wrapped});
  ASSERT_EQ(result.exitCode, 0) << "stdout:\n"
                                << result.out << "\nstderr:\n"
                                << result.err << "\nserver log:\n"
                                << server.log();
  const std::string& out = result.out;
  // What the page says each example prints.
  EXPECT_NE(out.find("206 1024"), std::string::npos) << out;
  EXPECT_NE(out.find("200 video/mp4"), std::string::npos) << out;
  EXPECT_NE(out.find("audio_duration_seconds"), std::string::npos) << out;
  EXPECT_NE(out.find("image: is required (a URL or Base64)"), std::string::npos) << out;
  EXPECT_NE(out.find("en_us_female"), std::string::npos) << out;
  EXPECT_NE(out.find(server.url() + "/media/videos/"), std::string::npos) << out;
  EXPECT_NE(out.find("\nok\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\nonline\n"), std::string::npos) << out;  // GET /account/costs
  // The downloaded file is the whole video.
  EXPECT_GT(std::filesystem::file_size(dir + "/avatar.mp4"), 10000u);
}

}  // namespace
}  // namespace dh::test
