// POST /v1/audio/tts (text to an audio_id) and GET /v1/general/presets-voices.
#include "core/log.h"
#include "service/http_api.h"
#include "speech/tts.h"

namespace dh::service {

void HttpApi::addTtsRoutes(const std::string& prefix) {
  route(Method::Post, prefix + "/v1/audio/tts", "tts", Dialect::Kling, true,
        [this](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
          const nlohmann::json body = parseJsonObject(req.body);
          const std::string text = optionalString(body, "text");
          const std::string voiceId = optionalString(body, "voice_id");
          const std::string language = optionalString(body, "voice_language");
          double speed = 1.0;
          if (auto it = body.find("voice_speed");
              it != body.end() && !it->is_null() &&
              !(it->is_string() && it->get<std::string>().empty())) {
            if (!it->is_number())
              throw ApiError(ApiCode::InvalidValue, "voice_speed: must be a number from 0.8 to 2.0",
                             "voice_speed");
            speed = it->get<double>();
          }
          if (text.empty()) throw ApiError(ApiCode::InvalidValue, "text: is required", "text");
          const speech::SpeechAudio audio = speech::synthesize(text, voiceId, language, speed);
          const auto wav = speech::encodeWav(audio);
          store::AudioRecord record;
          record.id = store::newId();
          record.accountId = ctx.account.id;
          const std::string name = "audio/" + store::newMediaName();
          record.file = name + ".wav";
          record.seconds = audio.durationSeconds();
          record.source = "tts";
          record.createdAt = store::nowMillis();
          tasks_.media().put(record.file, wav);
          // The synthesiser's phone timing and words travel with the audio: renders from an
          // audio_id use the phones instead of recognising them again, and the words for the
          // head's gestures (a shake on "no", a nod on "yes", a tilt on a question).
          nlohmann::json phones = nlohmann::json::array();
          for (const auto& p : audio.phones) phones.push_back({p.phone, p.start, p.end});
          nlohmann::json words = nlohmann::json::array();
          for (const auto& w : audio.words) words.push_back({w.text, w.trailing, w.start, w.end});
          for (const auto& [suffix, list] :
               {std::pair{".phones.json", &phones}, std::pair{".words.json", &words}}) {
            const std::string text = list->dump();
            tasks_.media().put(
                name + suffix,
                std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
          }
          tasks_.store().putAudio(record);
          core::logger("api")->info("audio {} synthesised: {:.2f} s, voice {}", record.id,
                                    record.seconds, voiceId.empty() ? "(default)" : voiceId);
          char duration[32];
          std::snprintf(duration, sizeof(duration), "%.3f", record.seconds);
          const nlohmann::json audios = nlohmann::json::array(
              {{{"id", record.id}, {"url", tasks_.mediaUrl(record.file)}, {"duration", duration}}});
          sendKling(res, ctx,
                    {{"task_id", record.id},
                     {"task_status", "succeed"},
                     {"task_status_msg", ""},
                     {"task_result", {{"audios", audios}}},
                     {"created_at", record.createdAt},
                     {"updated_at", record.createdAt}});
        });
  route(Method::Get, prefix + "/v1/general/presets-voices", "presets_voices", Dialect::Kling, true,
        [this](const httplib::Request&, httplib::Response& res, RequestContext& ctx) {
          nlohmann::json voices = nlohmann::json::array();
          for (const auto& v : speech::presetVoices()) {
            voices.push_back({{"voice_id", v.id},
                              {"voice_name", v.name},
                              {"voice_language", v.language},
                              {"gender", v.gender}});
          }
          sendKling(res, ctx, {{"voices", voices}});
        });
}

}  // namespace dh::service
