// POST /v1/uploads: stores an image or an audio file (multipart field "file", or the raw body),
// checks it like a submit would, and returns a URL of this server that every input field
// accepts. An audio upload's id is also an audio_id.
#include "core/error.h"
#include "media/audio_decoder.h"
#include "media/image_decoder.h"
#include "media/sniff.h"
#include "service/http_api.h"

namespace dh::service {
namespace {

struct Kind {
  const char* kind;
  const char* extension;
  const char* contentType;
};

Kind kindOf(media::ContentType type) {
  switch (type) {
    case media::ContentType::Jpeg:
      return {"image", ".jpg", "image/jpeg"};
    case media::ContentType::Png:
      return {"image", ".png", "image/png"};
    case media::ContentType::Mp3:
      return {"audio", ".mp3", "audio/mpeg"};
    case media::ContentType::Wav:
      return {"audio", ".wav", "audio/wav"};
    case media::ContentType::Mp4Audio:
      return {"audio", ".m4a", "audio/mp4"};
    case media::ContentType::Aac:
      return {"audio", ".aac", "audio/aac"};
    case media::ContentType::Unknown:
      break;
  }
  return {"", "", ""};
}

}  // namespace

std::string_view fileBody(const httplib::Request& req, const std::string& param,
                          httplib::MultipartFormData& part) {
  std::string_view content = req.body;
  if (req.is_multipart_form_data()) {
    if (!req.has_file("file"))
      throw ApiError(ApiCode::InvalidValue,
                     param + ": a multipart request needs a part named \"file\"", param);
    part = req.get_file_value("file");
    content = part.content;
  }
  if (content.empty())
    throw ApiError(ApiCode::InvalidValue,
                   param + ": the request body is empty; send the file's bytes", param);
  return content;
}

void HttpApi::addUploadRoutes() {
  route(Method::Post, "/v1/uploads", "upload", Dialect::Kling, true,
        [this](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
          httplib::MultipartFormData part;
          const std::string_view content = fileBody(req, "file", part);
          const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(content.data()),
                                               content.size());
          const Kind kind = kindOf(media::sniffContent(bytes));
          if (kind.kind[0] == '\0')
            throw ApiError(ApiCode::InvalidValue,
                           "file: not a JPEG/PNG image or MP3/WAV/M4A/AAC audio (format is read "
                           "from the content)",
                           "file");
          store::UploadRecord upload;
          upload.id = store::newId();
          upload.accountId = ctx.account.id;
          upload.kind = kind.kind;
          upload.contentType = kind.contentType;
          upload.bytes = static_cast<int64_t>(bytes.size());
          upload.file = "uploads/" + store::newMediaName() + kind.extension;
          upload.createdAt = store::nowMillis();
          if (upload.kind == "image") {
            const cv::Mat image = media::decodeImage(bytes, "file");
            upload.width = image.cols;
            upload.height = image.rows;
          } else {
            upload.seconds = media::decodeAudio(bytes, "file").durationSeconds();
          }
          tasks_.media().put(upload.file, bytes);
          tasks_.store().putUpload(upload);
          nlohmann::json data = {{"id", upload.id},
                                 {"object", "upload"},
                                 {"url", tasks_.mediaUrl(upload.file)},
                                 {"kind", upload.kind},
                                 {"content_type", upload.contentType},
                                 {"bytes", upload.bytes},
                                 {"created_at", upload.createdAt}};
          if (upload.kind == "image") {
            data["width"] = upload.width;
            data["height"] = upload.height;
          } else {
            data["duration"] = upload.seconds;
            data["audio_id"] = upload.id;
            tasks_.store().putAudio({upload.id, ctx.account.id, upload.file, upload.seconds,
                                     "upload", upload.createdAt});
          }
          sendKling(res, ctx, std::move(data));
        });
}

}  // namespace dh::service
