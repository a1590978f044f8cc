#include "daemon/receipts.h"

#include <algorithm>
#include <filesystem>

#include "connectors/deposit/publisher.h"
#include "connectors/xml/receipt_reader.h"
#include "daemon/status.h"
#include "daemon/withdrawals.h"
#include "mappings/cdc_message.h"

namespace accrochd::daemon {
namespace {

namespace fs = std::filesystem;
using Outcome = ReceiptImport::Result;

std::string N(std::int64_t n) { return std::to_string(n); }

// The modes of what is made for receipts, like the outbox's: 0600 files and 0700 directories, or
// 0640 and 0750 with the deposit group.
FileMode ReceiptFileMode(const Config& config) {
  std::optional<gid_t> group;
  if (config.deposit.gid) group = static_cast<gid_t>(*config.deposit.gid);
  return FileMode{static_cast<mode_t>(group ? 0640 : 0600), group};
}
FileMode ReceiptDirectoryMode(const Config& config) {
  FileMode mode = ReceiptFileMode(config);
  mode.mode = mode.group ? 0750 : 0700;
  return mode;
}

// Writes `bytes` to a new file in the deposit's archive folder, named after the deposit
// (NAME.receipt.xml, then NAME.receipt-2.xml, ...), atomically. Returns its path.
Result<std::string> Archive(const Config& config, FileSystem& files,
                            const std::string& deposit_file, const std::string& bytes) {
  const std::string dir = deposit::ArchiveDirectoryFor(config.state_directory, deposit_file);
  // archive/ exists (the publisher made it); archive/YYYY and archive/YYYY/MM may not.
  const std::string year = fs::path(dir).parent_path().string();
  if (auto r = files.MakeDirectory(year, ReceiptDirectoryMode(config)); !r) {
    return std::unexpected(r.error());
  }
  if (auto r = files.MakeDirectory(dir, ReceiptDirectoryMode(config)); !r) {
    return std::unexpected(r.error());
  }
  const std::string stem = fs::path(deposit_file).stem().string();
  std::string path;
  for (int n = 1;; ++n) {
    path = (fs::path(dir) / (stem + (n == 1 ? "" : "-" + N(n)) + ".receipt.xml")).string();
    if (!files.Exists(path)) break;
  }
  if (auto r = WriteFileAtomically(files, path, ReceiptFileMode(config), bytes); !r) {
    // The rename may have been done before the failure (a directory fsync): the receipt is not
    // imported, so its copy goes too, else the next import would archive a second one.
    (void)files.Remove(path);
    return std::unexpected(r.error());
  }
  return path;
}

// Whether idTechnique `id` of `certifier` is a corrected passage sent again under the same
// idTechnique (it went through a correction, and the CDC knows it by its own id).
bool CorrectionUnderWay(store::StateStore& store, const std::string& certifier,
                        const std::string& id) {
  auto passages = store.passages().PassagesKnownAs(id);
  if (!passages) return false;  // the verdict is applied as classified; the store says why later
  for (const store::PassageRecord& p : *passages) {
    if (p.certifier == certifier && p.corrections > 0 && p.cdc_id_technique == id) return true;
  }
  return false;
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
      if (r.outcome.action == "SUPPRESSION") {
        return "accusé de traitement " + name + " for the SUPPRESSION file " +
               r.outcome.deposit_file + ": " + N(r.outcome.accepted) + " withdrawn, " +
               N(r.outcome.rejected) + " withdrawal(s) refused (still accepted), " +
               N(r.outcome.missing) + " not mentioned (still waiting)" +
               (r.outcome.unknown > 0
                    ? ", " + N(r.outcome.unknown) + " idTechnique(s) not in that deposit (ignored)"
                    : "");
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

ReceiptImport ImportReceipt(const Config& config, store::StateStore& store, FileSystem& files,
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
  auto info = files.Stat(path);
  if (!info) return stop(Outcome::kFailed, info.error().message());
  if (!info->exists) return stop(Outcome::kFailed, FileError("read", path, ENOENT).message());
  if (!info->is_regular || info->size > xml::kMaxReceiptBytes) {  // not a file, or too big
    return stop(Outcome::kInvalid, xml::ReadReceiptFile(path).error().message());
  }
  auto read = files.ReadFile(path, xml::kMaxReceiptBytes);
  if (!read) {
    return stop(read.error().kind() == ErrorKind::kIo ? Outcome::kFailed : Outcome::kInvalid,
                read.error().message());
  }
  const std::string bytes = std::move(*read);
  auto parsed = xml::ParseReceipt(bytes, path);
  if (!parsed) return stop(Outcome::kInvalid, parsed.error().message());
  const std::string sha = deposit::Sha256Hex(bytes);
  auto before = store.deposits().ReceiptImported(sha);
  if (!before) return stop(Outcome::kFailed, before.error().message());
  if (*before) {
    import.result = Outcome::kAlreadyImported;
    import.outcome = **before;
    return import;
  }
  auto deposit = store.deposits().Find(parsed->id_flux, parsed->nom_fichier);
  if (!deposit) return stop(Outcome::kFailed, deposit.error().message());
  if (!*deposit) {
    return stop(Outcome::kUnmatched, "no deposit has idFlux " + parsed->id_flux.value_or("(none)") +
                                         " or file name " + parsed->nom_fichier.value_or("(none)") +
                                         "; set aside (accrochd deposits list shows the deposits)");
  }
  store::ReceiptFacts facts;
  facts.sha256 = sha;
  facts.name = fs::path(path).filename().string();
  facts.id_traitement = parsed->id_traitement.value_or("");
  facts.deposit_id = (*deposit)->id;
  facts.status = "traite";
  facts.file_rejected = parsed->file_rejected();
  if (facts.file_rejected) facts.file_error = parsed->errors.front().message;
  for (const std::string& id : parsed->ok) facts.verdicts.push_back({id, true, ""});
  const bool suppression = (*deposit)->action == "SUPPRESSION";
  for (const xml::ReceiptPassageKo& ko : parsed->ko) {
    // A SUPPRESSION file's KO, whatever its message, is a refusal: the CDC still holds the
    // passage.
    if (suppression) {
      facts.verdicts.push_back({ko.id_technique, false, ko.message});
      continue;
    }
    // Only the passage-level duplicate (« Le passage certification … existe déjà en base »)
    // means the CDC has the passage: accepted, its message kept. Every other message, known or
    // not, is a rejection, alerted with its action: a passage is never taken for received when
    // the CDC may not have recorded it.
    bool accepted = mappings::IsAcceptance(mappings::ClassifyCdcMessage(ko.message));
    if (accepted && CorrectionUnderWay(store, (*deposit)->certifier, ko.id_technique)) {
      // After a correction's SUPPRESSION, « existe déjà en base » says the CDC did not take the
      // corrected CREATION under that idTechnique: a rejection (id_technique_after_correction).
      accepted = false;
    }
    facts.verdicts.push_back({ko.id_technique, accepted, ko.message});
  }
  auto archived = Archive(config, files, (*deposit)->file_name, bytes);
  if (!archived) return stop(Outcome::kFailed, archived.error().message());
  facts.archived_as = *archived;
  auto applied = store.deposits().ApplyReceipt(facts);
  if (!applied) {
    (void)files.Remove(*archived);  // best effort: the next import archives it again
    return stop(Outcome::kFailed, applied.error().message());
  }
  import.result = Outcome::kApplied;
  import.outcome = *applied;
  return import;
}

std::vector<ReceiptImport> ScanInbox(const Config& config, store::StateStore& store, Logger& logger,
                                     FileSystem& files) {
  std::vector<ReceiptImport> imports;
  const std::string inbox = (fs::path(config.state_directory) / "inbox").string();
  auto info = files.Stat(inbox);
  if (!info || !info->is_directory) {
    // Where the administrator drops receipts: made once, 0700; its mode is then theirs.
    if (auto r = files.MakeDirectory(inbox, FileMode{0700, std::nullopt}); !r) {
      logger.Error(r.error().message(), {}, kMessageIdReceiptRefused);
    }
    return imports;
  }
  auto entries = files.ListDirectory(inbox);
  if (!entries) {
    logger.Error(entries.error().message() + "; will try again at the next cycle", {},
                 kMessageIdReceiptRefused);
    return imports;
  }
  for (const DirectoryEntry& e : *entries) {  // sorted by name
    if (!e.is_regular || e.name.starts_with(".")) continue;
    const std::string file = (fs::path(inbox) / e.name).string();
    ReceiptImport r = ImportReceipt(config, store, files, file);
    const std::string text = Describe(r);
    switch (r.result) {
      case Outcome::kApplied:
      case Outcome::kAlreadyImported:
        logger.Info(text, {{std::string(kFieldDeposit), r.outcome.deposit_file}},
                    kMessageIdReceiptImported);
        if (auto removed = files.Remove(file); !removed) {
          logger.Warning(removed.error().message() +
                         "; it stays in the inbox and its next import will change nothing");
        }
        break;
      case Outcome::kUnmatched:
      case Outcome::kInvalid: {
        const std::string refused = (fs::path(inbox) / "refused").string();
        const std::string to = (fs::path(refused) / e.name).string();
        auto moved = files.MakeDirectory(refused, ReceiptDirectoryMode(config));
        if (moved) moved = files.Rename(file, to);
        if (moved) moved = files.SyncDirectory(refused);
        logger.Error(
            text + (moved ? "; moved to " + to : "; left in the inbox: " + moved.error().message()),
            {}, kMessageIdReceiptRefused);
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
  auto store = OpenExistingStore(*config, ctx.clock, ctx.files);
  if (!store) {
    ctx.err << "accrochd receipts: " << store.error().message() << "\n";
    return ExitCodeFor(store.error());
  }
  int status = kExitOk;
  for (std::size_t i = 1; i < args.size(); ++i) {
    ReceiptImport r = ImportReceipt(*config, **store, ctx.files, args[i]);
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
  const std::string action = args.empty() ? "" : args.front();
  if (args.size() < 2 || (action != "retry" && action != "withdraw" && action != "correct")) {
    ctx.err << "accrochd passages: expected `passages retry ID...`, `passages withdraw ID... "
               "[--reason TEXT]` or `passages correct ID...`\n";
    return kExitConfig;
  }
  if (action != "withdraw" && ctx.invocation.reason) {
    ctx.err << "accrochd passages: --reason goes with `passages withdraw`\n";
    return kExitConfig;
  }
  auto config = LoadOrReport(ctx, "passages");
  if (!config) return kExitConfig;
  if (action != "retry") {
    // Refused before anything is opened: under 1.1.2 there is no SUPPRESSION at all.
    if (auto why = WithdrawalsUnsupported(*config)) {
      ctx.err << "accrochd passages: " << *why << "\n";
      return kExitConfig;
    }
  }
  auto store = OpenExistingStore(*config, ctx.clock, ctx.files);
  if (!store) {
    ctx.err << "accrochd passages: " << store.error().message() << "\n";
    return ExitCodeFor(store.error());
  }
  const std::vector<std::string> ids(args.begin() + 1, args.end());
  Result<std::vector<std::string>> problems;
  if (action == "retry") {
    problems = (*store)->passages().RequestRetry(ids);
  } else {
    mappings::WithdrawalRequested request;
    request.correction = action == "correct";
    request.reason = ctx.invocation.reason.value_or("");
    problems = (*store)->passages().RequestWithdrawal(
        ids, request,
        [&](const store::PassageRecord& p) { return WithdrawalObstacle(*config, ctx.files, p); });
  }
  if (!problems) {
    ctx.err << "accrochd passages: " << problems.error().message() << "\n";
    return ExitCodeFor(problems.error());
  }
  for (const std::string& p : *problems) ctx.err << "accrochd passages: " << p << "\n";
  const std::size_t done = ids.size() - problems->size();
  if (action == "retry") {
    ctx.out << done << " passage(s) will be deposited again with the next deposit\n";
  } else if (action == "withdraw") {
    ctx.out << done
            << " passage(s) queued for withdrawal: the next cycle writes their SUPPRESSION file; "
               "each becomes withdrawn when the CDC's accusé de traitement accepts it\n";
  } else {
    ctx.out << done
            << " passage(s) queued for correction: the next cycle writes their SUPPRESSION file; "
               "once the CDC accepts it, the corrected data go out in a CREATION file\n";
  }
  if (done > 0) {
    ctx.logger.Info(std::to_string(done) + " passage(s) queued for " +
                    (action == "retry"      ? "a new deposit"
                     : action == "withdraw" ? "withdrawal"
                                            : "correction"));
  }
  return problems->empty() ? kExitOk : kExitConfig;
}

}  // namespace accrochd::daemon
