// Writes deposit files (cpf:flux) with libxml2's xmlTextWriter, streaming: memory stays flat in
// the number of passages.
//
// Layout: the flux header indented as in the CDC's examples, then ONE PASSAGE PER LINE. A
// validator's line number therefore names its passage, which is how a passage the XSD refuses is
// found and quarantined; and each passage is serialized before it is appended, so that the
// caller knows its exact size and can start a new file before a limit is crossed.
#ifndef ACCROCHD_CONNECTORS_XML_DEPOSIT_WRITER_H_
#define ACCROCHD_CONNECTORS_XML_DEPOSIT_WRITER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/file_system.h"
#include "mappings/dictionary.h"
#include "mappings/mapping.h"
#include "mappings/passage.h"

namespace accrochd::xml {

// The flux-level elements (dictionary blocs 1 to 3).
struct FluxHeader {
  std::string id_flux;        // 1.1, a UUID
  std::string horodatage;     // 1.2, "YYYY-MM-DDThh:mm:ss+hh:mm"
  std::string emetteur;       // 2.1, the depositor's BCR
  std::string certificateur;  // 3.1, the certifier's BCR
  std::string id_contrat;     // 3.2
  mappings::SchemaVersion version = mappings::SchemaVersion::k115;
  std::string action = "CREATION";  // 1.1.5 only: CREATION or SUPPRESSION
};

// The serialized XML of one passage (a cpf:passageCertification element), on one line.
std::string SerializePassage(const mappings::Passage& passage, mappings::SchemaVersion version);

// Where the parts of a written file are, by line (1-based), for the rewrite that drops passages
// the XSD refused.
struct FileLayout {
  struct Certification {
    std::uint64_t open_first = 0, open_last = 0;    // lines of the opening tags
    std::uint64_t close_first = 0, close_last = 0;  // lines of the closing tags
    std::vector<std::uint64_t> passage_lines;
  };
  std::vector<Certification> certifications;
  std::vector<std::string> id_techniques;    // in file order
  std::vector<std::uint64_t> passage_lines;  // in file order, matching id_techniques
};

// One file being written. Not thread-safe.
class DepositWriter {
 public:
  // Creates `path`, which must not exist, with mode 0600, and writes the header. Everything is
  // written, and fsynced by Finish(), through `files` (which must outlive the writer), so that a
  // full disk is an error naming the path.
  static Result<std::unique_ptr<DepositWriter>> Create(FileSystem& files, const std::string& path,
                                                       const FluxHeader& header);
  // The header value that Create writes on `line` for `version`: "idFlux", "horodatage",
  // "emetteur" (its idClient), "certificateur" (its idClient) or "idContrat"; "" for any other
  // line. Lets an error on a header line name the setting behind the value.
  static std::string_view HeaderValueAt(std::uint64_t line, mappings::SchemaVersion version);
  ~DepositWriter();
  DepositWriter(const DepositWriter&) = delete;
  DepositWriter& operator=(const DepositWriter&) = delete;

  // Opens a cpf:certification element. Passages are grouped by certification.
  Result<void> OpenCertification(const mappings::Certification& certification,
                                 const std::optional<std::string>& nature_deposant);
  // Appends a passage serialized by SerializePassage.
  Result<void> AppendPassage(const std::string& serialized, const std::string& id_technique);
  Result<void> CloseCertification();
  // Closes every element, flushes and fsyncs the file. Nothing can be added afterwards.
  Result<void> Finish();

  bool certification_open() const { return certification_open_; }
  std::uint64_t bytes() const;  // bytes in the file so far
  std::uint64_t passage_count() const { return layout_.id_techniques.size(); }
  const FileLayout& layout() const { return layout_; }
  const std::string& path() const { return path_; }

  // Bytes Finish() adds when a certification is open: an upper bound, to keep a file under a
  // size limit.
  static constexpr std::uint64_t kMaxTailBytes = 256;
  // Bytes a passage adds beyond its serialization (line break and indentation).
  static constexpr std::uint64_t kPassageOverhead = 32;
  // Upper bound of the bytes that closing the open certification (if any) and opening this one
  // add: the tags and indentation, and the values at their longest escaped form.
  static std::uint64_t CertificationBytes(const mappings::Certification& certification,
                                          const std::optional<std::string>& nature_deposant);

 private:
  struct Impl;
  explicit DepositWriter(std::unique_ptr<Impl> impl, std::string path);

  std::unique_ptr<Impl> impl_;
  std::string path_;
  bool certification_open_ = false;
  bool finished_ = false;
  FileLayout layout_;
};

}  // namespace accrochd::xml

#endif  // ACCROCHD_CONNECTORS_XML_DEPOSIT_WRITER_H_
