#include "connectors/xml/deposit_writer.h"

#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <libxml/xmlwriter.h>

namespace accrochd::xml {
namespace {

using mappings::Field;
using mappings::FieldValue;
using mappings::Group;

constexpr const char* kXsiNamespace = "http://www.w3.org/2001/XMLSchema-instance";

const xmlChar* X(const char* s) { return reinterpret_cast<const xmlChar*>(s); }

// Owns an xmlTextWriter (style.md §7).
struct WriterDeleter {
  void operator()(xmlTextWriter* w) const { xmlFreeTextWriter(w); }
};
using WriterPtr = std::unique_ptr<xmlTextWriter, WriterDeleter>;

// A passage's XML, written straight into a string: the bytes libxml2's xmlTextWriter writes
// for the same calls (a unit test holds the two to each other), without the writer's work per
// element (a copy of each name, a node on its stack, its buffer's growth; bench/README.md,
// 2026-12-03, morning). Every file is still parsed and checked against the XSD before it is
// published.
class PassageXml {
 public:
  explicit PassageXml(std::string& out) : out_(out) {}

  void Start(std::string_view name) {
    CloseStartTag();
    out_ += '<';
    out_ += name;
    open_ = true;
  }
  // An element with nothing in it is closed in its start tag, as libxml2 does ("<a/>").
  void End(std::string_view name) {
    if (open_) {
      out_ += "/>";
      open_ = false;
      return;
    }
    out_ += "</";
    out_ += name;
    out_ += '>';
  }
  void Element(std::string_view name, const std::string& text) {
    Start(name);
    CloseStartTag();  // even for "": <a></a>, as libxml2 writes an empty string
    Text(text);
    End(name);
  }
  void Nil(std::string_view name) {
    Start(name);
    out_ += " xsi:nil=\"true\"";
    End(name);
  }

 private:
  void CloseStartTag() {
    if (!open_) return;
    out_ += '>';
    open_ = false;
  }
  // Text content, escaped as libxml2's xmlEncodeSpecialChars does (< > & " and carriage
  // returns); line breaks as character references too, so that a passage stays on its line (the
  // value is unchanged: a character reference is not normalised away).
  void Text(const std::string& text) {
    std::size_t plain = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      const char* reference = nullptr;
      switch (text[i]) {
        case '<':
          reference = "&lt;";
          break;
        case '>':
          reference = "&gt;";
          break;
        case '&':
          reference = "&amp;";
          break;
        case '"':
          reference = "&quot;";
          break;
        case '\n':
          reference = "&#10;";
          break;
        case '\r':
          reference = "&#13;";
          break;
        default:
          continue;
      }
      out_.append(text, plain, i - plain);
      out_ += reference;
      plain = i + 1;
    }
    out_.append(text, plain, std::string::npos);
  }

  std::string& out_;
  bool open_ = false;  // a start tag written without its '>'
};

// The file around the passages (its header, each certification's opening and closing) is
// written with libxml2's writer, which keeps the open elements; an element with a value in it is
// written as a passage's are and handed to the writer as it is (the writer closes its parent's
// start tag first).
bool Element(xmlTextWriter* w, const char* name, const std::string& text) {
  std::string xml;
  PassageXml(xml).Element(name, text);
  return xmlTextWriterWriteRawLen(w, X(xml.c_str()), static_cast<int>(xml.size())) >= 0;
}

bool Start(xmlTextWriter* w, const char* name) {
  return xmlTextWriterStartElement(w, X(name)) >= 0;
}
bool End(xmlTextWriter* w) { return xmlTextWriterEndElement(w) >= 0; }

// Each field's element name, "cpf:" and its name in the dictionary: made once, not per passage.
const std::string& QualifiedName(Field f) {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> all;
    for (std::size_t i = 0; i < mappings::kFieldCount; ++i) {
      all.push_back("cpf:" + std::string(mappings::Spec(static_cast<Field>(i)).name));
    }
    return all;
  }();
  return names[static_cast<std::size_t>(f)];
}

// A field of the passage: its value, xsi:nil, or nothing when absent.
void FieldElement(PassageXml& w, const mappings::Passage& p, Field f) {
  const FieldValue& v = p[f];
  switch (v.state) {
    case FieldValue::State::kAbsent:
      return;
    case FieldValue::State::kNil:
      w.Nil(QualifiedName(f));
      return;
    case FieldValue::State::kValue:
      w.Element(QualifiedName(f), v.text);
      return;
  }
}

// False only for what the schema version cannot hold (a NIR under 1.1.2).
bool WritePassage(PassageXml& w, const mappings::Passage& p, mappings::SchemaVersion version) {
  if (p.identification == Group::kIdentifiantNational && version != mappings::SchemaVersion::k115) {
    return false;
  }
  w.Start("cpf:passageCertification");
  w.Element("cpf:idTechnique", p.cdc_id_technique.empty() ? p.id_technique : p.cdc_id_technique);
  for (Field f : {Field::urlPreuve, Field::libelleOption, Field::obtentionCertification,
                  Field::donneeCertifiee, Field::dateDebutExamen, Field::dateFinExamen,
                  Field::modalitePassageExamen, Field::codePostalCentreExamen,
                  Field::dateDebutValidite, Field::dateFinValidite, Field::presenceNiveauLangueEuro,
                  Field::niveauLangueEuropeen, Field::presenceNiveauNumeriqueEuro}) {
    FieldElement(w, p, f);
  }
  // Bloc 6, if and only if presenceNiveauNumeriqueEuro is true (dictionary 5.14).
  if (p[Field::presenceNiveauNumeriqueEuro].text == "true") {
    w.Start("cpf:niveauNumeriqueEuropeen");
    FieldElement(w, p, Field::scoreGeneral);
    if (!p.resultats.empty()) {
      w.Start("cpf:resultats");
      for (const mappings::Resultat& r : p.resultats) {
        w.Start("cpf:resultat");
        w.Element("cpf:niveau", r.niveau);
        w.Element("cpf:domaineCompetenceId", r.domaine_competence_id);
        w.Element("cpf:competenceId", r.competence_id);
        w.End("cpf:resultat");
      }
      w.End("cpf:resultats");
    }
    w.End("cpf:niveauNumeriqueEuropeen");
  }
  FieldElement(w, p, Field::scoring);
  FieldElement(w, p, Field::mentionValidee);
  w.Start("cpf:modalitesInscription");
  for (Field f : {Field::modaliteAcces, Field::voieAccessVAE, Field::initiativeInscription,
                  Field::dateInscription}) {
    FieldElement(w, p, f);
  }
  w.End("cpf:modalitesInscription");
  w.Start("cpf:identificationTitulaire");
  switch (p.identification) {
    case Group::kDossierFormation:
      w.Start("cpf:dossierFormation");
      for (Field f : {Field::idDossier, Field::nomTitulaire, Field::prenom1Titulaire}) {
        FieldElement(w, p, f);
      }
      w.End("cpf:dossierFormation");
      break;
    case Group::kIdentifiantNational:
      w.Start("cpf:identifiantNational");
      FieldElement(w, p, Field::nir);
      FieldElement(w, p, Field::nomNaissance);
      w.End("cpf:identifiantNational");
      break;
    default:
      w.Start("cpf:titulaire");
      for (Field f :
           {Field::nomNaissance, Field::nomUsage, Field::prenom1, Field::prenom2, Field::prenom3,
            Field::anneeNaissance, Field::moisNaissance, Field::jourNaissance, Field::sexe}) {
        FieldElement(w, p, f);
      }
      w.Start("cpf:codeCommuneNaissance");
      if (p[Field::codeInsee].has_value()) {
        w.Start("cpf:codeInseeNaissance");
        FieldElement(w, p, Field::codeInsee);
        w.End("cpf:codeInseeNaissance");
      } else {
        w.Start("cpf:codePostalNaissance");
        FieldElement(w, p, Field::codePostal);
        w.End("cpf:codePostalNaissance");
      }
      w.End("cpf:codeCommuneNaissance");
      for (Field f : {Field::libelleCommuneNaissance, Field::codePaysNaissance,
                      Field::libellePaysNaissance}) {
        FieldElement(w, p, f);
      }
      w.End("cpf:titulaire");
  }
  w.End("cpf:identificationTitulaire");
  FieldElement(w, p, Field::verbatim);
  w.End("cpf:passageCertification");
  return true;
}

std::string Indent(int level) {
  std::string indent(1 + static_cast<std::size_t>(level) * 3, ' ');
  indent[0] = '\n';
  return indent;
}

}  // namespace

std::string SerializePassage(const mappings::Passage& passage, mappings::SchemaVersion version) {
  std::string out;
  out.reserve(1024);
  PassageXml writer(out);
  if (!WritePassage(writer, passage, version)) return "";
  return out;
}

// The file, its buffer, and the counts the layout needs. libxml2 hands its output to Write(), and
// AppendPassage its passages, already serialized, to Append(); bytes collect in `pending` and go
// to the file (through the FileSystem seam) 64 kB at a time.
struct DepositWriter::Impl {
  std::unique_ptr<WritableFile> file;
  std::string pending;
  std::uint64_t bytes = 0;
  std::uint64_t newlines = 0;
  std::optional<Error> error;  // the first failed write
  WriterPtr writer;

  ~Impl() {
    writer.reset();  // frees the output buffer, which calls Close()
  }

  bool Drain() {
    if (error) return false;
    if (pending.empty()) return true;
    if (auto r = file->Append(pending); !r) {
      error = r.error();
      return false;
    }
    pending.clear();
    return true;
  }

  // Appends to the file's buffer: libxml2's output (Write), or a passage once libxml2's own
  // buffer is flushed (AppendPassage).
  bool Append(std::string_view data) {
    pending.append(data);
    bytes += data.size();
    for (const char *p = data.data(), *end = p + data.size();
         (p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p))));
         ++p) {
      ++newlines;
    }
    return pending.size() < (64u << 10) || Drain();
  }

  static int Write(void* context, const char* data, int length) {
    auto* self = static_cast<Impl*>(context);
    return self->Append(std::string_view(data, static_cast<std::size_t>(length))) ? length : -1;
  }

  static int Close(void* context) { return static_cast<Impl*>(context)->Drain() ? 0 : -1; }

  // The line the next character goes on, once libxml2's own buffer is flushed.
  std::uint64_t CurrentLine() {
    xmlTextWriterFlush(writer.get());
    return newlines + 1;
  }

  // The file system's own error (it names the path and the reason) when a write failed.
  Result<void> Check(bool ok, const std::string& path, std::string_view what) {
    if (error) return std::unexpected(*error);
    if (ok) return {};
    return Fail(ErrorKind::kIo,
                "cannot write " + path + " (" + std::string(what) + "): libxml2 write error");
  }
};

DepositWriter::DepositWriter(std::unique_ptr<Impl> impl, std::string path)
    : impl_(std::move(impl)), path_(std::move(path)) {}

DepositWriter::~DepositWriter() = default;

Result<std::unique_ptr<DepositWriter>> DepositWriter::Create(FileSystem& files,
                                                             const std::string& path,
                                                             const FluxHeader& h) {
  auto impl = std::make_unique<Impl>();
  // Written once, read back once by the XSD check, the SHA-256 and the archive copy: around the
  // page cache (file_system.h, Caching).
  auto file =
      files.NewFile(path, CreateMode::kExclusive, FileMode{0600, std::nullopt}, Caching::kUncached);
  if (!file) return std::unexpected(file.error());
  impl->file = std::move(*file);
  xmlOutputBufferPtr out = xmlOutputBufferCreateIO(&Impl::Write, &Impl::Close, impl.get(), nullptr);
  if (out == nullptr) return Fail(ErrorKind::kInternal, "cannot create an XML output buffer");
  impl->writer.reset(xmlNewTextWriter(out));
  if (!impl->writer) return Fail(ErrorKind::kInternal, "cannot create an XML writer");
  xmlTextWriter* w = impl->writer.get();
  const std::string ns(mappings::kNamespace);
  auto line = [&](int level) { return xmlTextWriterWriteRaw(w, X(Indent(level).c_str())) >= 0; };
  bool ok = xmlTextWriterStartDocument(w, "1.0", "UTF-8", nullptr) >= 0 && Start(w, "cpf:flux") &&
            xmlTextWriterWriteAttribute(w, X("xmlns:cpf"), X(ns.c_str())) >= 0 &&
            xmlTextWriterWriteAttribute(w, X("xmlns:xsi"), X(kXsiNamespace)) >= 0 && line(1) &&
            Element(w, "cpf:idFlux", h.id_flux) && line(1) &&
            Element(w, "cpf:horodatage", h.horodatage);
  if (h.version == mappings::SchemaVersion::k115) {
    ok = ok && line(1) && Element(w, "cpf:action", h.action);
  }
  ok = ok && line(1) && Start(w, "cpf:emetteur") && line(2) &&
       Element(w, "cpf:idClient", h.emetteur) && line(2) && Start(w, "cpf:certificateurs") &&
       line(3) && Start(w, "cpf:certificateur") && line(4) &&
       Element(w, "cpf:idClient", h.certificateur) && line(4) &&
       Element(w, "cpf:idContrat", h.id_contrat) && line(4) && Start(w, "cpf:certifications");
  auto checked = impl->Check(ok, path, "header");
  if (!checked) return std::unexpected(checked.error());
  return std::unique_ptr<DepositWriter>(new DepositWriter(std::move(impl), path));
}

std::string_view DepositWriter::HeaderValueAt(std::uint64_t line, mappings::SchemaVersion version) {
  // Line 1 is the XML declaration, line 2 opens cpf:flux; then one element per line, as Create
  // writes them (1.1.5 adds action after horodatage).
  const std::uint64_t shift = version == mappings::SchemaVersion::k115 ? 1 : 0;
  if (line == 3) return "idFlux";
  if (line == 4) return "horodatage";
  if (line == 6 + shift) return "emetteur";
  if (line == 9 + shift) return "certificateur";
  if (line == 10 + shift) return "idContrat";
  return "";
}

std::uint64_t DepositWriter::CertificationBytes(const mappings::Certification& certification,
                                                const std::optional<std::string>& nature_deposant) {
  // Tags and indentation take under 256 bytes; one character escapes to at most 6 ("&quot;").
  const std::uint64_t values = certification.type.size() + certification.code.size() +
                               (nature_deposant ? nature_deposant->size() : 0);
  return 256 + 6 * values;
}

Result<void> DepositWriter::OpenCertification(const mappings::Certification& certification,
                                              const std::optional<std::string>& nature) {
  xmlTextWriter* w = impl_->writer.get();
  FileLayout::Certification c;
  c.open_first = impl_->CurrentLine() + 1;
  bool ok = xmlTextWriterWriteRaw(w, X(Indent(5).c_str())) >= 0 && Start(w, "cpf:certification") &&
            xmlTextWriterWriteRaw(w, X(Indent(6).c_str())) >= 0 &&
            Element(w, "cpf:type", certification.type) &&
            xmlTextWriterWriteRaw(w, X(Indent(6).c_str())) >= 0 &&
            Element(w, "cpf:code", certification.code);
  if (nature) {
    ok = ok && xmlTextWriterWriteRaw(w, X(Indent(6).c_str())) >= 0 &&
         Element(w, "cpf:natureDeposant", *nature);
  }
  ok = ok && xmlTextWriterWriteRaw(w, X(Indent(6).c_str())) >= 0 &&
       Start(w, "cpf:passageCertifications");
  c.open_last = impl_->CurrentLine();
  layout_.certifications.push_back(std::move(c));
  certification_open_ = true;
  return impl_->Check(ok, path_, "certification");
}

Result<void> DepositWriter::AppendPassage(const std::string& serialized,
                                          const std::string& id_technique) {
  xmlTextWriter* w = impl_->writer.get();
  static const std::string indent = Indent(7);
  bool ok = xmlTextWriterWriteRaw(w, X(indent.c_str())) >= 0;
  const std::uint64_t line = impl_->CurrentLine();  // libxml2's buffer flushed
  // The passage, already XML, goes straight after it: through libxml2's writer it was copied
  // into its buffer, again by its UTF-8 "conversion", and a third time here.
  ok = ok && impl_->Append(serialized);
  layout_.certifications.back().passage_lines.push_back(line);
  layout_.passage_lines.push_back(line);
  layout_.id_techniques.push_back(id_technique);
  return impl_->Check(ok, path_, "passage");
}

Result<void> DepositWriter::CloseCertification() {
  xmlTextWriter* w = impl_->writer.get();
  FileLayout::Certification& c = layout_.certifications.back();
  c.close_first = impl_->CurrentLine() + 1;
  bool ok = xmlTextWriterWriteRaw(w, X(Indent(6).c_str())) >= 0 && End(w) &&
            xmlTextWriterWriteRaw(w, X(Indent(5).c_str())) >= 0 && End(w);
  c.close_last = impl_->CurrentLine();
  certification_open_ = false;
  return impl_->Check(ok, path_, "certification");
}

Result<void> DepositWriter::Finish() {
  if (finished_) return {};
  finished_ = true;
  if (certification_open_) {
    if (auto r = CloseCertification(); !r) return r;
  }
  xmlTextWriter* w = impl_->writer.get();
  bool ok = true;
  for (int level :
       {4, 3, 2, 1, 0}) {  // certifications, certificateur, certificateurs, emetteur, flux
    ok = ok && xmlTextWriterWriteRaw(w, X(Indent(level).c_str())) >= 0 && End(w);
  }
  ok = ok && xmlTextWriterEndDocument(w) >= 0 && xmlTextWriterFlush(w) >= 0 && impl_->Drain();
  if (ok && !impl_->error) {
    if (auto r = impl_->file->Sync(); !r) impl_->error = r.error();
  }
  return impl_->Check(ok, path_, "end of file");
}

std::uint64_t DepositWriter::bytes() const {
  xmlTextWriterFlush(impl_->writer.get());
  return impl_->bytes;
}

}  // namespace accrochd::xml
