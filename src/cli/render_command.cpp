#include <iostream>
#include <nlohmann/json.hpp>

#include "animate/style.h"
#include "cli/commands.h"
#include "cli/progress_printer.h"
#include "core/file_io.h"
#include "pipeline/pipeline.h"

namespace dh::cli {
namespace {

struct RenderArgs {
  std::string image;
  std::string audio;
  std::string text;    // synthesise the voice from this text instead of --audio
  std::string voice;   // voice_id for --text
  double speed = 1.0;  // voice_speed for --text
  std::string mode = "std";
  std::string prompt;
  uint64_t seed = 1;
  std::string output;
  std::string hls;  // also write a live HLS stream into this directory
  std::string progress = "auto";
};

int runRender(const RenderArgs& args) {
  ProgressPrinter printer(parseProgressStyle(args.progress));
  pipeline::RenderRequest request;
  request.options.mode = pipeline::parseMode(args.mode);
  request.options.prompt = args.prompt;
  request.options.seed = args.seed;
  request.image = core::readFileBytes(args.image, "image");
  request.imageField = "image";
  if (!args.text.empty()) {
    pipeline::setSpeechFromText(request, args.text, args.voice, {}, args.speed);
    request.audioField = "text";
  } else {
    request.audio = core::readFileBytes(args.audio, "sound_file");
    request.audioField = "audio";
  }

  const auto result =
      pipeline::render(request, args.output, core::Progress(printer.callback(), nullptr), args.hls);
  printer.finish();
  if (args.progress == "json") {
    std::cout << nlohmann::json{{"event", "done"},
                                {"output", args.output},
                                {"width", result.size.width},
                                {"height", result.size.height},
                                {"fps", result.fps},
                                {"frames", result.frames},
                                {"video_seconds", result.videoSeconds},
                                {"audio_seconds", result.audioSeconds},
                                {"prompt_applied", animate::readPrompt(args.prompt).applied}}
                     .dump()
              << std::endl;
  } else {
    std::cerr << "wrote " << args.output << " (" << result.size.width << "x" << result.size.height
              << ", " << result.fps << " fps, " << result.videoSeconds << " s)\n";
    const auto applied = animate::readPrompt(args.prompt).applied;
    if (!applied.empty()) {
      std::cerr << "prompt applied:";
      for (const std::string& item : applied) std::cerr << " " << item;
      std::cerr << "\n";
    }
  }
  return 0;
}

}  // namespace

Command addRenderCommand(CLI::App& app) {
  auto args = std::make_shared<RenderArgs>();
  CLI::App* cmd =
      app.add_subcommand("render", "Render a talking-avatar MP4 from a photo and a voice");
  cmd->add_option("--image", args->image, "Portrait photo, JPEG or PNG (format read from content)")
      ->required();
  auto* audio =
      cmd->add_option("--audio", args->audio, "Voice track: MP3, WAV, M4A or AAC, 2-300 s");
  auto* text =
      cmd->add_option("--text", args->text,
                      "Speak this text (espeak-ng, up to 1000 characters) instead of --audio");
  audio->excludes(text);
  cmd->add_option("--voice", args->voice, "voice_id for --text (dh tts --list-voices)");
  cmd->add_option("--speed", args->speed, "voice_speed for --text, 0.8-2.0")->capture_default_str();
  cmd->callback([audio, text] {
    if (audio->count() == 0 && text->count() == 0) throw CLI::RequiredError("--audio or --text");
  });
  cmd->add_option("--mode", args->mode,
                  "Quality: std (720 px short side, 25 fps) or pro (1080 px, 30 fps)")
      ->check(CLI::IsMember({"std", "pro"}))
      ->capture_default_str();
  cmd->add_option("--prompt", args->prompt,
                  "Style keywords, up to 2500 characters (e.g. \"news anchor\", \"smile\")")
      ->check(CLI::Validator(
          [](std::string& v) { return v.size() > 2500 ? "prompt is over 2500 characters" : ""; },
          "TEXT<=2500"));
  cmd->add_option("--seed", args->seed, "Seed for blinks and head motion (same seed, same video)")
      ->capture_default_str();
  cmd->add_option("-o,--output", args->output, "Output MP4 path")->required();
  cmd->add_option("--hls", args->hls,
                  "Also write a live HLS stream of the video while it renders into this directory "
                  "(index.m3u8, init.mp4, seg*.m4s)");
  cmd->add_option("--progress", args->progress,
                  "Progress display: auto (bar on a terminal), bar, json (one line per update on "
                  "stdout), none")
      ->check(CLI::IsMember({"auto", "bar", "json", "none"}))
      ->capture_default_str();
  return {cmd, [args] { return runRender(*args); }};
}

}  // namespace dh::cli
