// Runs the real accrochd binary and captures what it prints, for the system tests.
#ifndef ACCROCHD_TESTS_SUPPORT_RUN_BINARY_H_
#define ACCROCHD_TESTS_SUPPORT_RUN_BINARY_H_

#include <cstddef>
#include <string>
#include <vector>

#include <sys/types.h>

namespace accrochd::testing {

struct RunResult {
  int exit_code = -1;  // -1: killed by a signal
  std::string out;
  std::string err;
};

// Runs `accrochd args...` with the test environment plus `extra_env` ("NAME=value"); waits for
// it to end.
RunResult RunAccrochd(const std::vector<std::string>& args,
                      const std::vector<std::string>& extra_env = {});

// Starts `accrochd args...` with the same environment, without waiting for it; its stdout and
// stderr go to `log`.out and `log`.err. The caller waits for (or kills) the process.
pid_t SpawnAccrochd(const std::vector<std::string>& args, const std::vector<std::string>& extra_env,
                    const std::string& log);

// Makes a fresh empty directory for one test and returns its path.
std::string MakeTempDir(const std::string& name);

// A fresh scratch directory on tmpfs (/dev/shm/accrochd-<name>.<pid>) for what a long simulation
// writes but does not test the durability of (its database, its state); `fallback` when there is
// no /dev/shm. The caller removes it when it is not `fallback`.
std::string FastScratchDir(const std::string& name, const std::string& fallback);

// Writes `content` to `path` with the given mode.
void WriteFile(const std::string& path, const std::string& content, unsigned mode = 0644);

// The whole content of `path`; "" when it cannot be read.
std::string ReadAll(const std::string& path);

// The permission bits of `path` (07777); 0 when it does not exist.
unsigned ModeOf(const std::string& path);

// How many times `needle` occurs in `text` (not overlapping).
std::size_t Occurrences(const std::string& text, const std::string& needle);

}  // namespace accrochd::testing

#endif  // ACCROCHD_TESTS_SUPPORT_RUN_BINARY_H_
