// What the harnesses of real servers (Dovecot, Postfix) share: programs
// on the PATH, free loopback ports, and processes to wait for or end.
#pragma once

#include <string>

namespace ndrlink::test {

// Whether `prog` is an executable in one of the usual bin/sbin directories.
bool on_path(const std::string& prog);

// A TCP port on 127.0.0.1 that nothing listens on right now.
int free_port();

// Whether something accepts connections on 127.0.0.1:`port`.
bool accepts(int port);

// Running, and not a zombie left to a PID 1 that does not reap.
bool alive(long pid);

// The file's contents, or empty when it cannot be read.
std::string slurp(const std::string& path);

// The last `n` bytes of `s` (for error messages with log tails).
std::string tail(const std::string& s, std::size_t n = 1500);

// Waits until `pid` has ended; SIGKILLs it after `seconds`.
void wait_gone(long pid, int seconds = 10);

// SIGKILLs every process whose working directory is inside `dir` (the
// server processes a master left behind) until none is left or 5 s passed.
void kill_processes_under(const std::string& dir);

}  // namespace ndrlink::test
