// Fuzz target: a Kling-dialect submit body as the service receives it, through the nesting check,
// JSON parsing and field validation (parseJsonObject + parseKlingSubmit).
#include <cstddef>
#include <cstdint>
#include <string>

#include "service/api_error.h"
#include "service/http_api.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dh::service;
  const std::string body(reinterpret_cast<const char*>(data), size);
  try {
    const SubmitRequest r = parseKlingSubmit(parseJsonObject(body));
    // An accepted request honours the rules the parser promises.
    if (r.image.empty() || r.audioId.empty() == r.soundFile.empty() ||
        (r.mode != "std" && r.mode != "pro") || r.externalTaskId.size() > 128)
      __builtin_trap();
  } catch (const ApiError& e) {
    if (e.code() != 1200 && e.code() != 1201) __builtin_trap();
  }
  return 0;
}
