#pragma once
// Test helpers for suites that drive things from outside: run a tool as a process and capture
// what it prints, and poll a condition with a bounded wait (tests never loop unbounded).

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

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

}  // namespace kgw::test
