#pragma once
// Test helpers for suites that drive things from outside: run a tool as a process and capture
// what it prints, keep a server process running for a test (ChildProcess), and poll a condition
// with a bounded wait (tests never loop unbounded).

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace kgw::test {

struct Process {
  int status = -1;  // exit status; -1 if it did not exit normally
  std::string out;  // stdout (plus stderr when merged)
};

// Runs `command` through the shell and returns its exit status and stdout.
inline Process run_process(const std::string& command) {
  Process p;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) {
    ADD_FAILURE() << "popen failed: " << command;
    return p;
  }
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) p.out.append(buf, n);
  const int raw = ::pclose(pipe);
  p.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return p;
}

// Polls `pred` every 10 ms for at most `limit`.
template <class Pred>
bool wait_until(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

// A server process for the length of a test: started with its stdout on a pipe, read line by
// line until a line equal to `ready_line` (the interface line of kraken-sim and the daemon), and
// stopped with SIGTERM (then SIGKILL after 5 s) when the object goes. Lines of the form
// `name value` printed before ready are kept (`rest http://127.0.0.1:…`; a name printed twice,
// like the daemon's `grpc`, keeps every value: values()). stderr is inherited.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, std::chrono::milliseconds ready_within,
               const std::string& ready_line = "ready") {
    int fds[2];
    if (::pipe(fds) != 0) {
      ADD_FAILURE() << "pipe failed";
      return;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_addclose(&fa, fds[1]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const int rc = ::posix_spawn(&pid_, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(fds[1]);
    if (rc != 0) {
      ::close(fds[0]);
      pid_ = -1;
      ADD_FAILURE() << "cannot start " << argv[0];
      return;
    }
    out_fd_ = fds[0];
    // Until ready: read here, with a deadline. After: a thread drains the pipe so the child never
    // blocks on a full pipe.
    const auto end = std::chrono::steady_clock::now() + ready_within;
    std::string pending;
    while (!ready_) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{out_fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buf[4096];
      const ssize_t n = ::read(out_fd_, buf, sizeof buf);
      if (n <= 0) break;
      pending.append(buf, static_cast<std::size_t>(n));
      for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
        const std::string line = pending.substr(0, nl);
        pending.erase(0, nl + 1);
        if (line == ready_line) {
          ready_ = true;
          break;
        }
        if (const auto sp = line.find(' '); sp != std::string::npos) {
          lines_[line.substr(0, sp)] = line.substr(sp + 1);
          all_lines_.emplace_back(line.substr(0, sp), line.substr(sp + 1));
        }
      }
    }
    drain_ = std::thread([fd = out_fd_] {
      char buf[4096];
      while (::read(fd, buf, sizeof buf) > 0) {
      }
    });
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() {
    stop();
    if (drain_.joinable()) drain_.join();
    if (out_fd_ >= 0) ::close(out_fd_);
  }

  bool ready() const { return ready_; }
  int pid() const { return pid_; }
  // A `name value` line printed before ready ("rest", "ws-public", "api-key", ...).
  std::string line(const std::string& name) const {
    auto it = lines_.find(name);
    return it == lines_.end() ? std::string() : it->second;
  }
  // Every value of a name printed more than once (the daemon's `grpc` lines), in order.
  std::vector<std::string> values(const std::string& name) const {
    std::vector<std::string> out;
    for (const auto& [n, v] : all_lines_)
      if (n == name) out.push_back(v);
    return out;
  }
  // The port of a URL line (`rest http://127.0.0.1:8081` -> 8081), 0 if absent.
  unsigned short port(const std::string& name) const {
    const std::string url = line(name);
    const auto colon = url.rfind(':');
    if (colon == std::string::npos) return 0;
    return static_cast<unsigned short>(std::atoi(url.c_str() + colon + 1));
  }

  // Still running (not exited, not killed by a signal).
  bool alive() {
    if (pid_ <= 0 || exited_) return false;
    int st = 0;
    if (::waitpid(pid_, &st, WNOHANG) == pid_) {
      exited_ = true;
      status_ = st;
      return false;
    }
    return true;
  }
  // How it ended, for a failure message ("exit 0", "signal 11").
  std::string how_it_ended() {
    if (alive()) return "running";
    if (WIFSIGNALED(status_)) return "signal " + std::to_string(WTERMSIG(status_));
    return "exit " + std::to_string(WEXITSTATUS(status_));
  }
  // Resident set size in KiB, from /proc; 0 if gone.
  long rss_kib() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
    std::string key;
    long value = 0;
    while (in >> key) {
      if (key == "VmRSS:") {
        in >> value;
        return value;
      }
      std::getline(in, key);
    }
    return 0;
  }

  void stop() {
    if (!alive()) return;
    ::kill(pid_, SIGTERM);
    if (!wait_until([this] { return !alive(); }, std::chrono::seconds(5))) {
      ::kill(pid_, SIGKILL);
      int st = 0;
      ::waitpid(pid_, &st, 0);
      exited_ = true;
      status_ = st;
    }
  }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  bool ready_ = false;
  bool exited_ = false;
  int status_ = 0;
  std::map<std::string, std::string> lines_;  // the last value of each name
  std::vector<std::pair<std::string, std::string>> all_lines_;
  std::thread drain_;
};

}  // namespace kgw::test
