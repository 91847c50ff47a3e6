// kgw-bench-leash PROGRAM [ARGS...]: runs PROGRAM, same pid, with a SIGTERM due when its parent
// dies. kgw-bench-e2e starts the daemon and kraken-sim through it, so that whatever ends the
// harness — a crash, SIGKILL, a ctest timeout — they stop by themselves instead of running on.
// (The parent-death signal survives execv; it fires when the thread that spawned the child
// ends, and the harness spawns from its main thread.)

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: kgw-bench-leash PROGRAM [ARGS...]\n");
    return 2;
  }
  const pid_t parent = ::getppid();
  if (::prctl(PR_SET_PDEATHSIG, SIGTERM) != 0) return 1;
  if (::getppid() != parent) return 1;  // the parent died before the signal was armed
  ::execv(argv[1], argv + 1);
  std::perror("kgw-bench-leash: execv");
  return 127;
}
