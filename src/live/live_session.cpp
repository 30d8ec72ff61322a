#include "live/live_session.h"

#include <sys/resource.h>
#include <unistd.h>
#include <opencv2/imgproc.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

#include "animate/style.h"
#include "core/error.h"
#include "core/log.h"
#include "live/fragment_encoder.h"
#include "live/motion_timeline.h"
#include "live/utterance.h"
#include "media/output_size.h"
#include "render/face_renderer.h"
#include "speech/tts.h"

namespace dh::live {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kSampleRate = 22050;  // the session's sound (the synthesiser's own rate)

// One sentence (or one raw audio clip) of an utterance, to be prepared.
struct Job {
  uint64_t utterance = 0;
  std::string text;          // empty: `audio`
  std::vector<float> audio;  // mono at `audioRate`
  int audioRate = 0;
  bool first = false;
  bool last = false;
};

// A prepared piece, waiting to play. `failed`: nothing to play (its error was sent).
struct Piece {
  uint64_t utterance = 0;
  PreparedSpeech speech;
  bool first = false;
  bool last = false;
  bool failed = false;
};

size_t codePoints(const std::string& text) {
  size_t n = 0;
  for (const char c : text)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace

struct LiveSession::State {
  State(SessionSettings settings_, SessionOutput& output_, ErrorDescriber describe_,
        std::function<void(double)> onSpeech_)
      : settings(std::move(settings_)),
        output(output_),
        describe(std::move(describe_)),
        onSpeech(std::move(onSpeech_)) {}

  SessionSettings settings;
  SessionOutput& output;
  ErrorDescriber describe;
  std::function<void(double)> onSpeech;
  SpeechStyle speechStyle;
  int fps = 25;
  cv::Size size;
  std::unique_ptr<render::FaceRenderer> renderer;
  std::unique_ptr<FragmentEncoder> encoder;
  std::unique_ptr<MotionTimeline> timeline;

  std::mutex mutex;
  std::condition_variable wake;  // jobs, pieces, interrupts, stop
  std::deque<Job> jobs;
  std::deque<Piece> ready;
  uint64_t generation = 0;  // bumped by interrupt: work of an older one is dropped
  uint64_t nextUtterance = 1;
  bool interruptAsked = false;
  bool stopping = false;

  // Raw audio being received (the WebSocket thread only).
  bool receivingAudio = false;
  int audioRate = 0;
  std::vector<uint8_t> audioBytes;

  std::thread renderThread;
  std::thread speechThread;

  void sendError(const std::exception& e, uint64_t utterance = 0) {
    nlohmann::json event = describe(e);
    event["type"] = "error";
    if (utterance) event["utterance"] = utterance;
    output.sendEvent(event);
  }

  void queue(std::vector<Job> more);
  void say(const nlohmann::json& message);
  void interrupt();
  void audioStart(const nlohmann::json& message);
  void audioEnd();
  void prepareLoop();
  void renderLoop();
};

void LiveSession::State::queue(std::vector<Job> more) {
  {
    std::lock_guard lock(mutex);
    // Utterances not yet finished preparing or playing (the one on screen not counted).
    std::set<uint64_t> waiting;
    for (const Job& job : jobs) waiting.insert(job.utterance);
    for (const Piece& piece : ready) waiting.insert(piece.utterance);
    if (waiting.size() >= settings.maxQueued)
      throw core::Error(core::ErrorKind::InvalidInput,
                        "text: " + std::to_string(waiting.size()) +
                            " utterances are waiting to be spoken (at most " +
                            std::to_string(settings.maxQueued) +
                            "); wait for speaking_ended or send interrupt",
                        more.front().text.empty() ? "audio" : "text");
    const uint64_t utterance = nextUtterance++;
    for (Job& job : more) {
      job.utterance = utterance;
      jobs.push_back(std::move(job));
    }
  }
  wake.notify_all();
}

void LiveSession::State::say(const nlohmann::json& message) {
  const auto it = message.find("text");
  if (it == message.end() || !it->is_string() || it->get<std::string>().empty())
    core::throwInvalid("text", "text: is required, a non-empty string");
  const std::string text = it->get<std::string>();
  if (codePoints(text) > speech::kMaxTextChars)
    core::throwInvalid("text", "text: " + std::to_string(codePoints(text)) +
                                   " characters, more than " +
                                   std::to_string(speech::kMaxTextChars));
  const std::vector<std::string> sentences = splitSentences(text);
  if (sentences.empty()) core::throwInvalid("text", "text: holds nothing to say");
  std::vector<Job> more(sentences.size());
  for (size_t i = 0; i < sentences.size(); ++i) {
    more[i].text = sentences[i];
    more[i].first = i == 0;
    more[i].last = i + 1 == sentences.size();
  }
  queue(std::move(more));
}

void LiveSession::State::interrupt() {
  {
    std::lock_guard lock(mutex);
    ++generation;
    jobs.clear();
    ready.clear();
    interruptAsked = true;
  }
  wake.notify_all();
}

void LiveSession::State::audioStart(const nlohmann::json& message) {
  const auto it = message.find("sample_rate");
  if (it == message.end() || !it->is_number_integer() || it->get<int>() < 8000 ||
      it->get<int>() > 48000)
    core::throwInvalid("sample_rate", "sample_rate: must be an integer from 8000 to 48000 (Hz)");
  receivingAudio = true;
  audioRate = it->get<int>();
  audioBytes.clear();
}

void LiveSession::State::audioEnd() {
  if (!receivingAudio) core::throwInvalid("type", "audio_end: no audio_start before it");
  receivingAudio = false;
  Job job;
  job.audioRate = audioRate;
  job.audio.resize(audioBytes.size() / 2);
  for (size_t i = 0; i < job.audio.size(); ++i) {
    const auto sample = static_cast<int16_t>(audioBytes[2 * i] | (audioBytes[2 * i + 1] << 8));
    job.audio[i] = static_cast<float>(sample) / 32768.0f;
  }
  audioBytes.clear();
  if (job.audio.empty())
    core::throwInvalid("audio", "audio: no samples between audio_start and audio_end");
  job.first = job.last = true;
  std::vector<Job> one;
  one.push_back(std::move(job));
  queue(std::move(one));
}

void LiveSession::State::prepareLoop() {
  // Preparing the next sentence must not delay the frames on screen: on a busy machine the
  // drawing and encoding threads go first.
  if (setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10) != 0)
    core::logger("live")->debug("could not lower the speech thread's priority");
  for (;;) {
    Job job;
    uint64_t jobGeneration = 0;
    {
      std::unique_lock lock(mutex);
      wake.wait(lock, [&] { return stopping || !jobs.empty(); });
      if (stopping) return;
      job = std::move(jobs.front());
      jobs.pop_front();
      jobGeneration = generation;
    }
    Piece piece;
    piece.utterance = job.utterance;
    piece.first = job.first;
    piece.last = job.last;
    try {
      SpeechStyle style = speechStyle;
      style.seed = speechStyle.seed + job.utterance * 1000;
      piece.speech = job.text.empty() ? prepareAudio(job.audio, job.audioRate, style)
                                      : prepareText(job.text, style);
    } catch (const std::exception& e) {
      piece.failed = true;
      sendError(e, job.utterance);
    }
    {
      std::lock_guard lock(mutex);
      if (jobGeneration != generation) continue;  // interrupted meanwhile
      ready.push_back(std::move(piece));
    }
    wake.notify_all();
  }
}

void LiveSession::State::renderLoop() {
  auto log = core::logger("live");
  const int spf = encoder->samplesPerFrame();
  const std::vector<float> silence(static_cast<size_t>(spf), 0.0f);
  const std::chrono::duration<double> frameTime(1.0 / fps);
  const auto lead = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(settings.leadSeconds));
  cv::Mat frame(size, CV_8UC3);
  Clock::time_point start = Clock::now();
  int64_t index = 0;
  int framesInFragment = 0;

  // The utterance playing and the piece of it on screen.
  uint64_t utterance = 0;
  std::optional<Piece> piece;
  size_t pieceFrame = 0;     // frames of the piece drawn so far
  double utteranceAt = 0.0;  // media time of the utterance's first frame
  double spokenSeconds = 0.0;

  auto sendFragment = [&] {
    std::vector<uint8_t> bytes = encoder->cutFragment();
    framesInFragment = 0;
    if (!bytes.empty()) output.sendBinary(std::move(bytes));
  };
  auto endUtterance = [&](bool interrupted, double at) {
    nlohmann::json event{{"type", "speaking_ended"},
                         {"utterance", utterance},
                         {"at", at},
                         {"speech_seconds", spokenSeconds},
                         {"interrupted", interrupted}};
    utterance = 0;
    spokenSeconds = 0.0;
    return event;
  };
  auto billPiece = [&] {
    const double seconds = static_cast<double>(pieceFrame) / fps;
    spokenSeconds += std::min(seconds, piece->speech.seconds);
    if (onSpeech && seconds > 0) onSpeech(seconds);
  };

  while (true) {
    const auto due = start + std::chrono::duration_cast<Clock::duration>(frameTime * index) - lead;
    std::optional<nlohmann::json> before, after;
    {
      std::unique_lock lock(mutex);
      wake.wait_until(lock, due, [&] { return stopping || interruptAsked; });
      if (stopping) return;
      if (interruptAsked) {
        interruptAsked = false;
        if (piece) {
          billPiece();
          piece.reset();
        }
        if (utterance) after = endUtterance(true, encoder->frameTime(index));
        timeline->listen();
      }
      if (!after && !piece && !ready.empty()) {
        Piece next = std::move(ready.front());
        ready.pop_front();
        if (next.failed) {
          if (next.last && utterance) after = endUtterance(false, encoder->frameTime(index));
        } else {
          if (next.first) {
            utterance = next.utterance;
            utteranceAt = encoder->frameTime(index);
            before = nlohmann::json{
                {"type", "speaking_started"}, {"utterance", utterance}, {"at", utteranceAt}};
          }
          timeline->play(next.speech.plan);
          // Whole frames of sound: the last one is padded with silence.
          next.speech.samples.resize(next.speech.plan.size() * static_cast<size_t>(spf), 0.0f);
          piece = std::move(next);
          pieceFrame = 0;
        }
      }
    }
    if (after) {
      // Interrupted (or its last sentence failed): what was drawn goes out, then the event.
      sendFragment();
      output.sendEvent(*after);
      after.reset();
    }
    if (before) {
      // The utterance starts a fragment of its own, sent as soon as it is full.
      sendFragment();
      output.sendEvent(*before);
    }
    if (Clock::now() > due + std::chrono::seconds(1)) {
      log->warn("live session fell {:.2f} s behind real time; skipping ahead",
                std::chrono::duration<double>(Clock::now() - due).count());
      start = Clock::now() - std::chrono::duration_cast<Clock::duration>(frameTime * index);
    }

    const animate::FaceParams params = timeline->next();
    std::span<const float> samples(silence);
    if (piece) {
      samples = std::span<const float>(piece->speech.samples.data() + pieceFrame * spf,
                                       static_cast<size_t>(spf));
      ++pieceFrame;
    }
    renderer->render(params, frame, index > 0);
    encoder->addFrame(frame, samples, renderer->headRegion());
    ++index;
    ++framesInFragment;

    if (piece && pieceFrame >= piece->speech.plan.size()) {
      billPiece();
      const bool last = piece->last;
      piece.reset();
      if (last) after = endUtterance(false, encoder->frameTime(index));
    }
    if (after || framesInFragment >= settings.fragmentFrames) sendFragment();
    if (after) output.sendEvent(*after);
  }
}

LiveSession::LiveSession(const cv::Mat& photo, const face::FaceAnalysis& face,
                         SessionSettings settings, SessionOutput& output, ErrorDescriber describe,
                         std::function<void(double)> onSpeech)
    : state_(std::make_unique<State>(std::move(settings), output, std::move(describe),
                                     std::move(onSpeech))) {
  State& s = *state_;
  const pipeline::ModeSettings mode = pipeline::settingsFor(s.settings.mode);
  s.fps = mode.fps;
  s.size = media::outputSizeFor(photo.size(), mode.shortSide);
  cv::Mat still;
  cv::resize(photo, still, s.size, 0, 0, cv::INTER_AREA);
  render::RendererOptions options;
  options.quality =
      s.settings.mode == pipeline::Mode::Pro ? render::Quality::Pro : render::Quality::Standard;
  s.renderer = std::make_unique<render::FaceRenderer>(still, face::scaledTo(face, s.size), options);
  FragmentSettings video;
  video.size = s.size;
  video.fps = s.fps;
  video.sampleRate = kSampleRate;
  video.crf = mode.crf;
  s.encoder = std::make_unique<FragmentEncoder>(video);
  animate::Style style = animate::styleFromPrompt(s.settings.prompt);
  style.zoomStart = style.zoomEnd = 1.0f;  // a live picture has no length to zoom over
  s.timeline = std::make_unique<MotionTimeline>(style, s.settings.seed,
                                                TimelineSettings{s.fps, 12.0, 0.8, 0.08});
  s.speechStyle.style = style;
  s.speechStyle.voiceId = s.settings.voiceId;
  s.speechStyle.fps = s.fps;
  s.speechStyle.sampleRate = kSampleRate;
  s.speechStyle.seed = s.settings.seed;
}

LiveSession::~LiveSession() {
  State& s = *state_;
  {
    std::lock_guard lock(s.mutex);
    s.stopping = true;
  }
  s.wake.notify_all();
  if (s.renderThread.joinable()) s.renderThread.join();
  if (s.speechThread.joinable()) s.speechThread.join();
}

void LiveSession::start() {
  State& s = *state_;
  s.output.sendBinary(s.encoder->initSegment());
  s.speechThread = std::thread([&s] { s.prepareLoop(); });
  s.renderThread = std::thread([&s] {
    try {
      s.renderLoop();
    } catch (const std::exception& e) {
      core::logger("live")->error("live session stopped: {}", core::describe(e));
      s.sendError(e);
      s.output.close("the session stopped: internal error");
    }
  });
}

void LiveSession::onText(const std::string& message) {
  State& s = *state_;
  try {
    nlohmann::json body;
    try {
      body = nlohmann::json::parse(message);
    } catch (const nlohmann::json::exception&) {
      core::throwInvalid("type", "message: not JSON; send {\"type\": \"say\", \"text\": ...}");
    }
    if (!body.is_object() || !body.contains("type") || !body["type"].is_string())
      core::throwInvalid("type", "type: is required (say, interrupt, audio_start, audio_end)");
    const std::string type = body["type"];
    if (type == "say")
      s.say(body);
    else if (type == "interrupt")
      s.interrupt();
    else if (type == "audio_start")
      s.audioStart(body);
    else if (type == "audio_end")
      s.audioEnd();
    else
      core::throwInvalid(
          "type", "type: \"" + type + "\" is not one of say, interrupt, audio_start, audio_end");
  } catch (const std::exception& e) {
    s.sendError(e);
  }
}

void LiveSession::onBinary(std::span<const uint8_t> bytes) {
  State& s = *state_;
  try {
    if (!s.receivingAudio)
      core::throwInvalid("audio", "audio: binary messages are audio, sent after audio_start");
    const double limit = s.settings.maxAudioSeconds * s.audioRate * 2;
    if (static_cast<double>(s.audioBytes.size() + bytes.size()) > limit) {
      s.receivingAudio = false;
      s.audioBytes.clear();
      core::throwInvalid("audio", "audio: longer than " +
                                      std::to_string(static_cast<int>(s.settings.maxAudioSeconds)) +
                                      " s; the clip is dropped");
    }
    s.audioBytes.insert(s.audioBytes.end(), bytes.begin(), bytes.end());
  } catch (const std::exception& e) {
    s.sendError(e);
  }
}

cv::Size LiveSession::frameSize() const {
  return state_->size;
}

int LiveSession::fps() const {
  return state_->fps;
}

}  // namespace dh::live
