#include "live_client.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "media/base64.h"
#include "support/process.h"
#include "support/test_paths.h"

namespace dh::test {

httplib::Result openLiveSession(ServeProcess& server, const std::string& key,
                                const std::string& face, nlohmann::json extra) {
  nlohmann::json body = extra.is_object() ? extra : nlohmann::json::object();
  if (!body.contains("image")) body["image"] = media::encodeBase64(readData(face));
  auto client = server.client();
  return postJson(client, "/v1/live/sessions", key, body);
}

LiveClient::LiveClient(const std::string& wsUrl)
    : socket_(std::make_unique<WebSocketClient>(wsUrl)) {}

LiveClock::time_point LiveClient::send(const nlohmann::json& message) {
  socket_->sendText(message.dump());
  return LiveClock::now();
}

bool LiveClient::readUntil(const std::function<bool(const SocketMessage&)>& stop, double seconds) {
  const auto end = LiveClock::now() + std::chrono::duration_cast<LiveClock::duration>(
                                          std::chrono::duration<double>(seconds));
  while (LiveClock::now() < end) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - LiveClock::now());
    auto message = socket_->next(std::max(left, std::chrono::milliseconds(1)));
    if (!message) {
      if (socket_->closed()) return false;
      continue;
    }
    messages_.push_back(std::move(*message));
    if (stop(messages_.back())) return true;
  }
  return false;
}

nlohmann::json LiveClient::waitForEvent(const std::string& type, double seconds) {
  nlohmann::json found;
  readUntil(
      [&](const SocketMessage& m) {
        const nlohmann::json event = eventOf(m);
        if (!event.is_object() || event.value("type", "") != type) return false;
        found = event;
        return true;
      },
      seconds);
  return found;
}

void LiveClient::writeStream(const std::string& path) const {
  std::ofstream out(path, std::ios::binary);
  for (const SocketMessage& m : messages_)
    if (m.binary) out.write(m.payload.data(), static_cast<std::streamsize>(m.payload.size()));
}

nlohmann::json eventOf(const SocketMessage& message) {
  if (message.binary) return nullptr;
  return nlohmann::json::parse(message.payload, nullptr, false);
}

std::vector<float> decodeAudio(const std::string& path, int rate) {
  const ProcessResult r = runProcess({"/usr/bin/ffmpeg", "-v", "error", "-i", path, "-map", "0:a:0",
                                      "-ac", "1", "-ar", std::to_string(rate), "-f", "f32le", "-"});
  if (r.exitCode != 0) throw std::runtime_error("ffmpeg could not decode " + path + ": " + r.err);
  std::vector<float> samples(r.out.size() / sizeof(float));
  std::memcpy(samples.data(), r.out.data(), samples.size() * sizeof(float));
  return samples;
}

std::pair<double, double> loudSpan(const std::vector<float>& samples, int rate, double threshold) {
  const size_t window = static_cast<size_t>(rate / 100);
  double first = -1.0, last = -1.0;
  for (size_t start = 0; start + window <= samples.size(); start += window) {
    double sum = 0.0;
    for (size_t i = start; i < start + window; ++i) sum += samples[i] * samples[i];
    if (std::sqrt(sum / window) < threshold) continue;
    if (first < 0) first = static_cast<double>(start) / rate;
    last = static_cast<double>(start + window) / rate;
  }
  return {first, last};
}

}  // namespace dh::test
