#pragma once
// Child processes and ports for tests: start a helper or service binary, kill it abruptly, run
// a command to completion, wait for an HTTP endpoint. Every wait is bounded.
#include <chrono>
#include <string>
#include <vector>

#include <sys/types.h>

namespace ems::testing {

// A free TCP port on 127.0.0.1 (checked by binding it, then released), outside the kernel's
// ephemeral range; successive calls in one process return different ports.
int free_loopback_port();

// A child process with stdout+stderr appended to a log file.
class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();  // terminate()s
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // argv[0] is the program (PATH is searched); throws std::runtime_error if fork fails (an exec
  // failure shows as exit code 127 and a line in the log). With `die_with_parent` the child
  // gets SIGKILL when the spawning thread exits, so no server outlives a crashed test.
  void spawn(const std::vector<std::string>& argv, const std::string& log_path,
             bool die_with_parent = true);
  bool running();
  // SIGTERM, then SIGKILL after `grace`; reaps the child. No-op when not running.
  void terminate(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));
  // SIGKILL at once (an abrupt death) and reap.
  void kill();
  pid_t pid() const { return pid_; }
  // Exit code of the last child once reaped (128 + signal number when killed); -1 before.
  int exit_code() const { return exit_code_; }

 private:
  void reaped(int status);
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

// Runs argv to completion (bounded by `timeout`, then killed); returns the exit code, and the
// combined output in `output` when given.
int run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                std::string* output = nullptr);

// Output of a /bin/sh command line (stdout and stderr, unless the line redirects them), bounded by
// `timeout`. For tools driven by their own filter syntax, e.g. tshark -Y "...".
std::string shell_output(const std::string& command,
                         std::chrono::milliseconds timeout = std::chrono::seconds(60));

// True when `program` is on PATH.
bool have_program(const std::string& program);

// The last `max_bytes` of a file ("" if unreadable).
std::string tail_file(const std::string& path, std::size_t max_bytes = 4000);

// Polls GET `url` (http://host:port/path) until it answers 200 or `timeout` passes; e.g. a
// service binary's /healthz or /readyz after ChildProcess::spawn.
bool wait_for_http_ok(const std::string& url, std::chrono::milliseconds timeout);

}  // namespace ems::testing
