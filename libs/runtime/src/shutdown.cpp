#include "ems/runtime/shutdown.hpp"

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

namespace ems::runtime {
namespace {

struct State {
  std::mutex mutex;
  std::condition_variable cv;
  bool requested = false;
};

// Never destroyed: the detached pipe watcher may still touch it while statics are torn down.
State& state() {
  static State* s = new State;
  return *s;
}

// Written by the signal handler (async-signal-safe), read by the watcher thread.
int g_pipe[2] = {-1, -1};
std::atomic<bool> g_signal_seen{false};

extern "C" void on_signal(int) {
  g_signal_seen.store(true);
  const char byte = 1;
  // The result cannot be handled inside a signal handler; a full pipe already means "woken".
  [[maybe_unused]] auto n = ::write(g_pipe[1], &byte, 1);
}

void watch_pipe() {
  char byte;
  while (true) {
    const auto n = ::read(g_pipe[0], &byte, 1);
    if (n == 1) {
      request_shutdown();
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      return;
    }
  }
}

}  // namespace

void install_shutdown_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (::pipe2(g_pipe, O_CLOEXEC) != 0) return;
    std::thread(watch_pipe).detach();
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(SIGTERM, &sa, nullptr);
    ::sigaction(SIGINT, &sa, nullptr);
  });
}

void request_shutdown() {
  auto& s = state();
  {
    std::lock_guard lock(s.mutex);
    s.requested = true;
  }
  s.cv.notify_all();
}

bool shutdown_requested() {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  return s.requested;
}

void wait_for_shutdown() {
  auto& s = state();
  std::unique_lock lock(s.mutex);
  s.cv.wait(lock, [&] { return s.requested; });
}

bool wait_for_shutdown(std::chrono::milliseconds timeout) {
  auto& s = state();
  std::unique_lock lock(s.mutex);
  return s.cv.wait_for(lock, timeout, [&] { return s.requested; });
}

bool wait_for_shutdown(std::chrono::milliseconds timeout, std::stop_token stop) {
  auto& s = state();
  // The callback takes the mutex before notifying, so a stop requested between the predicate
  // check and the wait cannot be missed.
  std::stop_callback wake_on_stop(stop, [&s] {
    std::lock_guard lock(s.mutex);
    s.cv.notify_all();
  });
  std::unique_lock lock(s.mutex);
  return s.cv.wait_for(lock, timeout, [&] { return s.requested || stop.stop_requested(); });
}

void reset_shutdown_for_testing() {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  s.requested = false;
}

}  // namespace ems::runtime
