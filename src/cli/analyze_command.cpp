// dh analyze: the speech stage on its own, with an optional plot of the lip-sync plan.
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/file_io.h"
#include "media/audio_decoder.h"
#include "media/image_encoder.h"
#include "speech/speech_analysis.h"
#include "speech/track_plot.h"
#include "speech/tts.h"

namespace dh::cli {
namespace {

struct AnalyzeArgs {
  std::string audio;
  std::string text;
  std::string voice;
  std::string language;
  double speed = 1.0;
  double fps = 25.0;
  std::string plot;
  bool phones = false;
};

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int runAnalyze(const AnalyzeArgs& args) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<float> mono;
  std::vector<speech::TimedPhone> phones;
  std::string title;
  if (!args.text.empty()) {
    const speech::SpeechAudio tts =
        speech::synthesize(args.text, args.voice, args.language, args.speed);
    const auto wav = speech::encodeWav(tts);
    mono = media::resampleMono(media::decodeAudio(wav, "text"), speech::kAnalysisSampleRate);
    phones = tts.phones;
    title = "text: " + args.text.substr(0, 80);
  } else {
    const auto bytes = core::readFileBytes(args.audio, "audio");
    mono = media::resampleMono(media::decodeAudio(bytes, "audio"), speech::kAnalysisSampleRate);
    title = args.audio;
  }
  const double decodeSeconds = secondsSince(start);

  const auto analysisStart = std::chrono::steady_clock::now();
  const speech::SpeechAnalysis analysis = speech::analyzeSpeech(mono, args.fps, phones, "audio");
  const double analysisSeconds = secondsSince(analysisStart);

  const double audioSeconds = static_cast<double>(mono.size()) / speech::kAnalysisSampleRate;
  size_t active = 0;
  for (uint8_t a : analysis.features.active) active += a;
  size_t stressed = 0;
  for (uint8_t s : analysis.track.stressed) stressed += s;
  nlohmann::json out = {
      {"audio_seconds", audioSeconds},
      {"decode_seconds", decodeSeconds},
      {"analysis_seconds", analysisSeconds},
      {"speed_x_realtime", analysisSeconds > 0 ? audioSeconds / analysisSeconds : 0.0},
      {"speech_seconds", active * analysis.features.hopSeconds},
      {"phone_source", analysis.phonesRecognized ? "recognised" : "synthesiser"},
      {"phone_count", analysis.phones.size()},
      {"fps", args.fps},
      {"frames", analysis.track.size()},
      {"stressed_frames", stressed},
  };
  if (args.phones) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& p : analysis.phones) {
      list.push_back({{"phone", p.phone}, {"start", p.start}, {"end", p.end}});
    }
    out["phones"] = std::move(list);
  }
  if (!args.plot.empty()) {
    media::writePng(args.plot, speech::drawTrackPlot(mono, analysis, {title}));
    out["plot"] = args.plot;
  }
  std::cout << out.dump() << std::endl;
  return 0;
}

}  // namespace

Command addAnalyzeCommand(CLI::App& app) {
  auto args = std::make_shared<AnalyzeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "analyze", "Analyse a voice for lip sync: phones, articulation track, optional plot");
  auto* audio = cmd->add_option("--audio", args->audio, "Voice track: MP3, WAV, M4A or AAC");
  auto* text = cmd->add_option("--text", args->text, "Synthesise this text instead (espeak-ng)");
  audio->excludes(text);
  cmd->add_option("--voice", args->voice, "voice_id for --text (see dh tts --list-voices)");
  cmd->add_option("--language", args->language, "voice_language for --text (en, zh, ...)");
  cmd->add_option("--speed", args->speed, "voice_speed for --text, 0.8-2.0")->capture_default_str();
  cmd->add_option("--fps", args->fps, "Frame rate of the articulation track")
      ->check(CLI::Range(1.0, 1000.0))
      ->capture_default_str();
  cmd->add_option("--plot", args->plot, "Write a PNG of waveform, phones and articulation curves");
  cmd->add_flag("--phones", args->phones, "Include the timed phones in the JSON output");
  cmd->callback([audio, text] {
    if (audio->count() == 0 && text->count() == 0) {
      throw CLI::RequiredError("--audio or --text");
    }
  });
  return {cmd, [args] { return runAnalyze(*args); }};
}

}  // namespace dh::cli
