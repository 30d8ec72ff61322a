#pragma once
// A live HLS stream of already encoded packets: an EVENT playlist ("index.m3u8") of
// fragmented-MP4 segments ("seg00000.m4s", ...) after one initialisation segment ("init.mp4"),
// all in one directory. The packets are the ones the MP4 file receives (nothing is encoded
// twice); the MP4 muxer's fragmenting options cut them into segments here, at video packets, so
// the first segment can be shorter than the rest. Every file appears whole (written under a
// temporary name and renamed), and the playlist only grows until it ends with #EXT-X-ENDLIST.
//
// Segments follow each other in one decoding sequence: a segment need not start on a keyframe
// (the MP4's keyframe spacing is kept), so players start at the beginning (#EXT-X-START).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

extern "C" {
#include <libavcodec/avcodec.h>
}

namespace dh::media {

struct HlsSettings {
  std::string directory;             // created when missing; empty = no stream
  double firstSegmentSeconds = 0.2;  // the first segment, short so playback starts early
  double segmentSeconds = 1.5;       // every later segment (cut at the first frame after it)
};

struct HlsStreamInfo {
  const AVCodecParameters* codec = nullptr;  // copied
  AVRational timeBase{1, 1};                 // of the packets given to writePacket()
  int64_t packetDuration = 0;  // in timeBase, for packets that carry none (video: one frame)
  // How far below zero the stream's timestamps start, in timeBase (video: the B-frame delay,
  // audio: the encoder's priming samples). Fragmented MP4 holds no negative times, so every
  // stream is moved later by the largest of these, the same for all: the sound stays in sync.
  int64_t leadIn = 0;
};

class HlsWriter {
 public:
  // Writes "init.mp4" at once; the playlist appears with the first segment. streams[0] must be
  // the video stream (segments are cut at its packets).
  HlsWriter(const HlsSettings& settings, const std::vector<HlsStreamInfo>& streams);
  // An unfinished stream is ended as finish() does, errors ignored.
  ~HlsWriter();
  HlsWriter(const HlsWriter&) = delete;
  HlsWriter& operator=(const HlsWriter&) = delete;

  // Appends a copy of `packet` (its stream_index selects the stream; timestamps in that stream's
  // timeBase).
  void writePacket(const AVPacket& packet);
  // Publishes the last segment and ends the playlist with #EXT-X-ENDLIST. Also what a failed
  // render does with the packets it has: the stream ends cleanly where they end.
  void finish();
  // Stops writing without ending the playlist (the render is handed to another worker, which
  // resumes the stream).
  void leaveOpen();

  // Resuming (the directory holds the open stream of an earlier writer that stopped, e.g. in a
  // worker that died): the video time in seconds where its segments end, else 0. The earlier
  // segments and playlist lines stay exactly as they are; packets before this time are dropped
  // and the first one written must be a video keyframe showing exactly at it (the encoder forces
  // one there), after #EXT-X-DISCONTINUITY and a new initialisation segment ("init-N.mp4").
  // Segment numbers are never reused, so no URL ever names two different files.
  double resumeSeconds() const;
  // False when there is nothing to write: the directory already holds a whole stream.
  bool active() const;

  // Ends the open stream in `directory` with #EXT-X-ENDLIST, as it is (a task given up on after
  // its workers kept dying). False when there is no playlist or it has ended already.
  static bool endStream(const std::string& directory);

  int segmentsWritten() const;
  int64_t videoPacketsWritten() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace dh::media
