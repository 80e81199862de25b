#pragma once
// Process-wide graceful-shutdown flag.
//
// install_shutdown_handlers() routes SIGTERM and SIGINT to request_shutdown() (through a
// self-pipe: the signal handler only writes a byte; a watcher thread does the locking and
// notification a signal handler may not). Threads either poll shutdown_requested() or block in
// wait_for_shutdown(), which is also the interruptible sleep for retry loops.
#include <chrono>
#include <stop_token>

namespace ems::runtime {

// Idempotent; call early in main().
void install_shutdown_handlers();

// Sets the flag and wakes every waiter (safe from any thread; not from a signal handler - the
// installed handler uses the self-pipe instead).
void request_shutdown();

bool shutdown_requested();

// Blocks until shutdown is requested.
void wait_for_shutdown();

// Waits up to `timeout`; true when shutdown was requested (possibly before the call).
bool wait_for_shutdown(std::chrono::milliseconds timeout);

// Waits up to `timeout`; true when shutdown was requested or `stop` was (either possibly before
// the call). The interruptible sleep for a retry loop that its owner can also end on its own,
// e.g. a component's stop() that must not wait out a backoff delay.
bool wait_for_shutdown(std::chrono::milliseconds timeout, std::stop_token stop);

// Clears the flag so tests can exercise shutdown more than once per process.
void reset_shutdown_for_testing();

}  // namespace ems::runtime
