#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ems/testing/process.hpp"

namespace ems::testing {
namespace {

// Builds the argv array before fork: the child of a threaded process may only call
// async-signal-safe functions until exec.
std::vector<char*> c_argv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

namespace {

// Whether 127.0.0.1:port (TCP) can be bound right now.
bool bindable(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

// Ports come from 21000..28999, below Linux's ephemeral range (32768..60999): a port handed out
// here and released until its server binds it cannot meanwhile be taken as the local port of
// some outgoing connection - which, with every test process opening connections, the kernel's
// own "port 0" choice could not promise. Each process starts in its own slice (by pid) and walks
// forward, skipping ports that are bound, so parallel test processes rarely meet.
int free_loopback_port() {
  constexpr int kFirst = 21000, kCount = 8000, kSlices = 64;
  static std::atomic<int> next{static_cast<int>(::getpid() % kSlices) * (kCount / kSlices)};
  for (int attempt = 0; attempt < kCount; ++attempt) {
    const int port = kFirst + (next++ % kCount);
    if (bindable(port)) return port;
  }
  throw std::runtime_error("cannot find a free loopback port in 21000..28999");
}

ChildProcess::~ChildProcess() {
  terminate();
}

void ChildProcess::spawn(const std::vector<std::string>& argv, const std::string& log_path,
                         bool die_with_parent) {
  if (argv.empty()) throw std::invalid_argument("ChildProcess::spawn: empty argv");
  if (running()) throw std::logic_error("ChildProcess::spawn: already running");
  auto args = c_argv(argv);
  const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    throw std::runtime_error("cannot open " + log_path + ": " + std::strerror(errno));
  }
  const pid_t parent = ::getpid();
  // Signals are blocked across fork so none reaches the child while it still runs the parent's
  // handlers (the shutdown handler would write into the parent's self-pipe); the child resets
  // every handler to the default and only then unblocks.
  sigset_t all;
  sigset_t previous;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &previous);
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    ::close(log_fd);
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    ::sigemptyset(&dfl.sa_mask);
    for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);
    sigset_t none;
    ::sigemptyset(&none);
    ::pthread_sigmask(SIG_SETMASK, &none, nullptr);
    ::setpgid(0, 0);
    if (die_with_parent) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(1);
    }
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    ::execvp(args[0], args.data());
    const char msg[] = "exec failed\n";
    [[maybe_unused]] auto n = ::write(STDERR_FILENO, msg, sizeof msg - 1);
    ::_exit(127);
  }
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  ::close(log_fd);
  pid_ = pid;
}

bool ChildProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == 0) return true;
  if (r == pid_) reaped(status);
  pid_ = -1;
  return false;
}

void ChildProcess::reaped(int status) {
  if (WIFEXITED(status)) {
    exit_code_ = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    exit_code_ = 128 + WTERMSIG(status);
  }
}

void ChildProcess::terminate(std::chrono::milliseconds grace) {
  if (!running()) return;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!running()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill();
}

void ChildProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  if (::waitpid(pid_, &status, 0) == pid_) reaped(status);
  pid_ = -1;
}

int run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                std::string* output) {
  // Output goes to a file, not a pipe: a daemon the command leaves behind (pg_ctl start) would
  // hold a pipe open forever.
  char path[] = "/tmp/ems-cmd-XXXXXX";
  const int fd = ::mkstemp(path);
  if (fd < 0) throw std::runtime_error(std::string("mkstemp: ") + std::strerror(errno));
  ::close(fd);
  ChildProcess child;
  child.spawn(argv, path, /*die_with_parent=*/false);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (child.running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const bool timed_out = child.running();
  if (timed_out) child.kill();
  if (output) *output = tail_file(path, 64 * 1024);
  ::unlink(path);
  return timed_out ? -1 : child.exit_code();
}

std::string tail_file(const std::string& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  if (s.size() > max_bytes) s = "..." + s.substr(s.size() - max_bytes);
  return s;
}

std::string shell_output(const std::string& command, std::chrono::milliseconds timeout) {
  std::string out;
  run_command({"/bin/sh", "-c", command}, timeout, &out);
  return out;
}

bool have_program(const std::string& program) {
  return run_command({"/bin/sh", "-c", "command -v " + program + " >/dev/null 2>&1"},
                     std::chrono::seconds(10)) == 0;
}

}  // namespace ems::testing
