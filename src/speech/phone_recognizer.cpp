#include "speech/phone_recognizer.h"

#include <pocketsphinx.h>
#include <sphinxbase/err.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/log.h"

namespace dh::speech {
namespace {

struct DecoderDeleter {
  void operator()(ps_decoder_t* decoder) const { ps_free(decoder); }
};
using DecoderPtr = std::unique_ptr<ps_decoder_t, DecoderDeleter>;

constexpr double kFrameSeconds = 0.01;  // PocketSphinx's frame rate is 100 per second

std::string formatDouble(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

DecoderPtr makeDecoder(const PhoneRecognizerConfig& config) {
  namespace fs = std::filesystem;
  const fs::path root(config.modelDir);
  const fs::path hmm = root / "en-us";
  const fs::path phoneLm = root / "en-us-phone.lm.bin";
  for (const fs::path& needed : {hmm, phoneLm}) {
    if (!fs::exists(needed)) {
      throw core::Error(core::ErrorKind::Internal,
                        "PocketSphinx model missing: " + needed.string() +
                            " (install the pocketsphinx-en-us package)");
    }
  }
  const std::string beam = formatDouble(config.beam);
  const std::string phoneBeam = formatDouble(config.phoneBeam);
  const std::string lw = formatDouble(config.languageWeight);
  const std::string topn = std::to_string(config.topGaussians);
  const std::string ds = std::to_string(std::max(1, config.frameSkip));
  const std::string maxHmm = std::to_string(config.maxHmmsPerFrame);
  // clang-format off
  const std::vector<const char*> argv = {
      "-hmm", hmm.c_str(),
      "-allphone", phoneLm.c_str(),
      "-allphone_ci", config.contextIndependent ? "yes" : "no",
      "-beam", beam.c_str(),
      "-pbeam", phoneBeam.c_str(),
      "-lw", lw.c_str(),
      "-topn", topn.c_str(),
      "-ds", ds.c_str(),
      "-maxhmmpf", maxHmm.c_str(),
      "-remove_silence", "no",  // keep every frame: dropping silence would shift the times
      "-logfn", "/dev/null",
  };
  // clang-format on

  // The parser copies what it needs; the strings only have to outlive the call.
  cmd_ln_t* args = cmd_ln_parse_r(nullptr, ps_args(), static_cast<int32>(argv.size()),
                                  const_cast<char**>(argv.data()), TRUE);
  if (args == nullptr) {
    throw core::Error(core::ErrorKind::Internal, "PocketSphinx rejected its configuration");
  }
  DecoderPtr decoder(ps_init(args));
  cmd_ln_free_r(args);  // the decoder holds its own reference
  if (!decoder) {
    throw core::Error(core::ErrorKind::Internal,
                      "PocketSphinx could not load the model in " + config.modelDir);
  }
  return decoder;
}

// A fresh decoder per call: loading takes ~20 ms (the model files are memory-mapped), and a
// reused decoder carries cepstral-mean state from the previous clip, which changes the result.
// Loading is serialised because sphinxbase's logging and argument parsing are process-global.
DecoderPtr loadDecoder(const PhoneRecognizerConfig& config) {
  static std::mutex loadMutex;
  std::lock_guard lock(loadMutex);
  err_set_logfp(nullptr);
  return makeDecoder(config);
}

std::vector<int16_t> toPcm16(const std::vector<float>& mono) {
  std::vector<int16_t> pcm(mono.size());
  std::transform(mono.begin(), mono.end(), pcm.begin(), [](float s) {
    return static_cast<int16_t>(std::lround(std::clamp(s, -1.0f, 1.0f) * 32767.0f));
  });
  return pcm;
}

}  // namespace

std::vector<TimedPhone> recognizePhones(const std::vector<float>& mono16k,
                                        const PhoneRecognizerConfig& config) {
  const std::vector<int16_t> pcm = toPcm16(mono16k);
  const DecoderPtr decoder = loadDecoder(config);
  ps_decoder_t* ps = decoder.get();
  if (ps_start_utt(ps) < 0) {
    throw core::Error(core::ErrorKind::Internal, "PocketSphinx could not start an utterance");
  }
  // full_utt = TRUE: the whole clip at once, so cepstral mean normalisation sees all of it.
  if (ps_process_raw(ps, pcm.data(), pcm.size(), FALSE, TRUE) < 0) {
    ps_end_utt(ps);
    throw core::Error(core::ErrorKind::Internal, "PocketSphinx failed to decode the audio");
  }
  ps_end_utt(ps);

  std::vector<TimedPhone> phones;
  for (ps_seg_t* seg = ps_seg_iter(ps); seg != nullptr; seg = ps_seg_next(seg)) {
    int startFrame = 0;
    int endFrame = 0;
    ps_seg_frames(seg, &startFrame, &endFrame);
    const char* word = ps_seg_word(seg);
    TimedPhone phone;
    phone.phone = word != nullptr ? word : "SIL";
    phone.start = startFrame * kFrameSeconds;
    phone.end = (endFrame + 1) * kFrameSeconds;
    phones.push_back(std::move(phone));
  }
  core::logger("speech")->debug("recognised {} phones in {:.2f} s of audio", phones.size(),
                                mono16k.size() / 16000.0);
  return phones;
}

}  // namespace dh::speech
