// The measuring client of bench/live_bench.sh: connects to a live session's ws_url and prints
//   say      SECONDS  (say -> the first fragment with the new speech), one line per run
//   interrupt SECONDS DRAWN (interrupt -> speaking_ended with interrupted: true; DRAWN: seconds of
//                      speech the stream holds past the last fragment received before the
//                      interrupt, i.e. how long it goes on speaking on the client's screen)
//   spread   SECONDS  (long speech: how much later than the earliest one, against the media
//                      clock, any fragment arrived; the server draws up to 0.08 s ahead, so a
//                      spread under 0.08 s plus one frame never falls behind real time)
//   gap      SECONDS  (long speech: the longest silence the utterance had between sentences)
// Usage: live_bench_client WS_URL RUNS LONG_TEXT_FILE [FPS]
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "live_client.h"

namespace {

using dh::test::LiveClient;
using dh::test::SocketMessage;

uint32_t be32(const std::string& s, size_t at) {
  return (uint32_t{static_cast<uint8_t>(s[at])} << 24) |
         (uint32_t{static_cast<uint8_t>(s[at + 1])} << 16) |
         (uint32_t{static_cast<uint8_t>(s[at + 2])} << 8) | static_cast<uint8_t>(s[at + 3]);
}

int fps = 25;  // of the session (std 25, pro 30)

// The video track's (track 1, 90 kHz) start and end in a 'moof' + 'mdat' fragment, seconds.
bool videoSpan(const std::string& fragment, double& start, double& end) {
  const auto children = [&](size_t from, size_t to, auto&& visit) {
    while (from + 8 <= to) {
      const uint32_t size = be32(fragment, from);
      if (size < 8 || from + size > to) return;
      visit(fragment.substr(from + 4, 4), from + 8, from + size);
      from += size;
    }
  };
  bool found = false;
  children(0, fragment.size(), [&](const std::string& type, size_t b, size_t e) {
    if (type != "moof") return;
    children(b, e, [&](const std::string& t, size_t tb, size_t te) {
      if (t != "traf") return;
      uint32_t track = 0, samples = 0;
      uint64_t base = 0;
      children(tb, te, [&](const std::string& box, size_t x, size_t) {
        if (box == "tfhd") track = be32(fragment, x + 4);
        if (box == "tfdt")
          base = fragment[x] == 1 ? (uint64_t{be32(fragment, x + 4)} << 32) | be32(fragment, x + 8)
                                  : be32(fragment, x + 4);
        if (box == "trun") samples += be32(fragment, x + 4);
      });
      if (track != 1) return;
      start = base / 90000.0;
      end = (base + samples * 90000.0 / fps) / 90000.0;
      found = true;
    });
  });
  return found;
}

double since(dh::test::LiveClock::time_point a, dh::test::LiveClock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

const char* kSentences[] = {
    "Good morning, how can I help you today?",
    "The weather will be sunny with a light breeze.",
    "Your order has shipped and arrives on Friday.",
    "Please hold on while I look that up for you.",
    "That is a great question.",
    "I can read the whole report to you if you like.",
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: live_bench_client WS_URL RUNS LONG_TEXT_FILE\n";
    return 2;
  }
  const std::string url = argv[1];
  const int runs = std::stoi(argv[2]);
  if (argc > 4) fps = std::stoi(argv[4]);
  std::ifstream longFile(argv[3]);
  std::stringstream longText;
  longText << longFile.rdbuf();

  LiveClient live(url);
  auto any = [](const SocketMessage&) { return false; };
  live.readUntil(any, 2.0);  // the listening face settles in

  for (int i = 0; i < runs; ++i) {
    const auto said = live.send({{"type", "say"}, {"text", kSentences[i % 6]}});
    if (!live.waitForEvent("speaking_started", 10).is_object()) return 1;
    live.readUntil([](const SocketMessage& m) { return m.binary; }, 5);
    std::printf("say %.3f\n", since(said, live.messages().back().arrived));
    std::fflush(stdout);
    live.waitForEvent("speaking_ended", 30);
    live.readUntil(any, 0.3 + 0.1 * (i % 4));  // a varying phase against the fragments
  }
  for (int i = 0; i < std::max(1, runs / 2); ++i) {
    live.send({{"type", "say"},
               {"text",
                "Let me tell you a long story. It goes on and on. "
                "There is no end to it in sight."}});
    if (!live.waitForEvent("speaking_started", 10).is_object()) return 1;
    live.readUntil(any, 0.5 + 0.07 * i);
    // Where the stream stood when the interrupt left: the end of the last fragment received.
    double shown = 0.0;
    for (const SocketMessage& m : live.messages()) {
      double start = 0, end = 0;
      if (m.binary && videoSpan(m.payload, start, end)) shown = end;
    }
    const auto asked = live.send({{"type", "interrupt"}});
    const nlohmann::json ended = live.waitForEvent("speaking_ended", 5);
    // The event's delay, and the speech drawn past what the client had when it interrupted.
    std::printf("interrupt %.3f %.3f%s\n", since(asked, live.messages().back().arrived),
                ended.value("at", 0.0) - shown,
                ended.value("interrupted", false) ? "" : " (not interrupted)");
    std::fflush(stdout);
    live.readUntil(any, 0.5);
  }
  if (!longText.str().empty()) {
    // One `say` per paragraph (blank lines between), all sent at once: they play back to back.
    std::vector<std::string> paragraphs{""};
    std::istringstream lines(longText.str());
    for (std::string line; std::getline(lines, line);) {
      if (line.empty()) {
        if (!paragraphs.back().empty()) paragraphs.emplace_back();
      } else {
        paragraphs.back() += (paragraphs.back().empty() ? "" : " ") + line;
      }
    }
    if (paragraphs.back().empty()) paragraphs.pop_back();
    const size_t first = live.messages().size();
    for (const std::string& paragraph : paragraphs)
      live.send({{"type", "say"}, {"text", paragraph}});
    const nlohmann::json started = live.waitForEvent("speaking_started", 10);
    nlohmann::json ended;
    double speechSeconds = 0.0;
    for (size_t i = 0; i < paragraphs.size(); ++i) {
      ended = live.waitForEvent("speaking_ended", 600);
      if (!ended.is_object()) return 1;
      speechSeconds += ended["speech_seconds"].get<double>();
    }
    if (!started.is_object()) return 1;
    double earliest = 1e9, latest = -1e9;
    double from = started["at"], to = ended["at"];
    for (size_t i = first; i < live.messages().size(); ++i) {
      const SocketMessage& m = live.messages()[i];
      double start = 0, end = 0;
      if (!m.binary || !videoSpan(m.payload, start, end) || end <= from || start >= to) continue;
      // How late this fragment came compared with the media clock.
      const double lateness =
          std::chrono::duration<double>(m.arrived.time_since_epoch()).count() - end;
      earliest = std::min(earliest, lateness);
      latest = std::max(latest, lateness);
      if (std::getenv("LIVE_BENCH_TRACE"))
        std::fprintf(stderr, "fragment %.3f-%.3f lateness %.3f\n", start - from, end - from,
                     lateness);
    }
    std::printf("long %.1f s of speech in %zu utterances (%.1f s of stream)\n", speechSeconds,
                paragraphs.size(), to - from);
    std::printf("spread %.3f\n", latest - earliest);
    std::printf("gap %.3f\n", (to - from) - speechSeconds);
  }
  live.socket().close();
  return 0;
}
