#include "core/thread_name.h"

#include <pthread.h>

namespace dh::core {

void nameThisThread(const std::string& name) {
  constexpr size_t kMaxLength = 15;  // the kernel's limit, without the terminating zero
  pthread_setname_np(pthread_self(), name.substr(0, kMaxLength).c_str());
}

}  // namespace dh::core
