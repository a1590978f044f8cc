// The child-process runner the upload hook uses, with real processes: /bin/sh scripts written to
// a temporary directory, /usr/bin/env and /usr/bin/printf. What the program gets (its arguments
// verbatim, only the environment given, /dev/null as stdin, its directory), what comes back
// (lines, capped and cut), how it ends (exit status, signal, timeout, stop, not started), and
// that no process of its group outlives it -- nor outlives the caller killed with SIGKILL.
#include "core/child_process.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/run_binary.h"

namespace accrochd {
namespace {

using accrochd::testing::MakeTempDir;
using accrochd::testing::ReadAll;
using accrochd::testing::WriteFile;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

struct Ran {
  ChildOutcome outcome;
  std::vector<std::string> out, err;
  int ticks = 0;
};

Ran RunIt(const ChildSpec& spec, std::stop_token stop = {}) {
  Ran run;
  run.outcome = RunChild(
      spec,
      [&](ChildStream s, std::string_view line) {
        (s == ChildStream::kStdout ? run.out : run.err).emplace_back(line);
      },
      [&] { ++run.ticks; }, stop);
  return run;
}

// A process that is gone: no such pid, or a zombie waiting for init to reap it.
bool Gone(pid_t pid) {
  if (::kill(pid, 0) != 0) return true;
  const std::string stat = ReadAll("/proc/" + std::to_string(pid) + "/stat");
  const std::size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'Z';
}

bool GoneWithin(pid_t pid, std::chrono::seconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (Gone(pid)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Gone(pid);
}

// The pids a script wrote to `path`, one per line, once it has written `count` of them.
std::vector<pid_t> PidsIn(const std::string& path, std::size_t count) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    std::vector<pid_t> pids;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty()) pids.push_back(static_cast<pid_t>(std::stol(line)));
    }
    if (pids.size() >= count || std::chrono::steady_clock::now() >= until) return pids;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

class ChildProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir(std::string("child_process_test.") +
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
  }

  // A /bin/sh script in the test's directory, executable.
  std::string Script(const std::string& name, const std::string& body) {
    const std::string path = dir_ + "/" + name;
    WriteFile(path, "#!/bin/sh\n" + body, 0755);
    return path;
  }

  ChildSpec Spec(std::vector<std::string> argv) {
    ChildSpec spec;
    spec.argv = std::move(argv);
    spec.environment = {"PATH=/usr/bin:/bin"};
    spec.timeout = std::chrono::seconds(60);
    return spec;
  }

  std::string dir_;
};

TEST_F(ChildProcessTest, TheProgramGetsOnlyTheEnvironmentItIsGiven) {
  ::setenv("ACCROCHD_TEST_LEAK", "from the caller", 1);
  ChildSpec spec = Spec({"/usr/bin/env"});
  spec.environment = {"PATH=/usr/bin:/bin", "ACCROCHD_ID_FLUX=0f7c1c52-54f1-4a43-9c0a-3b6d1e2a4b5c",
                      "LANG=C.UTF-8"};
  Ran run = RunIt(spec);
  ::unsetenv("ACCROCHD_TEST_LEAK");
  EXPECT_TRUE(run.outcome.succeeded()) << DescribeOutcome(run.outcome, spec.timeout);
  EXPECT_THAT(run.out,
              ElementsAre("PATH=/usr/bin:/bin",
                          "ACCROCHD_ID_FLUX=0f7c1c52-54f1-4a43-9c0a-3b6d1e2a4b5c", "LANG=C.UTF-8"));
  EXPECT_THAT(run.err, IsEmpty());
}

TEST_F(ChildProcessTest, ArgumentsArePassedVerbatimWithoutAShell) {
  Ran run = RunIt(Spec({"/usr/bin/printf", "%s\\n", "a b", "$HOME", "; echo injected", "*"}));
  EXPECT_TRUE(run.outcome.succeeded());
  EXPECT_THAT(run.out, ElementsAre("a b", "$HOME", "; echo injected", "*"));
}

TEST_F(ChildProcessTest, StdinIsDevNullAndTheWorkingDirectoryIsTheOneGiven) {
  ChildSpec spec = Spec({Script("stdin.sh",
                                "if read line; then echo \"read: $line\"; else echo eof; fi\n"
                                "pwd\n")});
  std::filesystem::create_directories(dir_ + "/work");
  spec.working_directory = dir_ + "/work";
  Ran run = RunIt(spec);
  EXPECT_TRUE(run.outcome.succeeded());
  EXPECT_THAT(run.out, ElementsAre("eof", dir_ + "/work"));
}

TEST_F(ChildProcessTest, StdoutAndStderrLinesComeBackApart) {
  Ran run = RunIt(Spec({Script("both.sh",
                               "echo one\n"
                               "echo 'to stderr' >&2\n"
                               "printf 'crlf\\r\\n'\n"
                               "printf 'tab\\there, bell \\007 escape \\033[31m'\n")}));
  EXPECT_TRUE(run.outcome.succeeded());
  // A last line without its line end is passed on too; control characters become '?'.
  EXPECT_THAT(run.out, ElementsAre("one", "crlf", "tab\there, bell ? escape ?[31m"));
  EXPECT_THAT(run.err, ElementsAre("to stderr"));
  EXPECT_EQ(run.outcome.lines, 4u);
  EXPECT_EQ(run.outcome.lines_dropped, 0u);
}

TEST_F(ChildProcessTest, OutputIsCappedInLinesAndInLength) {
  ChildSpec spec = Spec({Script("chatty.sh",
                                "i=0\n"
                                "while [ $i -lt 50 ]; do echo \"line $i\"; i=$((i+1)); done\n"
                                "echo 'and on stderr' >&2\n")});
  spec.max_lines = 5;
  Ran run = RunIt(spec);
  EXPECT_TRUE(run.outcome.succeeded());
  ASSERT_EQ(run.out.size() + run.err.size(), 5u);
  EXPECT_EQ(run.out[0], "line 0");
  EXPECT_EQ(run.outcome.lines, 5u);
  EXPECT_EQ(run.outcome.lines_dropped, 46u);

  spec = Spec({Script("long.sh",
                      "head -c 5000 /dev/zero | tr '\\0' x; echo\n"
                      "printf 'ééééé\\n'\n"
                      "echo short\n")});
  spec.max_line_bytes = 7;
  run = RunIt(spec);
  EXPECT_TRUE(run.outcome.succeeded());
  // é is two bytes: the cut falls inside the fourth, which goes whole.
  EXPECT_THAT(run.out, ElementsAre("xxxxxxx [...]", "ééé [...]", "short"));
}

TEST_F(ChildProcessTest, ExitStatusAndSignalAreTold) {
  ChildSpec spec = Spec({Script("three.sh", "exit 3\n")});
  Ran run = RunIt(spec);
  EXPECT_EQ(run.outcome.kind, ChildOutcome::Kind::kExited);
  EXPECT_EQ(run.outcome.code, 3);
  EXPECT_FALSE(run.outcome.succeeded());
  EXPECT_EQ(DescribeOutcome(run.outcome, spec.timeout), "exit status 3");

  spec = Spec({Script("killed.sh", "kill -KILL $$\n")});
  run = RunIt(spec);
  EXPECT_EQ(run.outcome.kind, ChildOutcome::Kind::kSignalled);
  EXPECT_EQ(run.outcome.code, SIGKILL);
  EXPECT_EQ(DescribeOutcome(run.outcome, spec.timeout), "killed by signal 9 (Killed)");
}

TEST_F(ChildProcessTest, AProgramThatCannotStartIsToldWithItsReason) {
  Ran run = RunIt(Spec({dir_ + "/absent"}));
  EXPECT_EQ(run.outcome.kind, ChildOutcome::Kind::kNotStarted);
  EXPECT_EQ(run.outcome.code, ENOENT);
  EXPECT_EQ(DescribeOutcome(run.outcome, {}), "could not start: No such file or directory");

  WriteFile(dir_ + "/not-executable.sh", "#!/bin/sh\nexit 0\n", 0644);
  run = RunIt(Spec({dir_ + "/not-executable.sh"}));
  EXPECT_EQ(run.outcome.kind, ChildOutcome::Kind::kNotStarted);
  EXPECT_EQ(run.outcome.code, EACCES);

  ChildSpec spec = Spec({Script("ok.sh", "exit 0\n")});
  spec.working_directory = dir_ + "/no-such-directory";
  run = RunIt(spec);
  EXPECT_EQ(run.outcome.kind, ChildOutcome::Kind::kNotStarted);
  EXPECT_EQ(run.outcome.code, ENOENT);

  run = RunIt(Spec({"relative/path"}));
  EXPECT_EQ(run.outcome.kind, ChildOutcome::Kind::kNotStarted);
}

TEST_F(ChildProcessTest, AtTheTimeoutTheWholeGroupIsTerminated) {
  const std::string pids = dir_ + "/pids";
  ChildSpec spec = Spec({Script("hang.sh",
                                "sleep 300 &\n"
                                "echo $$ > '" +
                                    pids +
                                    "'\n"
                                    "echo $! >> '" +
                                    pids +
                                    "'\n"
                                    "echo started\n"
                                    "wait\n")});
  spec.timeout = std::chrono::milliseconds(1500);
  spec.kill_grace = std::chrono::seconds(5);
  Ran run = RunIt(spec);
  EXPECT_EQ(run.outcome.kind, ChildOutcome::Kind::kTimedOut);
  EXPECT_EQ(DescribeOutcome(run.outcome, spec.timeout), "timed out after 1s 500ms");
  EXPECT_THAT(run.out, ElementsAre("started"));
  const std::vector<pid_t> started = PidsIn(pids, 2);
  ASSERT_EQ(started.size(), 2u);
  for (pid_t pid : started) EXPECT_TRUE(GoneWithin(pid, std::chrono::seconds(10))) << pid;
}

TEST_F(ChildProcessTest, AProgramIgnoringSigtermIsKilledAfterTheGrace) {
  const std::string pids = dir_ + "/pids";
  ChildSpec spec = Spec({Script("stubborn.sh",
                                "trap '' TERM\n"
                                "echo $$ > '" +
                                    pids +
                                    "'\n"
                                    "while :; do sleep 1; done\n")});
  spec.timeout = std::chrono::milliseconds(500);
  spec.kill_grace = std::chrono::milliseconds(500);
  Ran run = RunIt(spec);
  EXPECT_EQ(run.outcome.kind, ChildOutcome::Kind::kTimedOut);
  const std::vector<pid_t> started = PidsIn(pids, 1);
  ASSERT_EQ(started.size(), 1u);
  EXPECT_TRUE(GoneWithin(started[0], std::chrono::seconds(10)));
}

TEST_F(ChildProcessTest, WhatTheProgramLeftInItsGroupIsKilledWhenItEnds) {
  const std::string pids = dir_ + "/pids";
  // The background sleep keeps stdout open: the run ends with the program all the same.
  ChildSpec spec = Spec({Script("leaves.sh",
                                "sleep 300 &\n"
                                "echo $! > '" +
                                    pids +
                                    "'\n"
                                    "exit 0\n")});
  Ran run = RunIt(spec);
  EXPECT_TRUE(run.outcome.succeeded()) << DescribeOutcome(run.outcome, spec.timeout);
  const std::vector<pid_t> left = PidsIn(pids, 1);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_TRUE(GoneWithin(left[0], std::chrono::seconds(10)));
}

TEST_F(ChildProcessTest, AStopRequestTerminatesTheProgram) {
  const std::string started = dir_ + "/started";
  ChildSpec spec = Spec({Script("wait.sh", "echo $$ > '" + started + "'\nexec sleep 300\n")});
  std::stop_source stop;
  std::jthread stopper([&] {
    PidsIn(started, 1);
    stop.request_stop();
  });
  Ran run = RunIt(spec, stop.get_token());
  EXPECT_EQ(run.outcome.kind, ChildOutcome::Kind::kStopped);
  EXPECT_EQ(DescribeOutcome(run.outcome, spec.timeout), "stopped (accrochd was stopping)");
  EXPECT_TRUE(GoneWithin(PidsIn(started, 1).at(0), std::chrono::seconds(10)));
}

TEST_F(ChildProcessTest, TheCallerIsTickedWhileTheProgramRuns) {
  ChildSpec spec = Spec({Script("slow.sh", "sleep 3\n")});
  Ran run = RunIt(spec);
  EXPECT_TRUE(run.outcome.succeeded());
  EXPECT_GE(run.ticks, 1);
}

TEST_F(ChildProcessTest, NoProcessOutlivesACallerKilledWithSigkill) {
  const std::string pids = dir_ + "/pids";
  const std::string script = Script("orphan.sh",
                                    "sleep 300 &\n"
                                    "echo $$ > '" +
                                        pids +
                                        "'\n"
                                        "echo $! >> '" +
                                        pids +
                                        "'\n"
                                        "wait\n");
  const pid_t caller = ::fork();
  ASSERT_GE(caller, 0);
  if (caller == 0) {
    ChildSpec spec = Spec({script});
    spec.kill_grace = std::chrono::seconds(2);
    RunChild(spec, {}, {}, {});
    ::_exit(0);
  }
  const std::vector<pid_t> started = PidsIn(pids, 2);
  ::kill(caller, SIGKILL);
  int status = 0;
  ::waitpid(caller, &status, 0);
  ASSERT_EQ(started.size(), 2u);
  for (pid_t pid : started) EXPECT_TRUE(GoneWithin(pid, std::chrono::seconds(15))) << pid;
}

TEST_F(ChildProcessTest, CheckProgramSaysWhatIsWrong) {
  const std::string ok = Script("ok.sh", "exit 0\n");
  EXPECT_TRUE(CheckProgram(ok).has_value());
  auto relative = CheckProgram("ok.sh");
  ASSERT_FALSE(relative.has_value());
  EXPECT_EQ(relative.error().message(), "\"ok.sh\" is not an absolute path");
  auto absent = CheckProgram(dir_ + "/absent");
  ASSERT_FALSE(absent.has_value());
  EXPECT_EQ(absent.error().message(), "cannot run " + dir_ + "/absent: No such file or directory");
  auto directory = CheckProgram(dir_);
  ASSERT_FALSE(directory.has_value());
  EXPECT_EQ(directory.error().message(), "cannot run " + dir_ + ": not a regular file");
  // Without any execute bit: refused even for root.
  WriteFile(dir_ + "/plain.sh", "exit 0\n", 0644);
  auto plain = CheckProgram(dir_ + "/plain.sh");
  ASSERT_FALSE(plain.has_value());
  EXPECT_EQ(plain.error().message(),
            "cannot run " + dir_ +
                "/plain.sh: Permission denied (it must be executable by the "
                "user accrochd runs as)");
}

}  // namespace
}  // namespace accrochd
