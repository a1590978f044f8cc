// The command line: what each argument list becomes, and the exit code and output of early exits.
#include "daemon/cli.h"

#include <string>
#include <variant>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "accrochd_version.h"

namespace accrochd::daemon {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

std::variant<Invocation, EarlyExit> Parse(const std::vector<std::string>& args) {
  std::vector<const char*> argv = {"accrochd"};
  for (const std::string& a : args) argv.push_back(a.c_str());
  return ParseCommandLine(static_cast<int>(argv.size()), argv.data());
}

EarlyExit ExitOf(const std::vector<std::string>& args) {
  auto result = Parse(args);
  if (!std::holds_alternative<EarlyExit>(result)) {
    ADD_FAILURE() << "expected an early exit";
    return EarlyExit{-1, "", ""};
  }
  return std::get<EarlyExit>(result);
}

Invocation InvocationOf(const std::vector<std::string>& args) {
  auto result = Parse(args);
  if (!std::holds_alternative<Invocation>(result)) {
    ADD_FAILURE() << "expected an invocation, got exit " << std::get<EarlyExit>(result).code << ": "
                  << std::get<EarlyExit>(result).err;
    return Invocation{};
  }
  return std::get<Invocation>(result);
}

TEST(ParseCommandLineTest, NoArgumentsAsksForACommand) {
  EarlyExit e = ExitOf({});
  EXPECT_EQ(e.code, kExitConfig);
  EXPECT_THAT(e.out, IsEmpty());
  EXPECT_THAT(e.err, StartsWith("accrochd: a command is required\n"));
  EXPECT_THAT(e.err, HasSubstr("Usage: accrochd <command> [options]"));
  EXPECT_THAT(e.err, HasSubstr("\nTry 'accrochd --help'.\n"));
}

TEST(ParseCommandLineTest, Version) {
  for (const char* flag : {"--version", "-V"}) {
    EarlyExit e = ExitOf({flag});
    EXPECT_EQ(e.code, kExitOk);
    EXPECT_THAT(e.out, StartsWith("accrochd " ACCROCHD_VERSION));
    EXPECT_THAT(e.out, HasSubstr("\nSOCI "));
    EXPECT_THAT(e.out, HasSubstr("\nunixODBC "));
    EXPECT_THAT(e.out, HasSubstr("\nlibxml2 "));
    EXPECT_THAT(e.err, IsEmpty());
  }
}

TEST(ParseCommandLineTest, HelpListsEveryCommand) {
  EarlyExit e = ExitOf({"--help"});
  EXPECT_EQ(e.code, kExitOk);
  EXPECT_THAT(e.err, IsEmpty());
  EXPECT_THAT(e.out, StartsWith("Usage: accrochd <command> [options]\n"));
  for (const CommandInfo& c : Commands()) {
    std::string line = "  " + std::string(c.name);
    line.resize(12, ' ');
    line += std::string(c.summary) + (c.available ? "\n" : " (not available yet)\n");
    EXPECT_THAT(e.out, HasSubstr(line)) << c.name;
  }
  EXPECT_THAT(e.out, HasSubstr("  check     check configuration, mappings and sources\n"));
  EXPECT_THAT(e.out, HasSubstr("  status    show the deadline dashboard\n"));
  EXPECT_THAT(e.out, HasSubstr("  receipts  import accusés de traitement\n"));
  EXPECT_THAT(e.out, Not(HasSubstr("not available yet")));
  EXPECT_EQ(ExitOf({"-h"}).out, e.out);
  EXPECT_EQ(ExitOf({"help"}).out, e.out);
}

TEST(ParseCommandLineTest, UnknownCommand) {
  EarlyExit e = ExitOf({"frobnicate"});
  EXPECT_EQ(e.code, kExitConfig);
  EXPECT_EQ(e.err, "accrochd: unknown command 'frobnicate'\nTry 'accrochd --help'.\n");
}

TEST(ParseCommandLineTest, OptionBeforeTheCommand) {
  EarlyExit e = ExitOf({"--config", "x.yaml", "check"});
  EXPECT_EQ(e.code, kExitConfig);
  EXPECT_THAT(e.err, StartsWith("accrochd: unknown option '--config'; the command comes first: "
                                "accrochd <command> [options]\n"));
}

TEST(ParseCommandLineTest, UnknownOptionForACommand) {
  EarlyExit e = ExitOf({"check", "--frob"});
  EXPECT_EQ(e.code, kExitConfig);
  EXPECT_EQ(e.err, "accrochd check: unrecognised option '--frob'\nTry 'accrochd check --help'.\n");
}

TEST(ParseCommandLineTest, OptionMissingItsValue) {
  EarlyExit e = ExitOf({"check", "--config"});
  EXPECT_EQ(e.code, kExitConfig);
  EXPECT_THAT(e.err, HasSubstr("the required argument for option '--config' is missing"));
}

TEST(ParseCommandLineTest, PositionalArgumentForACommandThatTakesNone) {
  EarlyExit e = ExitOf({"check", "extra"});
  EXPECT_EQ(e.code, kExitConfig);
  EXPECT_THAT(e.err, StartsWith("accrochd check: too many positional options"));
}

TEST(ParseCommandLineTest, CheckWithEveryOption) {
  Invocation inv =
      InvocationOf({"check", "--config", "/etc/a.yaml", "--print-config", "--no-connect"});
  EXPECT_EQ(inv.command, Command::kCheck);
  EXPECT_EQ(inv.config_path, "/etc/a.yaml");
  EXPECT_TRUE(inv.print_config);
  EXPECT_TRUE(inv.no_connect);
  EXPECT_FALSE(inv.verbose);
}

TEST(ParseCommandLineTest, CheckDefaults) {
  Invocation inv = InvocationOf({"check"});
  EXPECT_EQ(inv.command, Command::kCheck);
  EXPECT_EQ(inv.config_path, "");
  EXPECT_FALSE(inv.print_config);
  EXPECT_FALSE(inv.no_connect);
  EXPECT_EQ(InvocationOf({"check", "-c", "b.yaml"}).config_path, "b.yaml");
  EXPECT_EQ(InvocationOf({"check", "--config=c.yaml"}).config_path, "c.yaml");
}

TEST(ParseCommandLineTest, OnceVerbose) {
  Invocation inv = InvocationOf({"once", "-v", "-c", "a.yaml"});
  EXPECT_EQ(inv.command, Command::kOnce);
  EXPECT_TRUE(inv.verbose);
  EXPECT_EQ(inv.config_path, "a.yaml");
  EXPECT_FALSE(InvocationOf({"once"}).verbose);
}

TEST(ParseCommandLineTest, EveryCommandOfThisVersionIsAvailable) {
  for (const CommandInfo& c : Commands()) EXPECT_TRUE(c.available) << c.name;
}

TEST(ParseCommandLineTest, HelpOfReceiptsAndPassages) {
  EarlyExit e = ExitOf({"receipts", "--help"});
  EXPECT_EQ(e.code, kExitOk);
  EXPECT_THAT(e.out, StartsWith("Usage: accrochd receipts [options] import FILE...\n"));
  EXPECT_THAT(e.out, HasSubstr("Importing one twice changes nothing."));
  e = ExitOf({"passages", "--help"});
  EXPECT_THAT(e.out, StartsWith("Usage: accrochd passages [options] retry ID... | withdraw ID... "
                                "[--reason TEXT] | correct ID...\n"));
  EXPECT_THAT(e.out, HasSubstr("--reason TEXT"));
  EXPECT_THAT(e.out, HasSubstr("SUPPRESSION file (schema 1.1.5 only)"));
}

TEST(ParseCommandLineTest, PassagesWithdrawTakesAReason) {
  auto parsed = Parse({"passages", "withdraw", "--reason=doublon", "X-1"});
  ASSERT_TRUE(std::holds_alternative<Invocation>(parsed));
  const Invocation& inv = std::get<Invocation>(parsed);
  EXPECT_EQ(inv.reason, "doublon");
  EXPECT_THAT(inv.arguments, ::testing::ElementsAre("withdraw", "X-1"));
}

TEST(ParseCommandLineTest, HelpOfAnAvailableCommand) {
  EarlyExit e = ExitOf({"check", "--help"});
  EXPECT_EQ(e.code, kExitOk);
  EXPECT_THAT(e.out, StartsWith("Usage: accrochd check [options]\n"));
  EXPECT_THAT(e.out, HasSubstr("--print-config"));
  EXPECT_THAT(e.out, HasSubstr("--no-connect"));
  EXPECT_THAT(e.out, HasSubstr("-c [ --config ] FILE"));
  EXPECT_THAT(e.out, Not(HasSubstr("not available yet")));
}

TEST(ParseCommandLineTest, HelpCommandEqualsCommandHelp) {
  for (const CommandInfo& c : Commands()) {
    const std::string name(c.name);
    EarlyExit help = ExitOf({"help", name});
    EarlyExit flag = ExitOf({name, "--help"});
    EXPECT_EQ(help.code, kExitOk) << name;
    EXPECT_EQ(help.out, flag.out) << name;
    EXPECT_THAT(help.out, StartsWith("Usage: accrochd " + name)) << name;
  }
}

TEST(ParseCommandLineTest, HelpWinsOverOtherOptions) {
  EarlyExit e = ExitOf({"check", "--no-connect", "-h"});
  EXPECT_EQ(e.code, kExitOk);
  EXPECT_EQ(e.out, ExitOf({"check", "--help"}).out);
}

TEST(ParseCommandLineTest, PreviewNeedsAMappingAndAPositiveLimit) {
  EarlyExit missing = ExitOf({"preview"});
  EXPECT_EQ(missing.code, kExitConfig);
  EXPECT_EQ(missing.err,
            "accrochd preview: the option '--mapping' is required but missing\n"
            "Try 'accrochd preview --help'.\n");
  EarlyExit zero = ExitOf({"preview", "--mapping", "m", "--limit", "0"});
  EXPECT_EQ(zero.code, kExitConfig);
  EXPECT_THAT(zero.err, StartsWith("accrochd preview: --limit must be at least 1"));
  EarlyExit bad = ExitOf({"preview", "--mapping", "m", "--limit", "abc"});
  EXPECT_EQ(bad.code, kExitConfig);
  EXPECT_EQ(bad.err,
            "accrochd preview: the argument ('abc') for option '--limit' is invalid\n"
            "Try 'accrochd preview --help'.\n");
}

TEST(ParseCommandLineTest, PreviewOptions) {
  auto parsed = ParseCommandLine(
      4, std::array<const char*, 5>{"accrochd", "preview", "-m", "rs6521", nullptr}.data());
  ASSERT_TRUE(std::holds_alternative<Invocation>(parsed));
  EXPECT_EQ(std::get<Invocation>(parsed).mapping, "rs6521");
  EXPECT_EQ(std::get<Invocation>(parsed).limit, 20u);
}

TEST(ParseCommandLineTest, ProfileOptions) {
  auto parsed = ParseCommandLine(
      4, std::array<const char*, 5>{"accrochd", "profile", "-m", "rs6521", nullptr}.data());
  ASSERT_TRUE(std::holds_alternative<Invocation>(parsed));
  EXPECT_EQ(std::get<Invocation>(parsed).command, Command::kProfile);
  EXPECT_EQ(std::get<Invocation>(parsed).mapping, "rs6521");
  // Without --mapping: every mapping.
  parsed = ParseCommandLine(2, std::array<const char*, 3>{"accrochd", "profile", nullptr}.data());
  ASSERT_TRUE(std::holds_alternative<Invocation>(parsed));
  EXPECT_EQ(std::get<Invocation>(parsed).mapping, "");
}

TEST(CommandsTest, NamesAreUniqueAndTheBuiltOnesAreAvailable) {
  std::vector<std::string> available;
  for (const CommandInfo& c : Commands()) {
    if (c.available) available.emplace_back(c.name);
    int same = 0;
    for (const CommandInfo& other : Commands()) same += other.name == c.name ? 1 : 0;
    EXPECT_EQ(same, 1) << c.name;
  }
  EXPECT_THAT(available, ::testing::UnorderedElementsAre(
                             "check", "once", "preview", "profile", "validate", "run", "status",
                             "history", "deposits", "receipts", "passages", "alerts"));
}

}  // namespace
}  // namespace accrochd::daemon
