#include "daemon/receipts.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "connectors/deposit/publisher.h"
#include "connectors/xml/receipt_reader.h"
#include "daemon/status.h"
#include "mappings/cdc_message.h"

namespace accrochd::daemon {
namespace {

namespace fs = std::filesystem;
using Outcome = ReceiptImport::Result;

std::string N(std::int64_t n) { return std::to_string(n); }

// Writes `bytes` to a new file in `dir`, named after the deposit (NAME.receipt.xml, then
// NAME.receipt-2.xml, ...), durably. Returns its path.
Result<std::string> Archive(const Config& config, const std::string& deposit_file,
                            const std::string& bytes) {
  const std::string dir = deposit::ArchiveDirectoryFor(config.state_directory, deposit_file);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Fail(ErrorKind::kIo, "cannot create " + dir + ": " + ec.message());
  const std::string stem = fs::path(deposit_file).stem().string();
  std::string path;
  for (int n = 1;; ++n) {
    path = (fs::path(dir) / (stem + (n == 1 ? "" : "-" + N(n)) + ".receipt.xml")).string();
    if (!fs::exists(path, ec)) break;
  }
  const std::string partial = path + ".partial";
  const mode_t mode = config.deposit.group ? 0640 : 0600;
  const int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Fail(ErrorKind::kIo, "cannot create " + partial + ": " + std::strerror(errno));
  const bool written =
      ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size());
  ::close(fd);
  if (!written) return Fail(ErrorKind::kIo, "cannot write " + partial);
  if (config.deposit.gid) {
    if (::chown(partial.c_str(), static_cast<uid_t>(-1), *config.deposit.gid) != 0) {
      return Fail(ErrorKind::kIo, "cannot give " + partial + " to its group");
    }
  }
  if (auto r = deposit::DurableRename(partial, path); !r) return std::unexpected(r.error());
  return path;
}

std::string Describe(const ReceiptImport& r) {
  const std::string name = fs::path(r.path).filename().string();
  switch (r.result) {
    case Outcome::kApplied:
      if (r.outcome.file_rejected) {
        return "accusé de traitement " + name + ": the CDC rejected the whole file " +
               r.outcome.deposit_file + "; its " + N(r.outcome.back_to_pending) +
               " passage(s) will be deposited again";
      }
      return "accusé de traitement " + name + " for " + r.outcome.deposit_file + ": " +
             N(r.outcome.accepted) + " accepted, " + N(r.outcome.rejected) + " rejected, " +
             N(r.outcome.missing) + " not mentioned (still waiting)" +
             (r.outcome.unknown > 0 ? ", " + N(r.outcome.unknown) +
                                          " idTechnique(s) not in that "
                                          "deposit (ignored)"
                                    : "");
    case Outcome::kAlreadyImported:
      return "accusé de traitement " + name + " was already imported (for " +
             r.outcome.deposit_file + "): nothing changed";
    default:
      return "accusé de traitement " + name + ": " + r.message;
  }
}

}  // namespace

ReceiptImport ImportReceipt(const Config& config, store::StateStore& store,
                            const std::string& path) {
  ReceiptImport import;
  import.path = path;
  auto stop = [&import](Outcome result, std::string message) {
    import.result = result;
    import.message = std::move(message);
    return import;
  };
  // Read once: parsed, hashed and archived from the same bytes. A file over the cap is refused
  // by ReadReceiptFile before it is read.
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec && !fs::exists(path)) {
    return stop(Outcome::kFailed, "cannot read " + path + ": " + ec.message());
  }
  if (ec || size > xml::kMaxReceiptBytes) {  // not a regular file, or too big
    return stop(Outcome::kInvalid, xml::ReadReceiptFile(path).error().message());
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (!in) return stop(Outcome::kFailed, "cannot read " + path + ": " + std::strerror(errno));
  const std::string bytes = buffer.str();
  auto parsed = xml::ParseReceipt(bytes, path);
  if (!parsed) return stop(Outcome::kInvalid, parsed.error().message());
  const std::string sha = deposit::Sha256Hex(bytes);
  auto before = store.ReceiptImported(sha);
  if (!before) return stop(Outcome::kFailed, before.error().message());
  if (*before) {
    import.result = Outcome::kAlreadyImported;
    import.outcome = **before;
    return import;
  }
  auto deposit = store.FindDeposit(parsed->id_flux, parsed->nom_fichier);
  if (!deposit) return stop(Outcome::kFailed, deposit.error().message());
  if (!*deposit) {
    return stop(Outcome::kUnmatched, "no deposit has idFlux " + parsed->id_flux.value_or("(none)") +
                                         " or file name " + parsed->nom_fichier.value_or("(none)") +
                                         "; set aside (accrochd deposits list shows the deposits)");
  }
  store::StateStore::ReceiptFacts facts;
  facts.sha256 = sha;
  facts.name = fs::path(path).filename().string();
  facts.id_traitement = parsed->id_traitement.value_or("");
  facts.deposit_id = (*deposit)->id;
  facts.status = "traite";
  facts.file_rejected = parsed->file_rejected();
  if (facts.file_rejected) facts.file_error = parsed->errors.front().message;
  for (const std::string& id : parsed->ok) facts.verdicts.push_back({id, true, ""});
  for (const xml::ReceiptPassageKo& ko : parsed->ko) {
    // « … existe déjà en base »: the CDC has the passage already. Accepted, message kept.
    const bool known =
        mappings::ClassifyCdcMessage(ko.message) == mappings::CdcMessage::kAlreadyRecorded;
    facts.verdicts.push_back({ko.id_technique, known, ko.message});
  }
  auto archived = Archive(config, (*deposit)->file_name, bytes);
  if (!archived) return stop(Outcome::kFailed, archived.error().message());
  facts.archived_as = *archived;
  auto applied = store.ApplyReceipt(facts);
  if (!applied) {
    fs::remove(*archived, ec);
    return stop(Outcome::kFailed, applied.error().message());
  }
  import.result = Outcome::kApplied;
  import.outcome = *applied;
  return import;
}

std::vector<ReceiptImport> ScanInbox(const Config& config, store::StateStore& store,
                                     Logger& logger) {
  std::vector<ReceiptImport> imports;
  const fs::path inbox = fs::path(config.state_directory) / "inbox";
  std::error_code ec;
  if (!fs::is_directory(inbox, ec)) {
    fs::create_directory(inbox, ec);  // where the administrator drops receipts
    if (!ec) fs::permissions(inbox, fs::perms::owner_all, ec);
    return imports;
  }
  std::vector<fs::path> files;
  for (const fs::directory_entry& e : fs::directory_iterator(inbox, ec)) {
    const std::string name = e.path().filename().string();
    if (e.is_regular_file(ec) && !name.starts_with(".")) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    ReceiptImport r = ImportReceipt(config, store, file.string());
    const std::string text = Describe(r);
    switch (r.result) {
      case Outcome::kApplied:
      case Outcome::kAlreadyImported:
        logger.Info(text, {{std::string(kFieldDeposit), r.outcome.deposit_file}},
                    kMessageIdReceiptImported);
        fs::remove(file, ec);
        break;
      case Outcome::kUnmatched:
      case Outcome::kInvalid: {
        const fs::path refused = inbox / "refused";
        fs::create_directory(refused, ec);
        fs::rename(file, refused / file.filename(), ec);
        logger.Error(text + "; moved to " + (refused / file.filename()).string(), {},
                     kMessageIdReceiptRefused);
        break;
      }
      case Outcome::kFailed:
        logger.Error(text + "; will try again at the next cycle", {}, kMessageIdReceiptRefused);
        break;
    }
    imports.push_back(std::move(r));
  }
  return imports;
}

int ReceiptExitCode(const ReceiptImport& import) {
  switch (import.result) {
    case Outcome::kApplied:
    case Outcome::kAlreadyImported:
      return kExitOk;
    case Outcome::kUnmatched:
    case Outcome::kInvalid:
      return kExitConfig;
    case Outcome::kFailed:
      break;
  }
  return kExitRuntime;
}

int RunReceipts(const CommandContext& ctx) {
  const auto& args = ctx.invocation.arguments;
  if (args.size() < 2 || args.front() != "import") {
    ctx.err << "accrochd receipts: expected `receipts import FILE...`\n";
    return kExitConfig;
  }
  auto config = LoadOrReport(ctx, "receipts");
  if (!config) return kExitConfig;
  auto store = OpenExistingStore(*config, ctx.clock);
  if (!store) {
    ctx.err << "accrochd receipts: " << store.error().message() << "\n";
    return ExitCodeFor(store.error());
  }
  int status = kExitOk;
  for (std::size_t i = 1; i < args.size(); ++i) {
    ReceiptImport r = ImportReceipt(*config, **store, args[i]);
    const std::string text = Describe(r);
    if (r.result == Outcome::kApplied || r.result == Outcome::kAlreadyImported) {
      ctx.out << text << "\n";
      ctx.logger.Info(text, {{std::string(kFieldDeposit), r.outcome.deposit_file}},
                      kMessageIdReceiptImported);
    } else {
      ctx.err << "accrochd receipts: " << text << "\n";
      status = std::max(status, ReceiptExitCode(r));
    }
  }
  return status;
}

int RunPassages(const CommandContext& ctx) {
  const auto& args = ctx.invocation.arguments;
  if (args.size() < 2 || args.front() != "retry") {
    ctx.err << "accrochd passages: expected `passages retry ID...`\n";
    return kExitConfig;
  }
  auto config = LoadOrReport(ctx, "passages");
  if (!config) return kExitConfig;
  auto store = OpenExistingStore(*config, ctx.clock);
  if (!store) {
    ctx.err << "accrochd passages: " << store.error().message() << "\n";
    return ExitCodeFor(store.error());
  }
  const std::vector<std::string> ids(args.begin() + 1, args.end());
  auto problems = (*store)->RequestRetry(ids);
  if (!problems) {
    ctx.err << "accrochd passages: " << problems.error().message() << "\n";
    return ExitCodeFor(problems.error());
  }
  for (const std::string& p : *problems) ctx.err << "accrochd passages: " << p << "\n";
  const std::size_t done = ids.size() - problems->size();
  ctx.out << done << " passage(s) will be deposited again with the next deposit\n";
  return problems->empty() ? kExitOk : kExitConfig;
}

}  // namespace accrochd::daemon
