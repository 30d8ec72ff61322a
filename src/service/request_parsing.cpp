// Request bodies of both dialects as validated SubmitRequests: pure functions of the body text,
// with no HTTP or store types, so they can be fuzzed on their own.
#include <algorithm>
#include <cmath>
#include <string>

#include "service/http_api.h"

namespace dh::service {
namespace {

size_t utf8Length(const std::string& text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

std::string modelForMode(const std::string& mode) {
  return mode == "pro" ? "kling-avatar-v2-pro" : "kling-avatar-v2-standard";
}

std::optional<std::string> modeForModel(const std::string& model) {
  if (model == "kling-avatar-v2-standard") return "std";
  if (model == "kling-avatar-v2-pro") return "pro";
  return std::nullopt;
}

size_t jsonNestingDepth(const std::string& text) {
  size_t depth = 0, deepest = 0;
  bool inString = false, escaped = false;
  for (char c : text) {
    if (inString) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        inString = false;
      }
    } else if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

nlohmann::json parseJsonObject(const std::string& body) {
  if (const size_t depth = jsonNestingDepth(body); depth > kMaxJsonDepth)
    throw ApiError(ApiCode::InvalidRequest, "invalid request: the JSON nests " +
                                                std::to_string(depth) + " levels deep; at most " +
                                                std::to_string(kMaxJsonDepth) + " are accepted");
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_discarded())
    throw ApiError(ApiCode::InvalidRequest, "invalid request: the body is not valid JSON");
  if (!parsed.is_object())
    throw ApiError(ApiCode::InvalidRequest, "invalid request: the body must be a JSON object");
  return parsed;
}

std::string optionalString(const nlohmann::json& body, const std::string& field) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return {};
  if (!it->is_string()) throw ApiError(ApiCode::InvalidValue, field + ": must be a string", field);
  return it->get<std::string>();
}

SubmitRequest parseKlingSubmit(const nlohmann::json& body) {
  SubmitRequest r;
  r.dialect = Dialect::Kling;
  r.image = optionalString(body, "image");
  r.audioId = optionalString(body, "audio_id");
  r.soundFile = optionalString(body, "sound_file");
  r.prompt = optionalString(body, "prompt");
  r.mode = optionalString(body, "mode");
  r.callbackUrl = optionalString(body, "callback_url");
  r.externalTaskId = optionalString(body, "external_task_id");
  if (r.image.empty())
    throw ApiError(ApiCode::InvalidValue, "image: is required (a URL or Base64)", "image");
  if (r.audioId.empty() == r.soundFile.empty())
    throw ApiError(ApiCode::InvalidValue,
                   r.audioId.empty()
                       ? "audio_id / sound_file: exactly one must be set; both are empty"
                       : "audio_id / sound_file: exactly one must be set; both are set",
                   r.audioId.empty() ? "sound_file" : "audio_id");
  if (utf8Length(r.prompt) > 2500)
    throw ApiError(
        ApiCode::InvalidValue,
        "prompt: must be at most 2500 characters, got " + std::to_string(utf8Length(r.prompt)),
        "prompt");
  if (r.mode.empty()) r.mode = "std";
  if (r.mode != "std" && r.mode != "pro")
    throw ApiError(ApiCode::InvalidValue, "mode: must be std or pro, got \"" + r.mode + "\"",
                   "mode");
  if (!r.callbackUrl.empty() && r.callbackUrl.rfind("http://", 0) != 0 &&
      r.callbackUrl.rfind("https://", 0) != 0)
    throw ApiError(ApiCode::InvalidValue, "callback_url: must be an http or https URL",
                   "callback_url");
  if (r.externalTaskId.size() > 128)
    throw ApiError(ApiCode::InvalidValue, "external_task_id: must be at most 128 characters",
                   "external_task_id");
  if (auto it = body.find("watermark_info");
      it != body.end() && !it->is_null() && !(it->is_string() && it->get<std::string>().empty())) {
    if (!it->is_object())
      throw ApiError(ApiCode::InvalidValue,
                     "watermark_info: must be an object like {\"enabled\": true}",
                     "watermark_info");
    auto enabled = it->find("enabled");
    if (enabled != it->end() && !enabled->is_boolean())
      throw ApiError(ApiCode::InvalidValue, "watermark_info.enabled: must be true or false",
                     "watermark_info");
    r.watermark = enabled != it->end() && enabled->get<bool>();
  }
  return r;
}

SubmitRequest parseUnifiedSubmit(const nlohmann::json& body) {
  SubmitRequest r;
  r.dialect = Dialect::Unified;
  r.model = optionalString(body, "model");
  r.image = optionalString(body, "image_url");
  r.soundFile = optionalString(body, "audio_url");
  r.prompt = optionalString(body, "prompt");
  r.callbackUrl = optionalString(body, "callback_url");
  r.externalTaskId = optionalString(body, "external_task_id");
  if (r.model.empty())
    throw ApiError(ApiCode::InvalidValue,
                   "model: is required (kling-avatar-v2-standard or kling-avatar-v2-pro)", "model");
  const auto mode = modeForModel(r.model);
  if (!mode)
    throw ApiError(ApiCode::NotFound,
                   "model: no such model \"" + r.model +
                       "\"; use kling-avatar-v2-standard or kling-avatar-v2-pro",
                   "model");
  r.mode = *mode;
  if (r.image.empty()) throw ApiError(ApiCode::InvalidValue, "image_url: is required", "image_url");
  if (r.soundFile.empty())
    throw ApiError(ApiCode::InvalidValue, "audio_url: is required", "audio_url");
  auto seconds = body.find("audio_duration_seconds");
  if (seconds == body.end() || seconds->is_null())
    throw ApiError(ApiCode::InvalidValue,
                   "audio_duration_seconds: is required (the audio's length in seconds; the cost "
                   "estimate uses it)",
                   "audio_duration_seconds");
  double value = 0;
  if (seconds->is_number()) {
    value = seconds->get<double>();
  } else if (seconds->is_string()) {
    try {
      size_t used = 0;
      value = std::stod(seconds->get<std::string>(), &used);
      if (used != seconds->get<std::string>().size()) value = NAN;
    } catch (const std::exception&) {
      value = NAN;
    }
  } else {
    value = NAN;
  }
  if (!std::isfinite(value) || value <= 0)
    throw ApiError(ApiCode::InvalidValue,
                   "audio_duration_seconds: must be a positive number of seconds",
                   "audio_duration_seconds");
  r.declaredAudioSeconds = value;
  size_t promptChars = 0;
  for (unsigned char c : r.prompt) promptChars += (c & 0xC0) != 0x80;
  if (promptChars > 2500)
    throw ApiError(ApiCode::InvalidValue,
                   "prompt: must be at most 2500 characters, got " + std::to_string(promptChars),
                   "prompt");
  if (!r.callbackUrl.empty() && r.callbackUrl.rfind("http://", 0) != 0 &&
      r.callbackUrl.rfind("https://", 0) != 0)
    throw ApiError(ApiCode::InvalidValue, "callback_url: must be an http or https URL",
                   "callback_url");
  return r;
}

}  // namespace dh::service
