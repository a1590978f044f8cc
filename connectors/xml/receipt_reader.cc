#include "connectors/xml/receipt_reader.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <unordered_map>

#include <sys/stat.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "connectors/xml/error_capture.h"

namespace accrochd::xml {
namespace {

constexpr std::string_view kNotAReceipt = "this is not an accusé de traitement of the CDC";
constexpr std::string_view kNothingConcluded =
    "nothing was concluded from this receipt: check it with the CDC before acting on it";

// RAII for libxml2 handles (style.md §7).
struct XmlCharFree {
  void operator()(xmlChar* p) const { xmlFree(p); }
};
struct ParserCtxtFree {
  void operator()(xmlParserCtxtPtr p) const { xmlFreeParserCtxt(p); }
};
struct DocFree {
  void operator()(xmlDocPtr p) const { xmlFreeDoc(p); }
};

void InitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
}

// At most `max` bytes of a text that came from outside (a libxml2 message quoting the input, an
// element name), on one line, never cut inside a UTF-8 sequence.
std::string Clip(std::string_view s, std::size_t max) {
  std::string out;
  for (char c : s) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.size() <= max) return out;
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  return out.substr(0, cut) + "…";
}

std::string_view Trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  const std::size_t first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The local name, lower-cased: namespaces are ignored, whether declared (libxml2 already splits
// them off) or not (then the name still holds "prefix:").
std::string Key(const xmlNode* node) {
  std::string_view name = reinterpret_cast<const char*>(node->name);
  if (const std::size_t colon = name.rfind(':'); colon != std::string_view::npos) {
    name.remove_prefix(colon + 1);
  }
  return Lower(name);
}

int Line(const xmlNode* node) {
  return static_cast<int>(std::clamp(xmlGetLineNo(node), 0L, static_cast<long>(INT_MAX)));
}

// The element's text content (text, CDATA, character references), trimmed.
std::string Text(const xmlNode* node) {
  std::unique_ptr<xmlChar, XmlCharFree> content(xmlNodeGetContent(node));
  if (content == nullptr) return "";
  return std::string(Trim(reinterpret_cast<const char*>(content.get())));
}

// Child elements only.
template <typename F>
void ForEachElement(const xmlNode* parent, F&& f) {
  for (const xmlNode* c = parent->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) f(c);
  }
}

// What libxml2 reported while parsing. Only the first error is kept: with recovery off it is the
// one that stopped the parse.
struct ParseState {
  bool has_error = false;
  int error_line = 0, error_column = 0;
  std::string error_message;
  bool doctype = false;
  int doctype_line = 0, doctype_column = 0;
};

void CollectError(void* context, xmlErrorPtr error) {
  auto* state = static_cast<ParseState*>(context);
  if (error == nullptr || error->level < XML_ERR_ERROR || state->has_error) return;
  state->has_error = true;
  state->error_line = error->line;
  state->error_column = error->int2;
  state->error_message = Clip(error->message != nullptr ? error->message : "", 200);
}

// SAX callback for "<!DOCTYPE name ...": called before any declaration of the internal subset
// is read, so the parse stops before an entity can be declared, let alone expanded.
void RefuseDoctype(void* context, const xmlChar*, const xmlChar*, const xmlChar*) {
  auto* ctxt = static_cast<xmlParserCtxtPtr>(context);
  auto* state = static_cast<ParseState*>(ctxt->_private);
  state->doctype = true;
  if (ctxt->input != nullptr) {
    state->doctype_line = ctxt->input->line;
    state->doctype_column = ctxt->input->col;
  }
  xmlStopParser(ctxt);
}

Error TooBig(const std::string& name, std::uintmax_t size) {
  return Error(ErrorKind::kInvalidData,
               name + ": " + std::to_string(size) + " bytes is more than the " +
                   std::to_string(kMaxReceiptBytes) + " bytes (" +
                   std::to_string(kMaxReceiptBytes >> 20) +
                   " MiB) accepted for an accusé de traitement; it was not read. Real "
                   "receipts are a few kilobytes per thousand passages: check that this is the "
                   "report downloaded from the CDC's portal");
}

// Reads the receipt's tree. Keeps the place of each section and of each idTechnique, so that
// every error names the line at fault.
class TreeReader {
 public:
  explicit TreeReader(const std::string& name) : name_(name) {}

  Result<Receipt> Read(const xmlNode* root) {
    if (Key(root) != "rapport") {
      std::string message = At(Line(root)) + "the root element is <" +
                            Clip(reinterpret_cast<const char*>(root->name), 64) +
                            ">, not <rapport>: " + std::string(kNotAReceipt);
      if (Key(root) == "flux") message += " (it looks like a deposit file, not its report)";
      return Fail(ErrorKind::kInvalidData, message);
    }
    Result<void> ok;
    ForEachElement(root, [&](const xmlNode* child) {
      if (ok) ok = Section(child);
    });
    if (!ok) return std::unexpected(ok.error());

    if (!ok_line_ && !ko_line_ && !erreurs_line_) {
      return Fail(ErrorKind::kInvalidData,
                  At(Line(root)) +
                      "<rapport> holds none of <PassagesOK>, <PassagesKO> or <erreurs>: " +
                      std::string(kNotAReceipt) + ", or one in a form accrochd does not know; " +
                      std::string(kNothingConcluded));
    }
    if (erreurs_line_ && (ok_line_ || ko_line_)) {
      const bool ok_first = ok_line_ && (!ko_line_ || *ok_line_ < *ko_line_);
      return Fail(ErrorKind::kInvalidData,
                  At(*erreurs_line_) +
                      "<erreurs> (the whole file rejected) together with passages (<" +
                      (ok_first ? "PassagesOK> at line " + std::to_string(*ok_line_)
                                : "PassagesKO> at line " + std::to_string(*ko_line_)) +
                      "): a receipt is one or the other; " + std::string(kNothingConcluded));
    }
    if (erreurs_line_ && receipt_.errors.empty()) {
      return Fail(ErrorKind::kInvalidData,
                  At(*erreurs_line_) +
                      "<erreurs> without any <erreur>: the receipt neither "
                      "rejects the file nor lists its passages; " +
                      std::string(kNothingConcluded));
    }
    return std::move(receipt_);
  }

 private:
  std::string At(int line) const { return name_ + ":" + std::to_string(line) + ": "; }

  Result<void> Invalid(int line, const std::string& what) const {
    return Fail(ErrorKind::kInvalidData, At(line) + what);
  }

  // A single-valued element: a second one is ambiguous.
  Result<void> Single(const xmlNode* node, std::string_view element,
                      std::optional<std::string>& value, bool& seen) {
    if (seen) {
      return Invalid(Line(node), "a second <" + std::string(element) + "> in the same parent; " +
                                     std::string(kNothingConcluded));
    }
    seen = true;
    std::string text = Text(node);
    if (!text.empty()) value = std::move(text);
    return {};
  }

  Result<void> Section(const xmlNode* node) {
    const std::string key = Key(node);
    if (key == "nomfichier") return Single(node, "nomFichier", receipt_.nom_fichier, seen_nom_);
    if (key == "idflux") return Single(node, "idFlux", receipt_.id_flux, seen_flux_);
    if (key == "idtraitement") {
      return Single(node, "idTraitement", receipt_.id_traitement, seen_traitement_);
    }
    if (key == "passagesok") return PassagesOk(node);
    if (key == "passagesko") return PassagesKo(node);
    if (key == "erreurs") return Erreurs(node);
    return {};  // unknown: ignored
  }

  // Each idTechnique has one outcome: listed once, in one list.
  Result<void> Claim(const std::string& id, const char* list, int line) {
    if (id.empty()) {
      return Invalid(line, std::string("empty <idTechnique> in <") + list +
                               ">: the outcome cannot be matched to a passage; " +
                               std::string(kNothingConcluded));
    }
    auto [it, inserted] = ids_.try_emplace(id, Place{list, line});
    if (!inserted) {
      const Place& first = it->second;
      const std::string where =
          std::string(first.list) == list
              ? "twice in <" + std::string(list) + "> (lines "
              : std::string("in <") + first.list + "> and in <" + list + "> (lines ";
      return Invalid(line, "the same idTechnique is listed " + where + std::to_string(first.line) +
                               " and " + std::to_string(line) + "): a passage has one outcome; " +
                               std::string(kNothingConcluded));
    }
    return {};
  }

  Result<void> PassagesOk(const xmlNode* node) {
    if (!ok_line_) ok_line_ = Line(node);
    Result<void> ok;
    ForEachElement(node, [&](const xmlNode* child) {
      if (!ok || Key(child) != "idtechnique") return;
      std::string id = Text(child);
      ok = Claim(id, "PassagesOK", Line(child));
      if (ok) receipt_.ok.push_back(std::move(id));
    });
    return ok;
  }

  Result<void> PassagesKo(const xmlNode* node) {
    if (!ko_line_) ko_line_ = Line(node);
    Result<void> ok;
    ForEachElement(node, [&](const xmlNode* passage) {
      if (ok && Key(passage) == "passage") ok = PassageKo(passage);
    });
    return ok;
  }

  Result<void> PassageKo(const xmlNode* passage) {
    std::optional<std::string> id, message;
    bool seen_id = false, seen_message = false;
    int id_line = Line(passage);
    Result<void> ok;
    ForEachElement(passage, [&](const xmlNode* child) {
      if (!ok) return;
      const std::string key = Key(child);
      if (key == "idtechnique") {
        id_line = Line(child);
        ok = Single(child, "idTechnique", id, seen_id);
      } else if (key == "messageerreur") {
        ok = Single(child, "messageErreur", message, seen_message);
      }
    });
    if (!ok) return ok;
    if (!seen_id) {
      return Invalid(Line(passage),
                     "a <passage> of <PassagesKO> without <idTechnique>: its refusal cannot be "
                     "matched to a passage; " +
                         std::string(kNothingConcluded));
    }
    if (auto claimed = Claim(id.value_or(""), "PassagesKO", id_line); !claimed) return claimed;
    receipt_.ko.push_back({*id, message.value_or(""), Line(passage)});
    return {};
  }

  Result<void> Erreurs(const xmlNode* node) {
    if (!erreurs_line_) erreurs_line_ = Line(node);
    Result<void> ok;
    ForEachElement(node, [&](const xmlNode* erreur) {
      if (ok && Key(erreur) == "erreur") ok = Erreur(erreur);
    });
    return ok;
  }

  Result<void> Erreur(const xmlNode* erreur) {
    std::optional<std::string> type, message, ligne, colonne;
    bool seen_type = false, seen_message = false, seen_ligne = false, seen_colonne = false;
    ReceiptFileError e;
    Result<void> ok;
    ForEachElement(erreur, [&](const xmlNode* child) {
      if (!ok) return;
      const std::string key = Key(child);
      if (key == "type") ok = Single(child, "type", type, seen_type);
      if (key == "message") ok = Single(child, "message", message, seen_message);
      if (key == "ligne" && (ok = Single(child, "ligne", ligne, seen_ligne))) {
        ok = Number(child, "ligne", ligne, e.line);
      }
      if (key == "colonne" && (ok = Single(child, "colonne", colonne, seen_colonne))) {
        ok = Number(child, "colonne", colonne, e.column);
      }
    });
    if (!ok) return ok;
    e.type = type.value_or("");
    e.message = message.value_or("");
    receipt_.errors.push_back(std::move(e));
    return {};
  }

  // ligne/colonne: absent or empty is nullopt; anything but a whole number is an error.
  Result<void> Number(const xmlNode* node, std::string_view element,
                      const std::optional<std::string>& text, std::optional<int>& out) const {
    if (!text) return {};
    int value = 0;
    const char* end = text->data() + text->size();
    auto [ptr, ec] = std::from_chars(text->data(), end, value);
    if (ec != std::errc() || ptr != end) {
      return Invalid(Line(node), "<" + std::string(element) +
                                     "> of an <erreur> is not a whole number; " +
                                     std::string(kNothingConcluded));
    }
    out = value;
    return {};
  }

  struct Place {
    const char* list;
    int line;
  };

  const std::string& name_;
  Receipt receipt_;
  bool seen_nom_ = false, seen_flux_ = false, seen_traitement_ = false;
  std::optional<int> ok_line_, ko_line_, erreurs_line_;
  std::unordered_map<std::string, Place> ids_;
};

}  // namespace

Result<Receipt> ParseReceipt(std::string_view bytes, const std::string& name_for_messages) {
  const std::string& name = name_for_messages;
  // The cap comes first: an oversized input is never handed to libxml2.
  if (bytes.size() > kMaxReceiptBytes) return std::unexpected(TooBig(name, bytes.size()));
  if (Trim(bytes).empty()) {
    return Fail(ErrorKind::kInvalidData, name +
                                             ": the file is empty: " + std::string(kNotAReceipt) +
                                             "; download the report again from the CDC's portal");
  }
  InitOnce();

  ParseState state;
  ErrorCapture capture(&state, &CollectError);
  std::unique_ptr<xmlParserCtxt, ParserCtxtFree> ctxt(xmlNewParserCtxt());
  if (ctxt == nullptr || ctxt->sax == nullptr) {
    return Fail(ErrorKind::kInternal, name + ": cannot create an XML parser (out of memory?)");
  }
  ctxt->_private = &state;
  ctxt->sax->internalSubset = &RefuseDoctype;
  // No network; and neither XML_PARSE_NOENT (entity substitution) nor XML_PARSE_DTDLOAD /
  // XML_PARSE_DTDATTR: nothing outside these bytes is ever read. BIG_LINES: true line numbers
  // past 65535.
  std::unique_ptr<xmlDoc, DocFree> doc(
      xmlCtxtReadMemory(ctxt.get(), bytes.data(), static_cast<int>(bytes.size()), nullptr, nullptr,
                        XML_PARSE_NONET | XML_PARSE_BIG_LINES));

  if (state.doctype ||
      (doc != nullptr && (doc->intSubset != nullptr || doc->extSubset != nullptr))) {
    return Fail(ErrorKind::kInvalidData,
                name + ":" + std::to_string(state.doctype_line) + ":" +
                    std::to_string(state.doctype_column) +
                    ": the document has a DOCTYPE (a DTD); an accusé de traitement of the CDC has "
                    "none, and DTDs are refused because they can expand entities or read other "
                    "files: " +
                    std::string(kNotAReceipt));
  }
  if (doc == nullptr) {
    const std::string why = state.has_error ? state.error_message : "unreadable as XML";
    return Fail(ErrorKind::kInvalidData,
                name + ":" + std::to_string(state.error_line) + ":" +
                    std::to_string(state.error_column) + ": not well-formed XML (" + why +
                    "): " + std::string(kNotAReceipt) +
                    ", or it is truncated; download the report again from the CDC's portal");
  }
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (root == nullptr) {
    return Fail(ErrorKind::kInvalidData, name + ": no root element: " + std::string(kNotAReceipt));
  }
  return TreeReader(name).Read(root);
}

Result<Receipt> ReadReceiptFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Fail(ErrorKind::kIo, "cannot read the receipt " + path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return Fail(ErrorKind::kIo, "cannot read the receipt " + path + ": not a regular file");
  }
  if (static_cast<std::uintmax_t>(st.st_size) > kMaxReceiptBytes) {
    return std::unexpected(TooBig(path, static_cast<std::uintmax_t>(st.st_size)));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Fail(ErrorKind::kIo, "cannot read the receipt " + path + ": " + std::strerror(errno));
  }
  // Read to the end, but stop once past the cap: the file may have grown since stat(), and
  // ParseReceipt then refuses it by its size.
  std::string bytes;
  bytes.reserve(static_cast<std::size_t>(st.st_size) + 1);
  char chunk[64 * 1024];
  while (bytes.size() <= kMaxReceiptBytes &&
         in.read(chunk, static_cast<std::streamsize>(sizeof chunk)).gcount() > 0) {
    bytes.append(chunk, static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) {
    return Fail(ErrorKind::kIo, "cannot read the receipt " + path + ": " + std::strerror(errno));
  }
  return ParseReceipt(bytes, path);
}

}  // namespace accrochd::xml
