// POST /v1/live/sessions: a live avatar session. The portrait passes the same checks as a task's
// and is analysed once, here; the answer names the WebSocket the session streams on
// (live::LiveHub). Speech is charged per second played, at the mode's rate.
#include <algorithm>
#include <atomic>
#include <cmath>

#include "core/error.h"
#include "core/log.h"
#include "live/live_hub.h"
#include "media/image_decoder.h"
#include "pipeline/frame_source_factory.h"
#include "service/http_api.h"
#include "speech/tts.h"

namespace dh::service {
namespace {

constexpr size_t kMaxPromptChars = 2500;

size_t utf8Chars(const std::string& text) {
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string lowered(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// `liveBase` (--live-public-url) + /v1/live/sessions/ID, else ws(s)://HOST:LIVEPORT/v1/live/...
// from the public URL's scheme and host.
std::string socketUrl(std::string liveBase, const std::string& publicUrl, int port,
                      const std::string& id) {
  if (!liveBase.empty()) {
    while (!liveBase.empty() && liveBase.back() == '/') liveBase.pop_back();
    return liveBase + "/v1/live/sessions/" + id;
  }
  const size_t scheme = publicUrl.find("://");
  const bool secure = publicUrl.rfind("https://", 0) == 0;
  std::string host = scheme == std::string::npos ? publicUrl : publicUrl.substr(scheme + 3);
  host = host.substr(0, host.find('/'));
  // The host without its port (an IPv6 literal keeps its brackets).
  const size_t bracket = host.rfind(']');
  const size_t colon = host.rfind(':');
  if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket))
    host.resize(colon);
  return std::string(secure ? "wss://" : "ws://") + host + ":" + std::to_string(port) +
         "/v1/live/sessions/" + id;
}

}  // namespace

nlohmann::json liveErrorEvent(const std::exception& e) {
  const ApiError error = toApiError(e);
  nlohmann::json event{{"code", error.code()}, {"message", error.what()}};
  if (!error.param().empty()) event["param"] = error.param();
  return event;
}

void HttpApi::addLiveRoutes() {
  if (!live_) return;
  route(
      Method::Post, "/v1/live/sessions", "live_sessions", Dialect::Kling, true,
      [this](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
        const nlohmann::json body = parseJsonObject(req.body);
        const ServiceConfig& config = tasks_.config();
        const store::ApiKey& account = ctx.account;
        if (config.maintenance)
          throw ApiError(ApiCode::Maintenance,
                         "the service is in maintenance and opens no live sessions");
        if (account.disabled)
          throw ApiError(ApiCode::AccountDisabled, "the account of this key is disabled");
        if (account.balance && *account.balance <= 0.0)
          throw ApiError(ApiCode::InsufficientBalance,
                         "balance used up: live sessions are charged per second of speech; "
                         "top up the key's balance");

        std::string modeText = optionalString(body, "mode");
        if (modeText.empty()) modeText = "std";
        const pipeline::Mode mode = pipeline::parseMode(modeText);
        if (("," + account.allowedModes + ",").find("," + modeText + ",") == std::string::npos)
          throw ApiError(
              ApiCode::ModeNotAllowed,
              "this key may not use mode " + modeText + " (allowed: " + account.allowedModes + ")",
              "mode");
        const std::string prompt = optionalString(body, "prompt");
        if (utf8Chars(prompt) > kMaxPromptChars)
          throw ApiError(
              ApiCode::InvalidValue,
              "prompt: must be at most 2500 characters, got " + std::to_string(utf8Chars(prompt)),
              "prompt");
        for (const auto& word : config.blockedPromptWords) {
          if (!word.empty() && lowered(prompt).find(lowered(word)) != std::string::npos)
            throw ApiError(ApiCode::PolicyViolation,
                           "prompt: contains \"" + word + "\", which this service's policy refuses",
                           "prompt");
        }
        const std::string voiceId = optionalString(body, "voice_id");
        if (!voiceId.empty() && !speech::findVoice(voiceId))
          throw ApiError(
              ApiCode::InvalidValue,
              "voice_id: no voice \"" + voiceId + "\"; GET /v1/general/presets-voices lists them",
              "voice_id");
        const std::string image = optionalString(body, "image");
        if (image.empty())
          throw ApiError(ApiCode::InvalidValue, "image: is required (a URL or Base64)", "image");
        try {
          live_->checkCapacity(account.id);
        } catch (const live::LimitReached& e) {
          throw ApiError(ApiCode::TooManyRunningTasks, e.what());
        }

        // The portrait: the task rules (URL, Base64 or upload; JPEG/PNG, size, sides, aspect),
        // then the face checks. The copy made while checking is not kept.
        const std::string key = store::newId();
        const ResolvedInput input = tasks_.inputs().image(image, "image", "live-" + key);
        const std::vector<uint8_t> bytes = tasks_.media().read(input.file);
        if (input.file.rfind("inputs/", 0) == 0) tasks_.media().remove(input.file);
        live::SessionRequest request;
        request.accountId = account.id;
        request.photo = media::decodeImage(bytes, "image");
        request.face = pipeline::analyzePortrait(request.photo);
        request.settings.mode = mode;
        request.settings.prompt = prompt;
        request.settings.voiceId = voiceId;
        request.settings.seed = std::hash<std::string>{}(key);
        const double rate = tasks_.rateFor(modeText);
        auto charges = std::make_shared<std::atomic<int>>(0);
        request.onSpeech = [&store = tasks_.store(), accountId = account.id, key, rate,
                            charges](double seconds) {
          const double units = std::round(seconds * rate * 1000.0) / 1000.0;
          if (units <= 0.0) return;
          try {
            store.chargeUsage(accountId, "live-" + key + "-" + std::to_string(++*charges), units);
          } catch (const std::exception& e) {
            core::logger("live")->error("charging {} units to {}: {}", units, accountId,
                                        core::describe(e));
          }
        };
        const live::CreatedSession created = [&] {
          try {
            return live_->create(std::move(request));
          } catch (const live::LimitReached& e) {
            throw ApiError(ApiCode::TooManyRunningTasks, e.what());
          }
        }();
        core::logger("api")->info("live session {} opened ({}, voice {})", created.id, modeText,
                                  voiceId.empty() ? "(default)" : voiceId);
        sendKling(res, ctx,
                  {{"session_id", created.id},
                   {"ws_url", socketUrl(config.livePublicUrl, tasks_.inputs().publicUrl(),
                                        live_->port(), created.id)},
                   {"expires_at", created.expiresAtMs},
                   {"mode", modeText},
                   {"voice_id", voiceId}});
      });
}

}  // namespace dh::service
