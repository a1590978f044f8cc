#include "daemon/cli.h"

#include <sstream>

#include <boost/program_options.hpp>

#include "accrochd_version.h"
#include "connectors/source/odbc_source.h"
#include "connectors/xml/xml_library.h"
#include "core/allocator.h"

namespace accrochd::daemon {
namespace {

namespace po = boost::program_options;

constexpr int kLineLength = 100;

std::string MainUsage() {
  std::ostringstream out;
  out << "Usage: accrochd <command> [options]\n"
         "       accrochd --version | --help | help <command>\n\n"
         "Deposits the certifications a certifier delivers with the Caisse des Dépôts (CPF\n"
         "accrochage), before the three-month deadline.\n\nCommands:\n";
  for (const CommandInfo& c : Commands()) {
    std::string line = "  " + std::string(c.name);
    line.resize(12, ' ');
    out << line << c.summary << (c.available ? "" : " (not available yet)") << "\n";
  }
  out << "\nRun 'accrochd <command> --help' for a command's options; man accrochd(8) for\n"
         "everything, accrochd.yaml(5) for the configuration.\n"
         "Exit status: 0 success, 1 configuration or usage error, 2 runtime failure.\n";
  return out.str();
}

const CommandInfo* FindCommand(std::string_view name) {
  for (const CommandInfo& c : Commands()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

// The options a command accepts, and its positional arguments.
struct CommandSyntax {
  po::options_description options{"Options", kLineLength};
  po::positional_options_description positional;
  std::string usage;
  std::string description;
};

CommandSyntax SyntaxFor(const CommandInfo& info, Invocation& inv) {
  CommandSyntax s;
  const std::string name(info.name);
  s.options.add_options()("help,h", "show this help and exit");
  auto add_config = [&] {
    s.options.add_options()(
        "config,c", po::value<std::string>(&inv.config_path)->value_name("FILE"),
        "configuration file (default: $CONFIGURATION_DIRECTORY/accrochd.yaml under systemd, "
        "else /etc/accrochd/accrochd.yaml)");
  };
  auto add_arguments = [&](const char* value_name, const char* help) {
    s.options.add_options()(
        "argument", po::value<std::vector<std::string>>(&inv.arguments)->value_name(value_name),
        help);
    s.positional.add("argument", -1);
  };
  s.usage = "accrochd " + name + " [options]";
  switch (info.command) {
    case Command::kRun:
      add_config();
      s.options.add_options()("verbose,v", po::bool_switch(&inv.verbose), "log debug messages");
      s.description =
          "Runs the daemon: reads the sources every run.interval, records every passage in the\n"
          "state store, cuts deposit files on the planner's schedule (deposit.every, and at once\n"
          "for urgent passages). For systemd (Type=notify); SIGHUP reloads the configuration,\n"
          "SIGTERM stops. One instance per state directory.";
      break;
    case Command::kOnce:
      add_config();
      s.options.add_options()(
          "verbose,v", po::bool_switch(&inv.verbose),
          "log debug messages, and print where the cycle's time went, stage by stage")(
          "alerts", po::bool_switch(&inv.alerts),
          "after the cycle, queue and send the alerts `run` would send (same queue, same\n"
          "deduplication, retries of earlier messages)")(
          "planned", po::bool_switch(&inv.planned),
          "cut deposit files on the schedule (deposit.every) and for urgent passages, as\n"
          "`run` does, instead of writing every valid passage due");
      s.description =
          "Runs one cycle and exits: reads every mapping's rows, records them in the state store,\n"
          "and writes every valid passage due and not yet in a file into deposit files in the\n"
          "outbox; then runs the upload hook (deposit.on_publish) for every file not yet done.\n"
          "For cron and first backfills. Refused while `accrochd run` holds the state.\n"
          "From a timer, `once --alerts --planned` does what one cycle of `run` does.";
      break;
    case Command::kCheck:
      add_config();
      s.options.add_options()("print-config", po::bool_switch(&inv.print_config),
                              "print the effective configuration (secrets redacted)")(
          "no-connect", po::bool_switch(&inv.no_connect),
          "check files only; do not connect to the sources (for ExecStartPre=)")(
          "list-mappings", po::bool_switch(&inv.list_mappings),
          "only print the names of the mappings the configuration lists, one per line (reads "
          "accrochd.yaml alone: no mapping file, no secret; for shell completion)");
      s.description =
          "Checks the configuration and every mapping (errors as file:line:col), then connects\n"
          "to each source and prepares each mapping's query. Exit 0 when all is well, 1 for a\n"
          "configuration error, 2 when a source cannot be reached.";
      break;
    case Command::kPreview:
      add_config();
      s.options.add_options()("mapping,m",
                              po::value<std::string>(&inv.mapping)->value_name("NAME")->required(),
                              "the mapping to preview (its file name without .yaml)")(
          "limit,n", po::value<std::size_t>(&inv.limit)->value_name("N")->default_value(20),
          "rows to map");
      s.description =
          "Maps the first rows of a mapping's query and prints the passages and the quarantine.\n"
          "Changes nothing. Shows personal data: for the administrator's console only.";
      break;
    case Command::kProfile:
      add_config();
      s.options.add_options()("mapping,m", po::value<std::string>(&inv.mapping)->value_name("NAME"),
                              "the mapping to profile (its file name without .yaml); by default, "
                              "every mapping of every certifier");
      s.description =
          "Reads every row of a mapping's query (the whole query: cursor and paging ignored) and\n"
          "shows, field by field, what writing and fixing the mapping needs: NULLs and empties,\n"
          "the distinct values of enumerations and those no map entry catches, the share of each\n"
          "date format, lengths against the dictionary's limits, the character classes of\n"
          "personal fields (never their values); then what `accrochd once` would do with them.\n"
          "Changes nothing.";
      break;
    case Command::kStatus:
      add_config();
      s.options.add_options()("json", po::bool_switch(&inv.json), "machine-readable output")(
          "all", po::bool_switch(&inv.all),
          "list every passage not yet accepted with its deadline, not only the 20 nearest")(
          "html", po::bool_switch(&inv.html),
          "print the HTML report for the certification staff (every deadline; what "
          "monitoring.report_file holds)");
      s.description =
          "Shows the deadline dashboard, in French: per certifier and certification, passages by\n"
          "status and by urgency, the 20 nearest deadlines (--all: every one), files waiting in\n"
          "the outbox and deposits waiting for their accusé de traitement. Reads the state only.";
      break;
    case Command::kValidate:
      s.options.add_options()("schema", po::value<std::string>(&inv.schema)->value_name("XSD"),
                              "validate against this XSD file (the CDC's official one); by "
                              "default, accrochd's own schema for --schema-version")(
          "schema-version", po::value<std::string>(&inv.schema_version)->value_name("VERSION"),
          "1.1.2 or 1.1.5 (default 1.1.5)");
      add_arguments("FILE", "deposit files to check");
      s.usage = "accrochd validate [--schema X.xsd] [--schema-version V] FILE.xml...";
      s.description =
          "Checks deposit files against the XSD (errors: the CDC would refuse the file) and the\n"
          "dictionary's rules the XSD cannot express (warnings). Each with its line and column,\n"
          "and an explanation in French. Exit 0 when valid, 1 when not.";
      break;
    case Command::kHistory:
      add_config();
      add_arguments("ID", "idTechnique of the passage");
      s.usage = "accrochd history [options] ID";
      s.description =
          "Shows one passage (per certifier using this idTechnique): its status, deadline,\n"
          "deposit file and CDC message, and every event of its history, in French.";
      break;
    case Command::kDeposits:
      add_config();
      add_arguments("ACTION", "list | mark-uploaded FILE");
      s.usage = "accrochd deposits [options] list | mark-uploaded FILE";
      s.description =
          "`list` shows the deposit files and their state (published, uploaded, receipt), and\n"
          "their upload hook's (deposit.on_publish).\n"
          "`mark-uploaded FILE...` records that files were deposited on the CDC portal: their\n"
          "passages then wait for the accusé de traitement.";
      break;
    case Command::kReceipts:
      add_config();
      add_arguments("ACTION", "import FILE...");
      s.usage = "accrochd receipts [options] import FILE...";
      s.description =
          "Imports accusés de traitement downloaded from the CDC portal: each is matched to its\n"
          "deposit (idFlux, else the file name), its verdicts recorded, and it is archived beside\n"
          "the deposit. Importing one twice changes nothing. The daemon also imports what is\n"
          "dropped into <state>/inbox/ at each cycle.";
      break;
    case Command::kPassages:
      add_config();
      s.options.add_options()(
          "reason",
          po::value<std::string>()->value_name("TEXT")->notifier(
              [&inv](const std::string& v) { inv.reason = v; }),
          "withdraw: why, recorded in the passage's history (no personal data)");
      add_arguments("ACTION", "retry ID... | withdraw ID... | correct ID...");
      s.usage =
          "accrochd passages [options] retry ID... | withdraw ID... [--reason TEXT] | correct "
          "ID...";
      s.description =
          "Operator actions on passages. retry: a passage the CDC rejected goes into the next\n"
          "deposit again as it is (a rejected passage is otherwise sent again only when its data\n"
          "change in the source).\n"
          "withdraw: an accepted passage is withdrawn from the CDC: the next cycle writes a\n"
          "SUPPRESSION file (schema 1.1.5 only); it becomes withdrawn when the accusé de\n"
          "traitement accepts it, and stays accepted, alerted, if the CDC refuses.\n"
          "correct: an accepted passage whose data changed in the source is corrected in two\n"
          "steps: a SUPPRESSION, then, once the CDC accepts it, a CREATION with the new data.";
      break;
    case Command::kAlerts:
      add_config();
      add_arguments("ACTION", "test");
      s.usage = "accrochd alerts [options] test";
      s.description =
          "Sends a test message through every configured alert channel (e-mail to every\n"
          "recipient of the certifiers' alerts, each webhook) at once, and reports each outcome:\n"
          "delivered, retry (the server is down or said \"later\") or failed. Records nothing.";
      break;
  }
  return s;
}

std::string CommandHelp(const CommandInfo& info, const CommandSyntax& s) {
  std::ostringstream out;
  out << "Usage: " << s.usage << "\n\n" << s.description << "\n";
  if (!info.available) {
    out << "\nThis command is not available yet in accrochd " << ACCROCHD_VERSION << ".\n";
  }
  out << "\n" << s.options;
  return out.str();
}

EarlyExit UsageError(const std::string& command, const std::string& message) {
  std::string prefix = command.empty() ? "accrochd" : "accrochd " + command;
  std::string hint = command.empty() ? "accrochd --help" : "accrochd " + command + " --help";
  return EarlyExit{kExitConfig, "", prefix + ": " + message + "\nTry '" + hint + "'.\n"};
}

}  // namespace

const std::vector<CommandInfo>& Commands() {
  static const std::vector<CommandInfo> kCommands = {
      {Command::kRun, "run", "run the daemon (under systemd)", true},
      {Command::kOnce, "once", "run one cycle and exit", true},
      {Command::kCheck, "check", "check configuration, mappings and sources", true},
      {Command::kPreview, "preview", "map a few rows and show passages and quarantine", true},
      {Command::kProfile, "profile", "profile a mapping's rows: values, dates, lengths, verdicts",
       true},
      {Command::kStatus, "status", "show the deadline dashboard", true},
      {Command::kValidate, "validate", "check a deposit file against the XSD and the rules", true},
      {Command::kHistory, "history", "show every event of one passage", true},
      {Command::kDeposits, "deposits", "list deposits, mark one uploaded", true},
      {Command::kReceipts, "receipts", "import accusés de traitement", true},
      {Command::kPassages, "passages", "operator actions on passages", true},
      {Command::kAlerts, "alerts", "test the alert channels", true},
  };
  return kCommands;
}

std::string VersionText() {
  source::OdbcLibraryVersions odbc = source::GetOdbcLibraryVersions();
  std::string out = "accrochd " ACCROCHD_VERSION;
  if (std::string_view(ACCROCHD_GIT_COMMIT).size() > 0) out += " (git " ACCROCHD_GIT_COMMIT ")";
  out += "\nSOCI " + odbc.soci + "\nunixODBC " + odbc.unixodbc + "\nlibxml2 " +
         xml::LibXml2Version() + "\nallocator " + AllocatorInUse() + "\n";
  return out;
}

std::variant<Invocation, EarlyExit> ParseCommandLine(int argc, const char* const* argv) {
  std::vector<std::string> tokens(argv + 1, argv + argc);
  if (tokens.empty()) return UsageError("", "a command is required\n\n" + MainUsage());
  const std::string first = tokens[0];
  if (first == "--help" || first == "-h") return EarlyExit{kExitOk, MainUsage(), ""};
  if (first == "--version" || first == "-V") return EarlyExit{kExitOk, VersionText(), ""};
  if (first == "help") {
    if (tokens.size() == 1) return EarlyExit{kExitOk, MainUsage(), ""};
    tokens = {tokens[1], "--help"};
  }
  const std::string name = tokens[0];
  if (name.starts_with("-")) {
    return UsageError(
        "", "unknown option '" + name + "'; the command comes first: accrochd <command> [options]");
  }
  const CommandInfo* info = FindCommand(name);
  if (info == nullptr) return UsageError("", "unknown command '" + name + "'");

  Invocation inv;
  inv.command = info->command;
  CommandSyntax syntax = SyntaxFor(*info, inv);
  std::vector<std::string> rest(tokens.begin() + 1, tokens.end());
  po::variables_map vm;
  try {
    po::store(
        po::command_line_parser(rest).options(syntax.options).positional(syntax.positional).run(),
        vm);
    if (vm.count("help")) return EarlyExit{kExitOk, CommandHelp(*info, syntax), ""};
    po::notify(vm);
  } catch (const po::error& e) {
    return UsageError(name, e.what());
  }
  if (!info->available) {
    return EarlyExit{kExitRuntime, "",
                     "accrochd " + name +
                         ": not available yet in accrochd " ACCROCHD_VERSION
                         "; see 'accrochd --help' for the commands this version has.\n"};
  }
  if (inv.html && inv.json) return UsageError(name, "--html and --json: choose one");
  if (inv.list_mappings && (inv.print_config || inv.no_connect)) {
    return UsageError(name, "--list-mappings checks nothing: it cannot be combined with " +
                                std::string(inv.print_config ? "--print-config" : "--no-connect"));
  }
  if (info->command == Command::kPreview && inv.limit == 0) {
    return UsageError(name, "--limit must be at least 1");
  }
  return inv;
}

}  // namespace accrochd::daemon
