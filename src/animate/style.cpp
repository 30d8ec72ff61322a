#include "animate/style.h"

#include <algorithm>
#include <cstdio>

#include "animate/prompt_match.h"

namespace dh::animate {
namespace {

using prompt::find;
using prompt::kNowhere;
using prompt::Match;
using prompt::Words;

// A kind of word in a group: its name as reported and its match in the prompt.
struct Kind {
  const char* name;
  Match match;
};

// The kind whose word comes first in the text (nullptr when none is found); a negated kind is
// reported as "<group>:no_<name>".
const Kind* firstOf(const std::vector<Kind>& kinds, const char* group,
                    std::vector<std::string>& applied) {
  const Kind* chosen = nullptr;
  for (const Kind& k : kinds) {
    if (k.match.found() && (!chosen || k.match.pos < chosen->match.pos)) chosen = &k;
    if (k.match.negated) applied.push_back(std::string(group) + ":no_" + k.name);
  }
  return chosen;
}

// A direction-less word counts only when no directed one is there ("pan" in "pan left").
Match orDefault(const Match& directed, const Match& other, const Match& bare) {
  if (directed.found() || directed.negated || other.found() || other.negated) return directed;
  return bare;
}

std::string amount(const char* name, float value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "expression:%s(%.2f)", name, value);
  return buffer;
}

void readEnergy(std::string_view text, PromptReading& out) {
  const Match calm =
      find(text, {"stable",   "steady",    "still", "calm",     "formal",     "serious",
                  "composed", "relaxed",   "quiet", "soothing", "restrained", "news anchor",
                  "anchor",   "presenter", "平静",  "沉稳",     "稳重",       "严肃",
                  "正式",     "冷静",      "安静",  "淡定",     "平和"});
  const Match lively = find(
      text, {"excited", "energetic", "lively", "enthusiastic", "animated", "dynamic", "passionate",
             "expressive", "upbeat", "vibrant", "热情", "兴奋", "活泼", "生动", "激动", "活力"});
  Style& style = out.style;
  if (calm.found() && calm.pos < lively.pos) {
    style.headMotion = 0.45f;
    style.nods = 0.5f;
    style.blinkInterval = 1.1f;
    out.applied.push_back("energy:calm");
  } else if (lively.found()) {
    style.headMotion = 1.6f;
    style.nods = 1.5f;
    style.jaw = 1.1f;
    style.blinkInterval = 0.88f;
    out.applied.push_back("energy:lively");
  }
}

void readExpression(std::string_view text, PromptReading& out) {
  const std::vector<Kind> kinds = {
      {"smile",
       find(text, {"smile", "smiling",  "smiles",   "grin",   "grinning", "beaming",   "warm",
                   "happy", "friendly", "cheerful", "joyful", "pleasant", "welcoming", "微笑",
                   "笑容",  "开心",     "温暖",     "友好",   "亲切",     "和蔼"})},
      {"serious", find(text, {"serious", "stern", "solemn", "grave", "strict", "businesslike",
                              "formal tone", "严肃", "认真", "严厉"})},
      {"confident", find(text, {"confident", "assertive", "authoritative", "self-assured", "poised",
                                "determined", "自信", "坚定"})},
      {"surprised", find(text, {"surprised", "surprise", "amazed", "astonished", "shocked",
                                "amazement", "惊讶", "吃惊", "震惊", "意外"})},
      {"concerned",
       find(text, {"concerned", "worried", "sad", "sympathetic", "sorrowful", "unhappy", "upset",
                   "anxious", "melancholy", "担心", "难过", "悲伤", "伤心", "忧虑", "忧伤"})},
      {"neutral", find(text, {"neutral", "no expression", "expressionless", "deadpan", "中性",
                              "无表情", "平淡"})},
  };
  const Kind* chosen = firstOf(kinds, "expression", out.applied);
  if (!chosen) return;
  Style& style = out.style;
  const std::string_view name = chosen->name;
  const float k = chosen->match.strength;
  if (name == "smile") {
    style.smile = std::min(1.0f, 0.5f * k);
    out.applied.push_back(amount("smile", style.smile));
  } else if (name == "serious") {
    style.headPitch = 1.0f * k;
    out.applied.push_back(amount("serious", std::min(1.0f, 0.5f * k)));
  } else if (name == "confident") {
    style.headPitch = -2.5f * k;
    style.smile = std::min(1.0f, 0.35f * k);
    out.applied.push_back(amount("confident", std::min(1.0f, 0.5f * k)));
  } else if (name == "surprised") {
    style.browLift = std::min(1.0f, 0.6f * k);
    out.applied.push_back(amount("surprised", style.browLift));
  } else if (name == "concerned") {
    style.frown = std::min(1.0f, 0.5f * k);
    style.browLift = std::min(1.0f, 0.25f * k);
    style.headPitch = 2.5f * k;
    style.headRoll = 2.0f * k;
    out.applied.push_back(amount("concerned", style.frown));
  } else {
    out.applied.push_back("expression:neutral");
  }
}

// Moves (stable, push_in, pull_out, pan_left, pan_right) and the handheld shake are one group:
// the first word wins, except that the shake combines with a move.
void readCamera(std::string_view text, PromptReading& out) {
  Match stable = find(text, {"stable camera", "static camera", "locked-off",
                             "locked off",    "fixed camera",  "still camera",
                             "steady camera", "stable shot",   "stable frontal shot",
                             "static shot",   "fixed shot",    "steady shot",
                             "tripod",        "固定镜头",      "稳定镜头",
                             "镜头稳定",      "镜头固定",      "静止镜头",
                             "固定机位",      "机位固定",      "镜头不动"});
  // "no camera movement" asks for a still camera: a negation that is a word of its own.
  for (std::string_view phrase :
       {"no camera movement", "without camera movement", "no camera motion",
        "without camera motion", "no camera moves", "不要运镜", "无运镜", "没有运镜"}) {
    stable.pos = std::min(stable.pos, text.find(phrase));
  }
  const Match zoomIn =
      find(text, {"zoom in", "zooms in", "zooming in", "push in", "push-in", "pushes in",
                  "pushing in", "dolly in", "dolly-in", "move in", "moves in", "close in",
                  "closes in", "closing in", "推近", "推进", "拉近", "推镜头"});
  const Match zoomOut = find(text, {"zoom out", "zooms out", "zooming out", "pull out", "pull-out",
                                    "pulls out", "pull back", "pulls back", "pulling back",
                                    "dolly out", "dolly-out", "拉远", "拉镜头", "后拉"});
  const Match bareZoom = find(text, {"zoom", "slow zoom", "zooming", "dolly", "镜头推"});
  const Match left = find(text, {"pan left", "pans left", "panning left", "pan to the left",
                                 "pans to the left", "panning to the left", "drift left",
                                 "drifts left", "drifting left", "drift to the left", "track left",
                                 "truck left", "向左平移", "镜头左移", "左移", "向左摇", "左摇"});
  const Match right =
      find(text, {"pan right", "pans right", "panning right", "pan to the right",
                  "pans to the right", "panning to the right", "drift right", "drifts right",
                  "drifting right", "drift to the right", "track right", "truck right", "向右平移",
                  "镜头右移", "右移", "向右摇", "右摇"});
  const Match barePan = find(
      text, {"pan", "pans", "panning", "slow pan", "drift", "drifts", "drifting", "camera drift",
             "tracking shot", "lateral move", "平移", "摇镜头", "横移", "镜头平移", "漂移"});
  const Match handheld =
      find(text, {"handheld", "hand-held", "hand held", "shaky camera", "shaky cam", "shakycam",
                  "camera shake", "natural shake", "documentary style", "vlog style", "手持",
                  "晃动", "镜头晃动"});
  const std::vector<Kind> moves = {
      {"stable", stable}, {"push_in", orDefault(zoomIn, zoomOut, bareZoom)}, {"pull_out", zoomOut},
      {"pan_left", left}, {"pan_right", orDefault(right, left, barePan)},
  };
  const Kind* move = firstOf(moves, "camera", out.applied);
  if (handheld.negated) out.applied.push_back("camera:no_handheld");
  const bool shake = handheld.found() && (!stable.found() || handheld.pos < stable.pos);
  if (shake && move && move->name == std::string_view("stable")) move = nullptr;

  Style& style = out.style;
  if (move) {
    const std::string_view name = move->name;
    const float k = std::min(1.0f, move->match.strength);
    if (name == "push_in" || name == "pull_out") {
      const float zoom = 1.0f + 0.15f * k;
      style.zoomStart = name == "push_in" ? 1.0f : zoom;
      style.zoomEnd = name == "push_in" ? zoom : 1.0f;
    } else if (name == "pan_left" || name == "pan_right") {
      style.pan = (name == "pan_right" ? 0.08f : -0.08f) * k;
    }
    out.applied.push_back(std::string("camera:") + move->name);
  }
  if (shake) {
    style.handheld = std::min(1.5f, handheld.strength);
    out.applied.push_back("camera:handheld");
  }
}

void readFraming(std::string_view text, PromptReading& out) {
  const std::vector<Kind> kinds = {
      {"close_up",
       find(text, {"close-up", "close up", "closeup", "close shot", "tight shot", "tight framing",
                   "headshot", "head shot", "face shot", "特写", "近景", "脸部特写", "面部特写"})},
      {"medium",
       find(text, {"medium shot", "mid shot", "mid-shot", "medium framing", "medium close-up",
                   "medium close up", "waist shot", "waist-up", "half body", "half-body",
                   "upper body", "bust shot", "head and shoulders", "中景", "半身", "中近景"})},
      {"wide", find(text, {"wide shot", "full shot", "long shot", "wide framing", "full body",
                           "full-body", "whole photo", "全景", "远景", "全身"})},
  };
  const Kind* chosen = firstOf(kinds, "framing", out.applied);
  if (!chosen) return;
  const std::string_view name = chosen->name;
  out.style.framing = name == "close_up" ? Framing::CloseUp
                      : name == "medium" ? Framing::Medium
                                         : Framing::Photo;
  out.applied.push_back(std::string("framing:") + chosen->name);
}

void readGestures(std::string_view text, PromptReading& out) {
  const std::vector<Kind> kinds = {
      {"nodding", find(text, {"nodding", "nods", "nod", "nod along", "agreeing", "agreement",
                              "affirming", "affirmative", "点头", "赞同", "认同"})},
      {"head_shake", find(text, {"shaking head", "shaking his head", "shaking her head",
                                 "shakes head", "shakes his head", "shakes her head", "head shake",
                                 "head shaking", "disagreeing", "disagreement", "摇头"})},
  };
  const Kind* chosen = firstOf(kinds, "gesture", out.applied);
  Style& style = out.style;
  if (chosen) {
    const float k = std::min(1.5f, chosen->match.strength);
    (chosen->name == std::string_view("nodding") ? style.agreeNods : style.headShakes) = k;
    out.applied.push_back(std::string("gesture:") + chosen->name);
  }
  const Match tilt =
      find(text, {"head tilt", "tilted head", "tilting head", "tilts head", "tilting her head",
                  "tilting his head", "tilt", "tilted", "tilting", "curious", "inquisitive",
                  "quizzical", "questioning", "歪头", "歪着头", "侧头", "好奇"});
  if (tilt.negated) out.applied.push_back("gesture:no_head_tilt");
  if (tilt.found()) {
    const float k = std::min(1.5f, tilt.strength);
    style.headRoll += 6.0f * k;
    style.headPitch -= 1.0f * k;
    out.applied.push_back("gesture:head_tilt");
  }
}

}  // namespace

PromptReading readPrompt(const std::string& text) {
  const std::string lowered = prompt::lower(text);
  PromptReading out;
  readEnergy(lowered, out);
  readExpression(lowered, out);
  readCamera(lowered, out);
  readFraming(lowered, out);
  readGestures(lowered, out);
  return out;
}

Style styleFromPrompt(const std::string& prompt) {
  return readPrompt(prompt).style;
}

}  // namespace dh::animate
