// dh tts: text to a WAV voice with espeak-ng, optionally with the phone timing as JSON.
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "core/error.h"
#include "speech/tts.h"

namespace dh::cli {
namespace {

struct TtsArgs {
  std::string text;
  std::string voice;
  std::string language;
  double speed = 1.0;
  std::string output;
  std::string phones;
  bool listVoices = false;
};

void writeFile(const std::string& path, const std::string& bytes, const std::string& field) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    throw core::Error(core::ErrorKind::InvalidInput, "could not write " + path, field);
  }
}

int runTts(const TtsArgs& args) {
  if (args.listVoices) {
    nlohmann::json voices = nlohmann::json::array();
    for (const auto& v : speech::presetVoices()) {
      voices.push_back({{"voice_id", v.id},
                        {"name", v.name},
                        {"voice_language", v.language},
                        {"gender", v.gender}});
    }
    std::cout << voices.dump(2) << std::endl;
    return 0;
  }
  if (args.output.empty()) throw core::Error(core::ErrorKind::InvalidInput, "-o is required");
  const speech::SpeechAudio audio =
      speech::synthesize(args.text, args.voice, args.language, args.speed);
  const std::vector<uint8_t> wav = speech::encodeWav(audio);
  writeFile(args.output, std::string(wav.begin(), wav.end()), "output");
  if (!args.phones.empty()) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& p : audio.phones) {
      list.push_back({{"phone", p.phone}, {"start", p.start}, {"end", p.end}});
    }
    writeFile(args.phones, list.dump(1), "phones");
  }
  std::cerr << "wrote " << args.output << " (" << audio.durationSeconds() << " s, "
            << audio.phones.size() << " phones)\n";
  return 0;
}

}  // namespace

Command addTtsCommand(CLI::App& app) {
  auto args = std::make_shared<TtsArgs>();
  CLI::App* cmd = app.add_subcommand("tts", "Text to speech (espeak-ng) as a WAV voice track");
  auto* list = cmd->add_flag("--list-voices", args->listVoices, "Print the voices as JSON");
  auto* text = cmd->add_option("--text", args->text, "Text, up to 1000 characters");
  text->excludes(list);
  cmd->add_option("--voice", args->voice, "voice_id (default: the first voice of the language)");
  cmd->add_option("--language", args->language, "voice_language: en, zh, fr, ...");
  cmd->add_option("--speed", args->speed, "voice_speed 0.8-2.0")->capture_default_str();
  cmd->add_option("-o,--output", args->output, "Output WAV path");
  cmd->add_option("--phones", args->phones, "Also write the phone timing as JSON here");
  cmd->callback([list, text] {
    if (list->count() == 0 && text->count() == 0) {
      throw CLI::RequiredError("--text or --list-voices");
    }
  });
  return {cmd, [args] { return runTts(*args); }};
}

}  // namespace dh::cli
