#pragma once
// The per-frame face parameter set that drives frame synthesis. Mouth values are 0..1, angles
// in degrees, translation in inter-ocular distances (IOD) so that the same parameters look the
// same on any face size.
#include <opencv2/core.hpp>

namespace dh::animate {

struct FaceParams {
  float jawOpen = 0.0f;     // 0 closed .. 1 widest speech opening
  float lipSpread = 0.0f;   // corners pulled sideways (ee, s)
  float lipRound = 0.0f;    // lips pursed (oo, w)
  float lipPress = 0.0f;    // lips pressed shut (p, b, m)
  float lipTuck = 0.0f;     // lower lip under the upper teeth (f, v)
  float tongueShow = 0.0f;  // tongue tip visible (th, l)
  float smile = 0.0f;       // mouth-corner lift
  float frown = 0.0f;       // mouth-corner drop (concerned, sad)
  float blink = 0.0f;       // 0 open .. 1 closed
  float browRaise = 0.0f;   // 0 rest .. 1 raised
  float gazeYaw = 0.0f;     // degrees the eyes turn from the photo's gaze, positive to image right
  float gazePitch = 0.0f;   // degrees, positive looks down
  float headRoll = 0.0f;    // degrees, positive turns the face clockwise in the image
  float headYaw = 0.0f;     // degrees, positive turns the nose towards image right
  float headPitch = 0.0f;   // degrees, positive tips the nose down (a nod)
  cv::Point2f headShift;    // IOD, image axes
  float photoHold = 0.0f;   // 1: exactly the photo as sent; 0: fully posed (control points blend)
};

}  // namespace dh::animate
