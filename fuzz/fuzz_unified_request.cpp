// Fuzz target: a unified-dialect submit body as the service receives it, through the nesting
// check, JSON parsing and field validation (parseJsonObject + parseUnifiedSubmit).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "service/api_error.h"
#include "service/http_api.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dh::service;
  const std::string body(reinterpret_cast<const char*>(data), size);
  try {
    const SubmitRequest r = parseUnifiedSubmit(parseJsonObject(body));
    if (r.image.empty() || r.soundFile.empty() || !r.declaredAudioSeconds ||
        !std::isfinite(*r.declaredAudioSeconds) || *r.declaredAudioSeconds <= 0 ||
        (r.mode != "std" && r.mode != "pro"))
      __builtin_trap();
  } catch (const ApiError& e) {
    if (e.code() != 1200 && e.code() != 1201 && e.code() != 1203) __builtin_trap();
  }
  return 0;
}
