#pragma once
// Waking idle workers when a task becomes claimable in another process, without the caller
// depending on libpq: a PostgreSQL store listens for the announcements of all its peers.
#include <functional>

#include "store/store.h"

namespace dh::store {

// Calls `wake` (from a listener thread) whenever a task is submitted or handed back by any
// process sharing `store`'s database. False when `store` has no such notifications (SQLite):
// its workers rely on polling.
bool wakeOnNewWork(Store& store, std::function<void()> wake);

}  // namespace dh::store
