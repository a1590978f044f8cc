// The reliability invariant of the deposit, checked from outside across runs that are killed:
// every idTechnique is in exactly one published deposit file, or still pending -- none lost,
// none in two files -- and the outbox only ever holds complete files valid against the official
// XSD.
//
// An OutboxObserver follows one state directory. After each run (killed or not) it looks at
// outbox/, at the manifest and archive, and at state.db (read with the sqlite3 CLI, read-only),
// and keeps a ledger of every file that ever appeared in the outbox and the idTechniques in it.
// It then does what the staff do: files the state store calls published are marked uploaded
// (`accrochd deposits mark-uploaded`) and removed from the outbox. A file still recorded as
// "publishing" (the run was killed between the rename and the store's update) is left where it
// is: the next start settles it by looking at the outbox.
#ifndef ACCROCHD_TESTS_SYSTEM_DEPOSIT_LEDGER_H_
#define ACCROCHD_TESTS_SYSTEM_DEPOSIT_LEDGER_H_

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/run_binary.h"
#include "tests/system/deposit_checks.h"

namespace accrochd::testing {

// What state.db says, read in one read transaction.
struct StoreSnapshot {
  struct Passage {
    std::string status;  // pending, quarantined, in_deposit, deposited, ...
    std::optional<std::int64_t> deposit;
  };
  struct Deposit {
    std::string file;
    std::string state;  // publishing, published, uploaded, abandoned, ...
    std::int64_t passages = 0;
  };
  std::map<std::string, Passage> passages;  // by idTechnique (one certifier in these tests)
  std::map<std::int64_t, Deposit> deposits;

  std::size_t Count(const std::string& status) const {
    return static_cast<std::size_t>(
        std::count_if(passages.begin(), passages.end(),
                      [&](const auto& p) { return p.second.status == status; }));
  }
  std::size_t Deposits(const std::string& state) const {
    return static_cast<std::size_t>(std::count_if(
        deposits.begin(), deposits.end(), [&](const auto& d) { return d.second.state == state; }));
  }
};

// Reads <state>/state.db with the sqlite3 CLI; an empty snapshot when there is none yet (no
// file, or a file without the schema yet).
inline StoreSnapshot ReadStore(const std::string& state) {
  StoreSnapshot s;
  const std::string db = state + "/state.db";
  if (!std::filesystem::exists(db)) return s;
  // -readonly: the test never changes the store; BEGIN..COMMIT: both tables from one snapshot.
  ShellResult r = Shell(Quote(ACCROCHD_SQLITE3) + " -readonly -bail -separator '|' " + Quote(db) +
                        " \"BEGIN; "
                        "SELECT 'P', id_technique, status, IFNULL(deposit_id, '') FROM passages; "
                        "SELECT 'D', id, file_name, state, passages FROM deposits; COMMIT;\"");
  // A kill between the file's creation and the commit of the schema's first migration leaves a
  // database without tables: nothing was recorded yet, the next start creates them.
  if (r.exit_code != 0 && r.out.find("no such table: passages") != std::string::npos) return s;
  if (r.exit_code != 0) throw std::runtime_error("sqlite3 " + db + ":\n" + r.out);
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::size_t start = 0;
    for (;;) {
      const std::size_t bar = line.find('|', start);
      f.push_back(line.substr(start, bar == std::string::npos ? bar : bar - start));
      if (bar == std::string::npos) break;
      start = bar + 1;
    }
    if (f[0] == "P" && f.size() == 4) {
      s.passages[f[1]] = {
          f[2], f[3].empty() ? std::nullopt : std::optional<std::int64_t>(std::stoll(f[3]))};
    } else if (f[0] == "D" && f.size() == 5) {
      s.deposits[std::stoll(f[1])] = {f[2], f[3], std::stoll(f[4])};
    } else {
      throw std::runtime_error("unexpected line from sqlite3: " + line);
    }
  }
  return s;
}

// The idTechniques of a deposit file, in order.
inline std::vector<std::string> IdTechniquesOf(const std::string& xml) {
  std::vector<std::string> ids;
  const std::string open = "<cpf:idTechnique>", close = "</cpf:idTechnique>";
  for (std::size_t at = xml.find(open); at != std::string::npos; at = xml.find(open, at)) {
    at += open.size();
    const std::size_t end = xml.find(close, at);
    if (end == std::string::npos) break;
    ids.push_back(xml.substr(at, end - at));
  }
  return ids;
}

// Where the publisher keeps a file's compressed copy: archive/YYYY/MM/ of the UTC stamp in its
// name ("BCR_20261127T013012Z_001.xml").
inline std::string ArchiveCopyOf(const std::string& state, const std::string& name) {
  const std::size_t stamp = name.rfind('_', name.rfind('_') - 1) + 1;
  return state + "/archive/" + name.substr(stamp, 4) + "/" + name.substr(stamp + 4, 2) + "/" +
         name + ".zst";
}

class OutboxObserver {
 public:
  // `bcr`: the certifier whose files these are; `config`: for `accrochd deposits`.
  OutboxObserver(std::string state, std::string config, std::string xsd, std::string bcr)
      : state_(std::move(state)),
        config_(std::move(config)),
        xsd_(std::move(xsd)),
        bcr_(std::move(bcr)),
        name_(bcr_ + R"(_[0-9]{8}T[0-9]{6}Z_[0-9]{3}\.xml)"),
        // A file being written, rewritten (.N) or one of its certification spools (.spool-N).
        partial_(R"(\.)" + bcr_ +
                 R"(_[0-9]{8}T[0-9]{6}Z_[0-9]{3}\.xml(\.[0-9]+|\.spool-[0-9]+)?\.partial)") {}

  struct Found {
    std::size_t new_files = 0;     // seen in the outbox for the first time
    std::size_t without_line = 0;  // outbox files without their manifest line
    std::size_t partials = 0;      // hidden partial files anywhere in the state directory
    std::size_t uploaded = 0;      // marked uploaded and removed by this check
    std::set<std::string> fresh;   // names of the new files
  };

  // Checks the state directory after a run ended (killed or not). `started`: the run got past
  // its start (outbox prepared, half-recorded deposits settled), so that the partial files and
  // the manifest lines a previous kill left must have been dealt with.
  Found Check(bool started) {
    Found found;
    const std::string outbox = state_ + "/outbox";
    std::vector<std::string> names;
    if (std::filesystem::exists(outbox)) {
      for (const auto& entry : std::filesystem::directory_iterator(outbox)) {
        const std::string name = entry.path().filename().string();
        if (std::regex_match(name, name_) && entry.is_regular_file()) {
          names.push_back(name);
        } else if (!std::regex_match(name, partial_)) {
          ADD_FAILURE() << "unexpected entry in the outbox: " << name;
        }
      }
    }
    std::sort(names.begin(), names.end());
    const std::vector<std::string> partials = PartialFiles(state_);
    found.partials = partials.size();
    if (started && partials_left_ > 0) {
      EXPECT_TRUE(last_log_.find("removed " + std::to_string(partials_left_) +
                                 " partial deposit file(s) left by an interrupted run") !=
                  std::string::npos)
          << "the start did not remove the " << partials_left_
          << " partial file(s) the previous kill left";
    }

    // New files: complete, valid against the official XSD, 0600, and their idTechniques in no
    // other file.
    std::vector<std::string> fresh;
    for (const std::string& n : names) {
      if (!files_.contains(n)) fresh.push_back(outbox + "/" + n);
    }
    if (!fresh.empty()) {
      ShellResult lint = Xmllint(xsd_, fresh);
      EXPECT_EQ(lint.exit_code, 0) << lint.out;
      for (const std::string& f : fresh) {
        EXPECT_THAT(lint.out, ::testing::HasSubstr(f + " validates\n"));
        EXPECT_EQ(Octal(Mode(f)), "0600") << f;
        const std::string name = std::filesystem::path(f).filename().string();
        const std::vector<std::string> ids = IdTechniquesOf(ReadFile(f));
        EXPECT_FALSE(ids.empty()) << f;
        for (const std::string& id : ids) {
          auto [it, inserted] = file_of_.emplace(id, name);
          if (!inserted) {
            ADD_FAILURE() << "idTechnique " << id << " is in two deposit files: " << it->second
                          << " and " << name;
          }
        }
        files_[name] = ids.size();
        found.fresh.insert(name);
      }
    }
    found.new_files = fresh.size();

    // Manifest lines written since the last check: each names a file of the outbox, with its
    // sha256 and passage count, and an archived copy that decompresses to the same bytes.
    std::vector<std::string> malformed;
    const std::vector<ManifestLine> manifest =
        ReadManifest(state_ + "/archive/manifest.tsv", malformed);
    EXPECT_THAT(malformed, ::testing::IsEmpty()) << "a manifest line is torn or malformed";
    std::vector<std::string> lined;
    for (std::size_t i = manifest_seen_; i < manifest.size(); ++i) {
      const ManifestLine& line = manifest[i];
      EXPECT_FALSE(with_line_.contains(line.file)) << "two manifest lines for " << line.file;
      with_line_.insert(line.file);
      if (!std::binary_search(names.begin(), names.end(), line.file)) {
        ADD_FAILURE() << "the manifest names " << line.file << ", which is not in the outbox";
        continue;
      }
      lined.push_back(outbox + "/" + line.file);
      EXPECT_EQ(line.passages, std::to_string(files_[line.file])) << line.file;
      EXPECT_EQ(line.certificateur, bcr_);
      // The manifest line is written last: the archived copy is complete.
      const std::string archive = ArchiveCopyOf(state_, line.file);
      EXPECT_EQ(Octal(Mode(archive)), "0600") << archive;
      ShellResult copy = Shell("zstd -dcq " + Quote(archive) + " | sha256sum");
      EXPECT_EQ(copy.exit_code, 0) << copy.out;
      EXPECT_TRUE(copy.out.starts_with(line.sha256 + " ")) << archive << ": " << copy.out;
    }
    const auto sums = Sha256Sums(lined);
    for (std::size_t i = manifest_seen_; i < manifest.size(); ++i) {
      const std::string path = outbox + "/" + manifest[i].file;
      if (sums.contains(path)) {
        EXPECT_EQ(manifest[i].sha256, sums.at(path)) << path;
      }
    }
    manifest_seen_ = manifest.size();

    // Files are published one after the other: a kill leaves at most one without its manifest
    // line, the last one published. The next start completes it.
    std::vector<std::string> without_line;
    for (const std::string& n : names) {
      if (!with_line_.contains(n)) without_line.push_back(n);
    }
    found.without_line = without_line.size();
    EXPECT_LE(without_line.size(), 1u) << "more than one outbox file without its manifest line";
    if (without_line.size() == 1) {
      EXPECT_EQ(without_line[0], names.back())
          << "only the last file published may lack its manifest line";
      if (started && without_line[0] == lineless_) {
        ADD_FAILURE() << without_line[0]
                      << " still lacks its manifest line after a start that should complete it";
      }
    }
    lineless_ = without_line.empty() ? "" : without_line[0];

    // The state store agrees with the files.
    store_ = ReadStore(state_);
    ExpectStoreAgrees(names);

    // The staff upload what the store calls published, mark it, and clear the outbox.
    std::vector<std::string> upload;
    for (const auto& [id, d] : store_.deposits) {
      if (d.state == "published") upload.push_back(d.file);
    }
    if (!upload.empty()) {
      std::vector<std::string> args = {"deposits", "--config", config_, "mark-uploaded"};
      args.insert(args.end(), upload.begin(), upload.end());
      RunResult marked = RunAccrochd(args);
      EXPECT_EQ(marked.exit_code, 0) << marked.err;
      for (const std::string& f : upload) {
        EXPECT_THAT(marked.out, ::testing::HasSubstr(f + ": marked uploaded"));
        std::filesystem::remove(outbox + "/" + f);
      }
      found.uploaded = upload.size();
      store_ = ReadStore(state_);
    }
    partials_left_ = partials.size();
    return found;
  }

  // The log of the run about to be checked (for the message of its start).
  void SetLog(std::string log) { last_log_ = std::move(log); }

  // The idTechniques of every file seen, and the file each is in.
  const std::map<std::string, std::string>& file_of() const { return file_of_; }
  std::size_t files() const { return files_.size(); }
  const StoreSnapshot& store() const { return store_; }

  // Every idTechnique of `valid` in exactly one file, nothing else in a file, nothing pending
  // but the `not_due` passages delivered in the future, no deposit still being published, and
  // no partial file left. For the end of a run that completed.
  void ExpectComplete(const std::set<std::string>& valid, std::uint64_t not_due = 0) const {
    std::set<std::string> in_files;
    for (const auto& [id, file] : file_of_) in_files.insert(id);
    std::vector<std::string> missing, extra;
    std::set_difference(valid.begin(), valid.end(), in_files.begin(), in_files.end(),
                        std::back_inserter(missing));
    std::set_difference(in_files.begin(), in_files.end(), valid.begin(), valid.end(),
                        std::back_inserter(extra));
    EXPECT_THAT(missing, ::testing::IsEmpty()) << missing.size() << " valid passage(s) in no file";
    EXPECT_THAT(extra, ::testing::IsEmpty()) << extra.size() << " unexpected passage(s) in files";
    for (const std::string& id : valid) {
      auto it = store_.passages.find(id);
      if (it == store_.passages.end()) {
        ADD_FAILURE() << id << " is unknown to the state store";
        continue;
      }
      EXPECT_THAT(it->second.status, ::testing::AnyOf("in_deposit", "deposited")) << id;
    }
    EXPECT_EQ(store_.Count("pending"), not_due) << "pending beyond the passages not due yet";
    EXPECT_EQ(store_.Deposits("publishing"), 0u);
    EXPECT_THAT(PartialFiles(state_), ::testing::IsEmpty());
  }

 private:
  // Every passage in a file is recorded in the store as in that file's deposit, and every
  // passage the store holds in a deposit is in that deposit's file -- or, for a deposit a kill
  // left "publishing" whose file never reached the outbox, in no file (it goes back to pending
  // at the next start). Pending and quarantined passages are in no file.
  void ExpectStoreAgrees(const std::vector<std::string>& outbox_names) const {
    std::map<std::int64_t, bool> effective;  // deposit id -> its file is (was) in the outbox
    for (const auto& [id, d] : store_.deposits) {
      const bool in_outbox = std::binary_search(outbox_names.begin(), outbox_names.end(), d.file);
      if (d.state == "publishing") {
        effective[id] = in_outbox;
      } else if (d.state == "published") {
        EXPECT_TRUE(in_outbox) << d.file << " is published but not in the outbox";
        effective[id] = true;
      } else if (d.state == "uploaded") {
        EXPECT_TRUE(files_.contains(d.file)) << d.file << " is uploaded but was never seen";
        effective[id] = true;
      } else if (d.state == "abandoned") {
        EXPECT_FALSE(files_.contains(d.file))
            << d.file << " was seen in the outbox but its deposit is recorded as abandoned";
        effective[id] = false;
      } else {
        ADD_FAILURE() << d.file << ": unexpected deposit state " << d.state;
      }
      if (effective[id] && files_.contains(d.file)) {
        EXPECT_EQ(static_cast<std::size_t>(d.passages), files_.at(d.file)) << d.file;
      }
    }
    for (const auto& [id, p] : store_.passages) {
      auto in_file = file_of_.find(id);
      if (p.status == "in_deposit" || p.status == "deposited") {
        if (!p.deposit || !store_.deposits.contains(*p.deposit)) {
          ADD_FAILURE() << id << " is " << p.status << " in no recorded deposit";
          continue;
        }
        const StoreSnapshot::Deposit& d = store_.deposits.at(*p.deposit);
        if (effective[*p.deposit]) {
          if (in_file == file_of_.end()) {
            ADD_FAILURE() << id << " is recorded in " << d.file << " but is in no file seen";
          } else {
            EXPECT_EQ(in_file->second, d.file) << id;
          }
        } else {
          EXPECT_TRUE(in_file == file_of_.end())
              << id << " is in " << in_file->second << ", yet its deposit " << d.file
              << " will be rolled back: it would be sent twice";
        }
      } else if (p.status == "pending" || p.status == "quarantined") {
        EXPECT_TRUE(in_file == file_of_.end())
            << id << " is " << p.status << " although it is in " << in_file->second;
      } else {
        ADD_FAILURE() << id << ": unexpected status " << p.status;
      }
    }
    for (const auto& [id, file] : file_of_) {
      EXPECT_TRUE(store_.passages.contains(id))
          << id << " is in " << file << " but unknown to the state store";
    }
  }

  std::string state_, config_, xsd_, bcr_;
  std::regex name_, partial_;
  std::map<std::string, std::size_t> files_;    // every file seen -> its passage count
  std::map<std::string, std::string> file_of_;  // idTechnique -> file
  std::set<std::string> with_line_;             // files with a manifest line
  std::size_t manifest_seen_ = 0;
  std::string lineless_;  // the outbox file without a manifest line at the last check
  std::size_t partials_left_ = 0;
  std::string last_log_;
  StoreSnapshot store_;
};

}  // namespace accrochd::testing

#endif  // ACCROCHD_TESTS_SYSTEM_DEPOSIT_LEDGER_H_
