#include "connectors/xml/deposit_reader.h"

#include <optional>

#include <libxml/xmlreader.h>

#include "mappings/dictionary.h"

namespace accrochd::xml {
namespace {

using mappings::Field;
using mappings::FieldValue;

xmlTextReaderPtr R(void* p) { return static_cast<xmlTextReaderPtr>(p); }

std::string Text(const xmlChar* s) { return s == nullptr ? "" : reinterpret_cast<const char*>(s); }

}  // namespace

Result<std::unique_ptr<DepositReader>> DepositReader::Open(const std::string& path) {
  // No network, no entity substitution (XML_PARSE_NOENT unset), no DTD loading.
  xmlTextReaderPtr reader = xmlReaderForFile(path.c_str(), nullptr, XML_PARSE_NONET);
  if (reader == nullptr) return Fail(ErrorKind::kIo, "cannot read " + path);
  return std::unique_ptr<DepositReader>(new DepositReader(reader, path));
}

DepositReader::~DepositReader() { xmlFreeTextReader(R(reader_)); }

Result<bool> DepositReader::Next(ReadPassage& out) {
  xmlTextReaderPtr r = R(reader_);
  bool in_passage = false;
  std::optional<Field> leaf;
  bool leaf_id = false;
  bool leaf_nil = false;
  std::string resultat_leaf, header_leaf, text;

  // What ends an element: store the text it held.
  auto end_element = [&](const std::string& name) -> bool {
    if (!in_passage) {
      if (name == header_leaf) {
        if (name == "action") action_ = text;
        if (name == "type") type_ = text;
        if (name == "code") code_ = text;
        if (name == "natureDeposant") nature_ = text;
        header_leaf.clear();
      }
      return false;
    }
    if (name == "passageCertification") return true;  // one passage done
    mappings::Passage& p = out.passage;
    if (name == "resultats") {
      // A container: the field takes the mapping's written form of the results read, so the
      // dictionary rules see what the element holds.
      std::string written;
      for (const mappings::Resultat& res : p.resultats) {
        if (!written.empty()) written += ";";
        written += res.domaine_competence_id + "." + res.competence_id + ":" + res.niveau;
      }
      p[mappings::Field::resultats] = FieldValue{FieldValue::State::kValue, written};
      return false;
    }
    if (leaf_id && name == "idTechnique") {
      p.id_technique = text;
      leaf_id = false;
    } else if (!resultat_leaf.empty() && name == resultat_leaf && !p.resultats.empty()) {
      mappings::Resultat& res = p.resultats.back();
      if (name == "niveau") res.niveau = text;
      if (name == "domaineCompetenceId") res.domaine_competence_id = text;
      if (name == "competenceId") res.competence_id = text;
      resultat_leaf.clear();
    } else if (leaf && mappings::Spec(*leaf).name == name) {
      p[*leaf] = leaf_nil ? FieldValue{FieldValue::State::kNil, ""}
                          : FieldValue{FieldValue::State::kValue, text};
      leaf.reset();
    }
    return false;
  };

  int rc;
  while ((rc = xmlTextReaderRead(r)) == 1) {
    const int type = xmlTextReaderNodeType(r);
    const std::string name = Text(xmlTextReaderConstLocalName(r));
    if (type == XML_READER_TYPE_ELEMENT) {
      const bool empty = xmlTextReaderIsEmptyElement(r) == 1;
      text.clear();
      if (!in_passage) {
        if (name == "passageCertification") {
          in_passage = true;
          out = ReadPassage{};
          out.line = xmlTextReaderGetParserLineNumber(r);
          out.column = xmlTextReaderGetParserColumnNumber(r);
          out.passage.source_key = "ligne " + std::to_string(out.line);
          out.passage.identification_fixed = true;
          out.passage.certification = {type_, code_};
          const bool same =
              !certifications_.empty() &&
              certifications_.back().certification.constant == out.passage.certification &&
              certifications_.back().nature_deposant.value_or("") == nature_;
          if (!same) {
            mappings::Mapping& m = certifications_.emplace_back();
            m.name = code_;
            m.certification.constant = out.passage.certification;
            if (!nature_.empty()) m.nature_deposant = nature_;
          }
          out.passage.mapping = &certifications_.back();
        } else if (name == "action" || name == "type" || name == "code" ||
                   name == "natureDeposant") {
          header_leaf = name;
        } else if (name == "certification") {
          type_.clear();
          code_.clear();
          nature_.clear();
        }
      } else if (name == "dossierFormation") {
        out.passage.identification = mappings::Group::kDossierFormation;
      } else if (name == "identifiantNational") {
        out.passage.identification = mappings::Group::kIdentifiantNational;
      } else if (name == "titulaire") {
        out.passage.identification = mappings::Group::kTitulaire;
      } else if (name == "resultats") {
        leaf.reset();
      } else if (name == "resultat") {
        out.passage.resultats.emplace_back();
      } else if (name == "niveau" || name == "domaineCompetenceId" || name == "competenceId") {
        resultat_leaf = name;
      } else if (name == "idTechnique") {
        leaf_id = true;
      } else if (auto f = mappings::FieldByName(name)) {
        leaf = *f;
        xmlChar* attribute = xmlTextReaderGetAttributeNs(
            r, reinterpret_cast<const xmlChar*>("nil"),
            reinterpret_cast<const xmlChar*>("http://www.w3.org/2001/XMLSchema-instance"));
        const std::string nil = Text(attribute);
        xmlFree(attribute);
        leaf_nil = nil == "true" || nil == "1";
      }
      if (empty && end_element(name)) return true;
    } else if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
               type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE) {
      text += Text(xmlTextReaderConstValue(r));
    } else if (type == XML_READER_TYPE_END_ELEMENT) {
      if (end_element(name)) return true;
    }
  }
  if (rc < 0) {
    return Fail(ErrorKind::kInvalidData, path_ + ":" +
                                             std::to_string(xmlTextReaderGetParserLineNumber(r)) +
                                             ": not a well-formed XML file");
  }
  return false;
}

}  // namespace accrochd::xml
