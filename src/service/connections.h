#pragma once
// The HTTP server's client connections as the process's file descriptors. cpp-httplib does not
// hand them out, and it notices a stop (or a request it failed to read) only between requests:
// a thread waiting on an idle keep-alive connection stays until the keep-alive timeout.
// Shutting down the read side of a connection wakes that thread, which then closes it; a handler
// already running still writes its answer.
#include <string>

namespace dh::service {

// Shuts down reading on the accepted connections of the listening `port` (all of them, or only
// the one from `peerAddress`:`peerPort` when given); returns how many.
int shutdownClientReads(int port, const std::string& peerAddress = {}, int peerPort = 0);

}  // namespace dh::service
