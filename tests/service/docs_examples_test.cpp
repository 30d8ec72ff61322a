// Runs every `sh` block of docs/API.md, in order, in one bash session against a real server, the
// way a reader would paste them, and checks what they printed.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "service_harness.h"
#include "support/process.h"
#include "support/test_paths.h"

namespace dh::test {
namespace {

struct Example {
  std::string script;
  std::string expect;  // a regular expression for all the block prints (trimmed)
  int line = 0;        // where the block starts in the page
};

// Every `sh` block with the `<!-- expect: REGEX -->` comment that must follow it.
std::vector<Example> shellBlocks(const std::string& markdown) {
  std::istringstream in(markdown);
  std::vector<Example> blocks;
  std::string line;
  bool inside = false, wantExpect = false;
  int number = 0;
  const std::string open = "<!-- expect: ", close = " -->";
  while (std::getline(in, line)) {
    ++number;
    if (wantExpect) {
      if (line.rfind(open, 0) == 0 && line.size() >= open.size() + close.size() &&
          line.compare(line.size() - close.size(), close.size(), close) == 0) {
        blocks.back().expect = line.substr(open.size(), line.size() - open.size() - close.size());
      } else {
        ADD_FAILURE() << "docs/API.md:" << blocks.back().line
                      << ": the sh block is not followed by <!-- expect: REGEX -->";
      }
      wantExpect = false;
    } else if (!inside && line == "```sh") {
      inside = true;
      blocks.push_back({"", "", number});
    } else if (inside && line == "```") {
      inside = false;
      wantExpect = true;
    } else if (inside) {
      blocks.back().script += line + "\n";
    }
  }
  return blocks;
}

std::string trimmed(const std::string& text) {
  const size_t first = text.find_first_not_of(" \n");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \n") - first + 1);
}

TEST(DocsExamples, EveryShellBlockOfApiMdRunsAgainstARealServer) {
  const std::string dir = scratchDir();
  ServeProcess server(dir + "/serve");
  server.start();
  const std::string key = server.keys({"ensure-dev", "--file", dir + "/dev-key"});
  std::ifstream in(std::string(DH_SOURCE_DIR) + "/docs/API.md");
  std::stringstream markdown;
  markdown << in.rdbuf();
  const std::vector<Example> blocks = shellBlocks(markdown.str());
  ASSERT_GT(blocks.size(), 10u) << "no examples found";
  // One bash session, as a reader pasting them in order; a marker after each block splits the
  // output.
  std::string script;
  for (size_t i = 0; i < blocks.size(); ++i)
    script += blocks[i].script + "echo '@@@ end of block " + std::to_string(i) + "'\n";

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
  size_t from = 0;
  for (size_t i = 0; i < blocks.size(); ++i) {
    const std::string marker = "@@@ end of block " + std::to_string(i) + "\n";
    const size_t at = out.find(marker, from);
    ASSERT_NE(at, std::string::npos) << "block at line " << blocks[i].line << " did not finish";
    const std::string printed = trimmed(out.substr(from, at - from));
    from = at + marker.size();
    EXPECT_TRUE(std::regex_match(printed, std::regex(blocks[i].expect)))
        << "docs/API.md:" << blocks[i].line << ": the example printed\n"
        << printed << "\nwhich does not match its expectation\n"
        << blocks[i].expect;
  }
  // The downloaded file is the whole video.
  EXPECT_GT(std::filesystem::file_size(dir + "/avatar.mp4"), 10000u);
}

}  // namespace
}  // namespace dh::test
