#include "connectors/deposit/deposit_session.h"

#include <algorithm>
#include <future>
#include <map>
#include <set>

#include "connectors/xml/xsd_explain.h"
#include "core/random_id.h"
#include "core/thread_priority.h"

namespace accrochd::deposit {
namespace {

// Best effort: a partial file left behind is removed by the next Publisher::Prepare().
void RemoveQuietly(FileSystem& files, const std::string& path) {
  if (!path.empty()) (void)files.Remove(path);
}

// Where a value outside any passage comes from, so that a refused header names the setting to
// correct: " (idContrat, from certifiers.NAME.id_contrat in the configuration)".
std::string ValueSource(const xml::XsdError& e, mappings::SchemaVersion version,
                        const std::string& certifier) {
  const std::string c = "certifiers." + (certifier.empty() ? std::string("NAME") : certifier);
  const std::string_view header =
      xml::DepositWriter::HeaderValueAt(static_cast<std::uint64_t>(std::max(e.line, 0)), version);
  if (header == "idContrat") return " (idContrat, from " + c + ".id_contrat in the configuration)";
  if (header == "certificateur") {
    return " (the certifier's idClient, from " + c + ".id_client in the configuration)";
  }
  if (header == "emetteur") {
    return " (the emetteur's idClient, from " + c + ".emetteur, emetteur or " + c +
           ".id_client in the configuration)";
  }
  if (!header.empty()) return " (" + std::string(header) + ", written by accrochd)";
  if (e.element == "type" || e.element == "code") {
    return " (the certification's " + e.element + ", from certification." + e.element +
           " in a mapping)";
  }
  if (e.element == "natureDeposant") return " (natureDeposant, from nature_deposant in a mapping)";
  return "";
}

}  // namespace

Result<xml::FileLayout> RewriteWithout(FileSystem& files, const std::string& from,
                                       const std::string& to, const xml::FileLayout& layout,
                                       const std::vector<std::uint64_t>& passage_lines) {
  const std::set<std::uint64_t> dropped_passages(passage_lines.begin(), passage_lines.end());
  std::set<std::uint64_t> skip(dropped_passages);
  for (const xml::FileLayout::Certification& c : layout.certifications) {
    const bool empty = std::all_of(c.passage_lines.begin(), c.passage_lines.end(),
                                   [&](std::uint64_t l) { return dropped_passages.contains(l); });
    if (!empty) continue;
    for (std::uint64_t l = c.open_first; l <= c.open_last; ++l) skip.insert(l);
    for (std::uint64_t l = c.close_first; l <= c.close_last; ++l) skip.insert(l);
  }
  auto in = files.OpenForReading(from);
  if (!in) return std::unexpected(in.error());
  auto file = files.NewFile(to, CreateMode::kExclusive, FileMode{0600, std::nullopt});
  if (!file) return std::unexpected(file.error());
  std::uint64_t number = 0, removed = 0;
  std::map<std::uint64_t, std::uint64_t> renumber;  // old line -> new line, for kept lines
  // Lines are copied as they are read, 64 kB at a time: memory stays flat.
  std::string out;
  std::string line;  // the line being read, without its end
  auto fail = [&](const Error& error) {
    file->reset();
    (void)files.Remove(to);  // best effort: Publisher::Prepare() removes what stays
    return std::unexpected(error);
  };
  auto end_line = [&](bool newline) -> Result<void> {
    ++number;
    if (skip.contains(number)) {
      ++removed;
    } else {
      renumber[number] = number - removed;
      out += line;
      if (newline) out += '\n';
    }
    line.clear();
    if (out.size() >= (1u << 16)) {
      if (auto r = (*file)->Append(out); !r) return r;
      out.clear();
    }
    return {};
  };
  std::vector<char> buffer(1 << 16);
  for (;;) {
    auto n = (*in)->Read(buffer.data(), buffer.size());
    if (!n) return fail(n.error());
    if (*n == 0) break;
    for (std::size_t i = 0; i < *n; ++i) {
      if (buffer[i] != '\n') {
        line += buffer[i];
      } else if (auto r = end_line(true); !r) {
        return fail(r.error());
      }
    }
  }
  if (!line.empty()) {
    if (auto r = end_line(false); !r) return fail(r.error());
  }
  if (auto r = (*file)->Append(out); !r) return fail(r.error());
  if (auto r = (*file)->Sync(); !r) return fail(r.error());
  xml::FileLayout result;
  for (const xml::FileLayout::Certification& c : layout.certifications) {
    if (!renumber.contains(c.open_first)) continue;  // dropped whole
    xml::FileLayout::Certification n;
    n.open_first = renumber[c.open_first];
    n.open_last = renumber[c.open_last];
    n.close_first = renumber[c.close_first];
    n.close_last = renumber[c.close_last];
    for (std::uint64_t l : c.passage_lines) {
      if (!dropped_passages.contains(l)) n.passage_lines.push_back(renumber[l]);
    }
    result.certifications.push_back(std::move(n));
  }
  for (std::size_t i = 0; i < layout.passage_lines.size(); ++i) {
    if (dropped_passages.contains(layout.passage_lines[i])) continue;
    result.passage_lines.push_back(renumber[layout.passage_lines[i]]);
    result.id_techniques.push_back(layout.id_techniques[i]);
  }
  return result;
}

DepositSession::DepositSession(SessionSettings settings, Publisher& publisher, const TimeZone& zone,
                               Clock& clock, Logger& logger)
    : settings_(std::move(settings)),
      publisher_(publisher),
      timezone_(zone),
      clock_(clock),
      logger_(logger),
      worker_([this](std::stop_token stop) { Work(stop); }) {}

DepositSession::~DepositSession() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  worker_.request_stop();
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
  // Whatever was not published is abandoned: its partial files go.
  if (writer_) {
    writer_.reset();
    RemoveQuietly(publisher_.files(), current_.partial);
  }
  RemoveSpools();
  for (const Sealed& s : queue_) RemoveQuietly(publisher_.files(), s.partial);
}

void DepositSession::RemoveSpools() {
  for (auto& [key, spool] : spools_) {
    spool.file.reset();
    RemoveQuietly(publisher_.files(), spool.path);
  }
  spools_.clear();
  spooled_passages_ = 0;
  spooled_bytes_ = 0;
}

Result<void> DepositSession::DrainSpools() {
  std::vector<char> buffer(1 << 16);
  for (auto& [key, spool] : spools_) {
    spool.file.reset();  // closed: everything appended is in the file
    if (writer_->certification_open()) {
      if (auto r = writer_->CloseCertification(); !r) return r;
    }
    const mappings::Certification certification{std::get<0>(key), std::get<1>(key)};
    if (auto r = writer_->OpenCertification(certification, spool.nature_deposant); !r) return r;
    auto in = publisher_.files().OpenForReading(spool.path);
    if (!in) return std::unexpected(in.error());
    std::size_t index = 0;
    std::string line;
    for (;;) {
      auto n = (*in)->Read(buffer.data(), buffer.size());
      if (!n) return std::unexpected(n.error());
      if (*n == 0) break;
      for (std::size_t i = 0; i < *n; ++i) {
        if (buffer[i] != '\n') {
          line += buffer[i];
          continue;
        }
        if (index >= spool.id_techniques.size()) break;
        if (auto r = writer_->AppendPassage(line, spool.id_techniques[index]); !r) return r;
        current_.origins.push_back(std::move(spool.origins[index]));
        ++index;
        line.clear();
      }
    }
    if (index != spool.id_techniques.size()) {
      return Fail(ErrorKind::kIo, "spool file " + spool.path + " holds " + std::to_string(index) +
                                      " passage(s), " + std::to_string(spool.id_techniques.size()) +
                                      " were written");
    }
  }
  RemoveSpools();
  return {};
}

Result<void> DepositSession::StartFile() {
  current_ = Sealed{};
  current_.name = publisher_.NameFor(settings_.certificateur);
  current_.partial = publisher_.PartialPath(current_.name);
  current_.id_flux = NewUuid();
  xml::FluxHeader header;
  header.id_flux = current_.id_flux;
  header.horodatage = timezone_.LocalTimestamp(clock_.Now());
  header.emetteur = settings_.emetteur;
  header.certificateur = settings_.certificateur;
  header.id_contrat = settings_.id_contrat;
  header.version = settings_.version;
  header.action = settings_.action;
  auto writer = xml::DepositWriter::Create(publisher_.files(), current_.partial, header);
  if (!writer) return std::unexpected(writer.error());
  writer_ = std::move(*writer);
  open_.reset();
  return {};
}

Result<void> DepositSession::Seal() {
  if (auto r = DrainSpools(); !r) return r;
  if (auto r = writer_->Finish(); !r) return r;
  current_.layout = writer_->layout();
  writer_.reset();
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(current_));
  }
  cv_.notify_all();
  current_ = Sealed{};
  return {};
}

Result<void> DepositSession::Add(const mappings::Passage& passage) {
  {
    std::lock_guard lock(mutex_);
    if (error_) return std::unexpected(*error_);
  }
  const std::string serialized = xml::SerializePassage(passage, settings_.version);
  if (serialized.empty()) {
    return Fail(ErrorKind::kInternal, "passage " + passage.id_technique + " cannot be serialized");
  }
  return AddSerialized(passage.certification, passage.mapping->nature_deposant,
                       passage.id_technique, serialized, passage.mapping->name, passage.source_key);
}

Result<void> DepositSession::AddSerialized(const mappings::Certification& certification,
                                           const std::optional<std::string>& nature,
                                           const std::string& id_technique,
                                           const std::string& serialized,
                                           const std::string& mapping,
                                           const std::string& source_key) {
  {
    std::lock_guard lock(mutex_);
    if (error_) return std::unexpected(*error_);
  }
  const GroupKey key{certification.type, certification.code, nature.value_or("")};
  const bool known = (writer_ && open_ == key) || spools_.contains(key);
  const std::uint64_t need =
      serialized.size() + xml::DepositWriter::kPassageOverhead + xml::DepositWriter::kMaxTailBytes +
      (known ? 0 : xml::DepositWriter::CertificationBytes(certification, nature));
  if (writer_ && (writer_->passage_count() + spooled_passages_ >= settings_.max_passages ||
                  writer_->bytes() + spooled_bytes_ + need > settings_.max_bytes)) {
    if (auto r = Seal(); !r) return r;
  }
  if (!writer_) {
    if (auto r = StartFile(); !r) return r;
    if (writer_->bytes() + need > settings_.max_bytes) {
      return Fail(ErrorKind::kConfig, "passage " + id_technique + " alone (" +
                                          std::to_string(serialized.size()) +
                                          " bytes) does not fit in max_file_size");
    }
  }
  if (!open_) {  // the file's first certification is written directly
    if (auto r = writer_->OpenCertification(certification, nature); !r) return r;
    open_ = key;
  }
  if (*open_ == key) {
    if (auto r = writer_->AppendPassage(serialized, id_technique); !r) return r;
    current_.origins.emplace_back(mapping, source_key);
  } else {
    auto it = spools_.find(key);
    if (it == spools_.end()) {
      Spool spool;
      spool.path =
          publisher_.PartialPath(current_.name + ".spool-" + std::to_string(spools_.size() + 1));
      auto file = publisher_.files().NewFile(spool.path, CreateMode::kExclusive,
                                             FileMode{0600, std::nullopt});
      if (!file) return std::unexpected(file.error());
      spool.file = std::move(*file);
      spool.nature_deposant = nature;
      it = spools_.emplace(key, std::move(spool)).first;
      spooled_bytes_ += xml::DepositWriter::CertificationBytes(certification, nature);
    }
    if (auto r = it->second.file->Append(serialized + "\n"); !r) return r;
    it->second.id_techniques.push_back(id_technique);
    it->second.origins.emplace_back(mapping, source_key);
    ++spooled_passages_;
    spooled_bytes_ += serialized.size() + xml::DepositWriter::kPassageOverhead;
  }
  ++added_;
  return {};
}

DepositOutcome DepositSession::Abandon() {
  if (writer_) {
    writer_.reset();
    RemoveQuietly(publisher_.files(), current_.partial);
  }
  RemoveSpools();
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
  return Outcome();
}

DepositOutcome DepositSession::Outcome() {
  std::lock_guard lock(mutex_);
  return outcome_;
}

Result<DepositOutcome> DepositSession::Finish() {
  if (writer_ && writer_->passage_count() + spooled_passages_ > 0) {
    if (auto r = Seal(); !r) return std::unexpected(r.error());
  } else if (writer_) {
    writer_.reset();
    RemoveQuietly(publisher_.files(), current_.partial);
  }
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  cv_.notify_all();
  worker_.join();
  std::lock_guard lock(mutex_);
  if (error_) return std::unexpected(*error_);
  return outcome_;
}

void DepositSession::Work(std::stop_token stop) {
  NameThread("check");
  checker_.Begin();
  struct End {
    StageMeter& meter;
    ~End() { meter.End(); }
  } end{checker_};
  for (;;) {
    Sealed sealed;
    {
      std::unique_lock lock(mutex_);
      {
        StageMeter::Waiting waiting(checker_);
        cv_.wait(lock, stop, [&] { return !queue_.empty() || closing_; });
      }
      if (stop.stop_requested() || queue_.empty()) return;
      sealed = std::move(queue_.front());
      queue_.pop_front();
      if (error_) {  // after a failure nothing more is published
        RemoveQuietly(publisher_.files(), sealed.partial);
        continue;
      }
    }
    std::optional<PublishedFile> reached_outbox;
    // An exception (a hook's, a library's, no memory) is this file's failure, not the end of
    // the process: this thread has no one above it to catch it.
    auto published = [&]() -> Result<std::optional<PublishedFile>> {
      try {
        return CheckAndPublish(sealed, reached_outbox);
      } catch (const std::exception& e) {
        return Fail(ErrorKind::kInternal, "deposit file " + sealed.name + ": " + e.what());
      }
    }();
    std::lock_guard lock(mutex_);
    if (!published) {
      error_ = published.error();
      RemoveQuietly(publisher_.files(), sealed.partial);
      // In the outbox, it will be deposited: it is told, and its record is completed at the
      // next start if this process could not do it.
      if (reached_outbox) outcome_.files.push_back(std::move(*reached_outbox));
    } else if (*published) {
      outcome_.files.push_back(std::move(**published));
    }
  }
}

namespace {

// The file's record in the state store (PublishHooks::before), made while the XSD check runs,
// on a thread of its own: both take seconds for a large file, and the store's writes need not
// wait for the check. It covers the passages the file holds before the check; if the check takes
// some out (or fails), the record is abandoned -- its passages pending again -- and the file is
// recorded again with the passages it keeps. A crash meanwhile leaves a deposit "publishing"
// whose file never reached the outbox: the next start abandons it, as any other.
class EarlyRecord {
 public:
  EarlyRecord(const PublishHooks& hooks, const std::string& name, const std::string& id_flux,
              std::vector<std::string> id_techniques)
      : hooks_(hooks) {
    if (!hooks_.before) return;
    future_ =
        RunOnNamedThread("file-record", [this, name, id_flux, ids = std::move(id_techniques)] {
          try {
            return hooks_.before(name, id_flux, ids);
          } catch (const std::exception& e) {
            return Result<std::int64_t>(Fail(ErrorKind::kInternal, e.what()));
          }
        });
  }
  ~EarlyRecord() { Abandon("the file was not published as checked"); }
  EarlyRecord(const EarlyRecord&) = delete;
  EarlyRecord& operator=(const EarlyRecord&) = delete;

  // The record, for the file as it was when the check began.
  Result<std::int64_t> Take() { return future_.get(); }
  // The file changed or will not be published: the record is undone (when it was made).
  void Abandon(const std::string& why) {
    if (!future_.valid()) return;
    Result<std::int64_t> r = future_.get();
    if (r && hooks_.abandoned) hooks_.abandoned(*r, why);
  }

 private:
  const PublishHooks& hooks_;
  std::future<Result<std::int64_t>> future_;
};

// The compressed copy a check writes, removed unless it was renamed into the archive (its path
// then cleared).
struct ArchiveCopy {
  explicit ArchiveCopy(FileSystem& f) : files(f) {}
  ~ArchiveCopy() { RemoveQuietly(files, path); }
  ArchiveCopy(const ArchiveCopy&) = delete;
  ArchiveCopy& operator=(const ArchiveCopy&) = delete;

  FileSystem& files;
  std::string path;
};

}  // namespace

Result<std::optional<PublishedFile>> DepositSession::CheckAndPublish(
    Sealed& sealed, std::optional<PublishedFile>& reached_outbox) {
  EarlyRecord early(settings_.hooks, sealed.name, sealed.id_flux, sealed.layout.id_techniques);
  bool rewritten = false;
  std::string sha256;  // of the file as last checked
  ArchiveCopy copy(publisher_.files());
  // Each pass quarantines at least one passage (an error outside any passage is fatal), so the
  // loop ends; the validator reports up to its error limit per pass.
  for (int rewrite = 1;; ++rewrite) {
    auto file = publisher_.files().OpenForReading(sealed.partial, Caching::kUncached);
    if (!file) return std::unexpected(file.error());
    auto out = publisher_.NewArchiveCopy(sealed.name);
    if (!out) return std::unexpected(out.error());
    copy.path = (*out)->path();
    // The check reads the whole file: its SHA-256 and its compressed copy are taken on the way
    // (a read each less).
    Sha256Reader hashed(**file);
    ZstdReader compressed(hashed, **out);
    auto errors = settings_.schema->Validate(compressed);
    if (!errors) return std::unexpected(errors.error());
    if (errors->empty()) {
      if (auto r = compressed.Finish(); !r) return std::unexpected(r.error());
      if (auto r = (*out)->Sync(); !r) return std::unexpected(r.error());
      auto sha = hashed.Finish();
      if (!sha) return std::unexpected(sha.error());
      sha256 = std::move(*sha);
      break;
    }
    // Each error names a line; a passage is one line.
    std::vector<std::uint64_t> faulty;
    std::vector<mappings::Rejection> rejections;
    for (const xml::XsdError& e : *errors) {
      const auto& lines = sealed.layout.passage_lines;
      auto it = std::find(lines.begin(), lines.end(), static_cast<std::uint64_t>(e.line));
      if (it == lines.end()) {
        return Fail(ErrorKind::kInternal,
                    "deposit file " + sealed.name + " is refused by " + settings_.schema->name() +
                        " outside any passage, line " + std::to_string(e.line) +
                        ValueSource(e, settings_.version, settings_.certifier) + ": " +
                        xml::XsdMessageWithoutValues(e.message));
      }
      const std::size_t index = static_cast<std::size_t>(it - lines.begin());
      if (std::find(faulty.begin(), faulty.end(), *it) == faulty.end()) faulty.push_back(*it);
      rejections.push_back({sealed.origins[index].first, sealed.layout.id_techniques[index],
                            sealed.origins[index].second, e.element, mappings::Rule::kXsd,
                            "refusé par le schéma XSD : " + xml::ExplainXsdError(e)});
    }
    logger_.Warning("deposit file " + sealed.name + ": the XSD refused " +
                    std::to_string(faulty.size()) +
                    " passage(s); they are quarantined and the file is written again");
    std::vector<std::pair<std::string, std::string>> origins;
    for (std::size_t i = 0; i < sealed.layout.passage_lines.size(); ++i) {
      if (std::find(faulty.begin(), faulty.end(), sealed.layout.passage_lines[i]) == faulty.end()) {
        origins.push_back(sealed.origins[i]);
      }
    }
    {
      std::lock_guard lock(mutex_);
      outcome_.rejections.insert(outcome_.rejections.end(), rejections.begin(), rejections.end());
    }
    if (!rewritten) early.Abandon("the XSD refused passages of the file, written again");
    rewritten = true;
    if (origins.empty()) {  // nothing left to deposit
      RemoveQuietly(publisher_.files(), sealed.partial);
      return std::optional<PublishedFile>();
    }
    const std::string next = publisher_.PartialPath(sealed.name + "." + std::to_string(rewrite));
    auto layout = RewriteWithout(publisher_.files(), sealed.partial, next, sealed.layout, faulty);
    if (!layout) return std::unexpected(layout.error());
    RemoveQuietly(publisher_.files(), sealed.partial);
    sealed.partial = next;
    sealed.layout = std::move(*layout);
    sealed.origins = std::move(origins);
  }
  PublishedFile file;
  file.name = sealed.name;
  file.id_flux = sealed.id_flux;
  file.passages = sealed.layout.id_techniques.size();
  file.certificateur = settings_.certificateur;
  file.sha256 = sha256;
  file.archive_copy = copy.path;
  // The state store learns of the file before it appears in the outbox, and that it appeared
  // after: a crash in between is settled at the next start by looking at the outbox.
  std::int64_t token = 0;
  if (settings_.hooks.before) {
    auto t = rewritten
                 ? settings_.hooks.before(file.name, file.id_flux, sealed.layout.id_techniques)
                 : early.Take();
    if (!t) return std::unexpected(t.error());
    token = *t;
  }
  auto published = publisher_.Publish(sealed.partial, file);
  copy.path = file.archive_copy;  // empty once renamed into the archive
  if (file.in_outbox) reached_outbox = file;
  if (settings_.hooks.before) {
    if (file.in_outbox) {
      if (auto r = settings_.hooks.after(token, file); !r) return std::unexpected(r.error());
    } else if (settings_.hooks.abandoned) {
      settings_.hooks.abandoned(token, published ? "" : published.error().message());
    }
  }
  if (!published) return std::unexpected(published.error());
  logger_.Info("deposit file " + file.name + " published: " + std::to_string(file.passages) +
                   " passage(s), idFlux " + file.id_flux,
               {{std::string(kFieldCertificateur), settings_.certificateur},
                {std::string(kFieldDeposit), file.name}},
               kMessageIdDepositPublished);
  return std::optional<PublishedFile>(std::move(file));
}

}  // namespace accrochd::deposit
