#include "connectors/xml/accepted_reader.h"

#include <cstdio>
#include <memory>
#include <vector>

#include <libxml/tree.h>
#include <libxml/xmlreader.h>
#include <zstd.h>

namespace accrochd::xml {
namespace {

std::string Text(const xmlChar* s) { return s == nullptr ? "" : reinterpret_cast<const char*>(s); }

struct ReaderDeleter {
  void operator()(xmlTextReader* r) const { xmlFreeTextReader(r); }
};
struct BufferDeleter {
  void operator()(xmlBuffer* b) const { xmlBufferFree(b); }
};

// The text of an element node (its first text child), or "".
std::string ElementText(xmlNode* node) {
  for (xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) return Text(c->content);
  }
  return "";
}

std::string LocalName(xmlNode* node) { return Text(node->name); }

// A zstd-compressed file, decompressed as libxml2's reader asks for its bytes: memory stays
// flat whatever the size of the file. `failure` says why reading stopped, when it did.
struct ZstdSource {
  std::unique_ptr<std::FILE, decltype(&std::fclose)> file{nullptr, &std::fclose};
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> stream{ZSTD_createDCtx(), &ZSTD_freeDCtx};
  std::vector<char> input = std::vector<char>(ZSTD_DStreamInSize());
  ZSTD_inBuffer pending{nullptr, 0, 0};
  bool end_of_file = false;
  bool frame_complete = false;
  std::string failure;
};

// libxml2's xmlInputReadCallback: up to `length` decompressed bytes, 0 at the end, -1 on an
// error (a read error, a corrupt or truncated frame).
int ReadZstd(void* context, char* buffer, int length) {
  auto* source = static_cast<ZstdSource*>(context);
  ZSTD_outBuffer sink{buffer, static_cast<std::size_t>(length), 0};
  for (;;) {
    if (source->pending.pos == source->pending.size && !source->end_of_file) {
      const std::size_t n =
          std::fread(source->input.data(), 1, source->input.size(), source->file.get());
      if (n == 0 && std::ferror(source->file.get())) {
        source->failure = "cannot be read";
        return -1;
      }
      source->end_of_file = n == 0;
      source->pending = {source->input.data(), n, 0};
    }
    const std::size_t taken = source->pending.pos;
    const std::size_t left = ZSTD_decompressStream(source->stream.get(), &sink, &source->pending);
    if (ZSTD_isError(left)) {
      source->failure = std::string("is not a valid zstd file (") + ZSTD_getErrorName(left) + ")";
      return -1;
    }
    // 0: a frame is complete, and everything of it given out. A call that moved nothing says
    // what the next frame would need, not whether the last one ended.
    if (sink.pos > 0 || source->pending.pos > taken) source->frame_complete = left == 0;
    if (sink.pos > 0) return static_cast<int>(sink.pos);
    if (source->end_of_file && source->pending.pos == source->pending.size) {
      if (source->frame_complete) return 0;
      source->failure = "is cut short (a truncated zstd file)";
      return -1;
    }
  }
}

std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

Result<std::map<std::string, AcceptedPassage>> ReadAcceptedPassages(
    const std::string& path, const std::set<std::string>& wanted) {
  // No network, no entity substitution, blanks between elements dropped (the identification is
  // written back on one line). libxml2 reads a gzip-compressed file as it is; a zstd one
  // (".zst", the archive's copies) is decompressed on the way.
  constexpr int kOptions = XML_PARSE_NONET | XML_PARSE_NOBLANKS;
  std::unique_ptr<ZstdSource> zstd;
  std::unique_ptr<xmlTextReader, ReaderDeleter> reader;
  if (path.ends_with(".zst")) {
    zstd = std::make_unique<ZstdSource>();
    zstd->file.reset(std::fopen(path.c_str(), "rbe"));
    if (!zstd->file || !zstd->stream) return Fail(ErrorKind::kIo, "cannot read " + path);
    reader.reset(xmlReaderForIO(ReadZstd, nullptr, zstd.get(), path.c_str(), nullptr, kOptions));
  } else {
    reader.reset(xmlReaderForFile(path.c_str(), nullptr, kOptions));
  }
  if (!reader) return Fail(ErrorKind::kIo, "cannot read " + path);
  xmlTextReaderPtr r = reader.get();
  std::map<std::string, AcceptedPassage> found;
  std::string type, code, nature, leaf, text;
  bool in_certification_header = false;
  // A passage wanted: its identification serialized as it is (UTF-8, no indentation).
  auto take = [&](xmlNode* node) -> Result<void> {
    std::string id;
    xmlNode* identification = nullptr;
    for (xmlNode* c = node->children; c != nullptr; c = c->next) {
      if (c->type != XML_ELEMENT_NODE) continue;
      if (LocalName(c) == "idTechnique") id = ElementText(c);
      if (LocalName(c) == "identificationTitulaire") identification = c;
    }
    if (!wanted.contains(id) || identification == nullptr) return {};
    std::unique_ptr<xmlBuffer, BufferDeleter> buffer(xmlBufferCreate());
    if (!buffer || xmlNodeDump(buffer.get(), node->doc, identification, 0, 0) < 0) {
      return Fail(ErrorKind::kInternal, "cannot serialize passage " + id + " of " + path);
    }
    AcceptedPassage p;
    p.id_technique = id;
    p.certification = {type, code};
    if (!nature.empty()) p.nature_deposant = nature;
    p.identification = Text(xmlBufferContent(buffer.get()));
    found[id] = std::move(p);
    return {};
  };
  int rc = 1;
  bool moved = false;  // xmlTextReaderNext already stands on the next node
  for (;;) {
    if (!moved) {
      rc = xmlTextReaderRead(r);
      if (rc != 1) break;
    }
    moved = false;
    const int node_type = xmlTextReaderNodeType(r);
    const std::string name = Text(xmlTextReaderConstLocalName(r));
    if (node_type == XML_READER_TYPE_ELEMENT) {
      if (name == "certification") {
        type.clear();
        code.clear();
        nature.clear();
        in_certification_header = true;
      } else if (in_certification_header &&
                 (name == "type" || name == "code" || name == "natureDeposant")) {
        leaf = name;
        text.clear();
      } else if (name == "passageCertification") {
        in_certification_header = false;
        xmlNode* node = xmlTextReaderExpand(r);
        if (node == nullptr) {
          rc = -1;
          break;
        }
        if (auto t = take(node); !t) return std::unexpected(t.error());
        rc = xmlTextReaderNext(r);  // past the passage's subtree
        if (rc != 1) break;
        moved = true;
      }
    } else if (node_type == XML_READER_TYPE_TEXT || node_type == XML_READER_TYPE_CDATA) {
      if (!leaf.empty()) text += Text(xmlTextReaderConstValue(r));
    } else if (node_type == XML_READER_TYPE_END_ELEMENT) {
      if (!leaf.empty() && name == leaf) {
        if (leaf == "type") type = text;
        if (leaf == "code") code = text;
        if (leaf == "natureDeposant") nature = text;
        leaf.clear();
      }
    }
  }
  if (zstd && !zstd->failure.empty()) {
    return Fail(ErrorKind::kInvalidData, path + " " + zstd->failure);
  }
  if (rc < 0 || xmlTextReaderReadState(r) == XML_TEXTREADER_MODE_ERROR) {
    return Fail(ErrorKind::kInvalidData, path + " is not a well-formed deposit file");
  }
  return found;
}

std::string SerializeSuppression(const std::string& id_technique, const AcceptedPassage& passage) {
  return "<cpf:passageCertification><cpf:idTechnique>" + Escape(id_technique) +
         "</cpf:idTechnique>" + passage.identification + "</cpf:passageCertification>";
}

}  // namespace accrochd::xml
