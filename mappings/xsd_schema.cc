#include "mappings/xsd_schema.h"

#include <sstream>
#include <string>
#include <vector>

#include "mappings/dictionary.h"

namespace accrochd::mappings {
namespace {

// The date pattern of every xsd:date of the schema: the years 1900-2099, no time zone.
constexpr std::string_view kDatePattern =
    "(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])";
// horodatage: seconds and a numeric offset required; no fraction, no Z.
constexpr std::string_view kTimestampPattern =
    "(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T(2[0-3]|[01][0-9]):[0-5][0-9]:"
    "[0-5][0-9](\\+|-)(2[0-3]|[01][0-9]):[0-5][0-9]";
constexpr std::string_view kNirPattern = "[12][0-9]{4}((2[abAB])|([0-9]{2}))[0-9]{6}";

class Writer {
 public:
  Writer(SchemaVersion version, XsdOrder order) : version_(version), order_(order) {}

  std::string Build() {
    out_ << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         << "<!-- Written by accrochd from its encoding of the CDC data dictionary, schema "
         << SchemaVersionName(version_)
         << (order_ == XsdOrder::kWriters
                 ? ", elements in the order of the official declarations (accrochd's own files)"
                 : "")
         << ". Used when the configuration names no official XSD file. -->\n"
         << "<xsd:schema xmlns:cpf=\"" << kNamespace
         << "\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" targetNamespace=\"" << kNamespace
         << "\" elementFormDefault=\"qualified\" version=\"" << SchemaVersionName(version_)
         << "\">\n";
    out_ << "  <xsd:element name=\"flux\" type=\"cpf:flux\"/>\n";
    Flux();
    Complex("emetteur", {Element("idClient", Length(kIdClientLength)),
                         "<xsd:element name=\"certificateurs\" type=\"cpf:certificateurs\"/>"});
    Complex("certificateurs", {"<xsd:element name=\"certificateur\" type=\"cpf:certificateur\"/>"});
    Complex("certificateur",
            {Element("idClient", Length(kIdClientLength)),
             Element("idContrat", StringRange(1, kIdContratMaxLength)),
             "<xsd:element name=\"certifications\"><xsd:complexType><xsd:sequence><xsd:choice "
             "maxOccurs=\"unbounded\"><xsd:element name=\"certification\" "
             "type=\"cpf:certification\"/></xsd:choice></xsd:sequence></xsd:complexType>"
             "</xsd:element>"});
    Complex("certification",
            {Element("type", StringRange(1, kCertificationTypeMaxLength)),
             Element("code", StringRange(1, kCertificationCodeMaxLength)),
             "<xsd:element name=\"natureDeposant\" minOccurs=\"0\">" +
                 Enumeration(NatureDeposantValues()) + "</xsd:element>",
             "<xsd:element name=\"passageCertifications\"><xsd:complexType><xsd:sequence>"
             "<xsd:choice maxOccurs=\"unbounded\"><xsd:element name=\"passageCertification\" "
             "type=\"cpf:passageCertification\"/></xsd:choice></xsd:sequence></xsd:complexType>"
             "</xsd:element>"});
    Passage();
    Complex("niveauNumeriqueEuropeen",
            {FieldElement(Field::scoreGeneral),
             "<xsd:element name=\"resultats\" minOccurs=\"0\"><xsd:complexType><xsd:sequence>"
             "<xsd:choice maxOccurs=\"unbounded\"><xsd:element name=\"resultat\" "
             "type=\"cpf:resultat\" minOccurs=\"0\"/></xsd:choice></xsd:sequence>"
             "</xsd:complexType></xsd:element>"});
    Complex("resultat",
            {"<xsd:element name=\"niveau\" minOccurs=\"0\">" + IntRange(kNiveauMin, kNiveauMax) +
                 "</xsd:element>",
             "<xsd:element name=\"domaineCompetenceId\" minOccurs=\"0\">" + Length(1) +
                 "</xsd:element>",
             "<xsd:element name=\"competenceId\" minOccurs=\"0\">" + Length(1) + "</xsd:element>"});
    Complex("modalitesInscription", GroupElements(Group::kModalitesInscription));
    IdentificationTitulaire();
    Complex("dossierFormation", GroupElements(Group::kDossierFormation));
    Titulaire();
    out_ << "  <xsd:complexType name=\"codeCommuneNaissance\"><xsd:sequence><xsd:choice>"
         << "<xsd:element name=\"codeInseeNaissance\" type=\"cpf:codeInsee\"/>"
         << "<xsd:element name=\"codePostalNaissance\" type=\"cpf:codePostal\"/>"
         << "</xsd:choice></xsd:sequence></xsd:complexType>\n";
    out_ << "  <xsd:complexType name=\"codeInsee\"><xsd:sequence>"
         << FieldElement(Field::codeInsee, /*force_required=*/true)
         << "</xsd:sequence></xsd:complexType>\n";
    out_ << "  <xsd:complexType name=\"codePostal\"><xsd:sequence>"
         << FieldElement(Field::codePostal, /*force_required=*/true)
         << "</xsd:sequence></xsd:complexType>\n";
    if (version_ == SchemaVersion::k115) {
      Complex("identifiantNational", {FieldElement(Field::nir), FieldElement(Field::nomNaissance)});
    }
    out_ << "</xsd:schema>\n";
    return out_.str();
  }

 private:
  static std::string StringRange(int min, int max) {
    return "<xsd:simpleType><xsd:restriction base=\"xsd:string\"><xsd:minLength value=\"" +
           std::to_string(min) + "\"/><xsd:maxLength value=\"" + std::to_string(max) +
           "\"/></xsd:restriction></xsd:simpleType>";
  }
  static std::string Length(int n) {
    return "<xsd:simpleType><xsd:restriction base=\"xsd:string\"><xsd:length value=\"" +
           std::to_string(n) + "\"/></xsd:restriction></xsd:simpleType>";
  }
  static std::string IntRange(std::int64_t min, std::int64_t max) {
    return "<xsd:simpleType><xsd:restriction base=\"xsd:int\"><xsd:minInclusive value=\"" +
           std::to_string(min) + "\"/><xsd:maxInclusive value=\"" + std::to_string(max) +
           "\"/></xsd:restriction></xsd:simpleType>";
  }
  static std::string Pattern(std::string_view base, std::string_view pattern) {
    return "<xsd:simpleType><xsd:restriction base=\"" + std::string(base) +
           "\"><xsd:pattern value=\"" + std::string(pattern) +
           "\"/></xsd:restriction></xsd:simpleType>";
  }
  static std::string Enumeration(std::span<const std::string_view> values) {
    std::string out = "<xsd:simpleType><xsd:restriction base=\"xsd:string\">";
    for (std::string_view v : values) {
      out += "<xsd:enumeration value=\"" + std::string(v) + "\"/>";
    }
    return out + "</xsd:restriction></xsd:simpleType>";
  }
  static std::string Element(std::string_view name, const std::string& type) {
    return "<xsd:element name=\"" + std::string(name) + "\">" + type + "</xsd:element>";
  }

  // The element of a dictionary field, with its type, occurrence and nillability in this version.
  std::string FieldElement(Field f, bool force_required = false) const {
    const FieldSpec& s = Spec(f);
    const Occurrence& occ = s.In(version_);
    std::string attributes;
    if (!occ.required && !force_required) attributes += " minOccurs=\"0\"";
    if (occ.nillable) attributes += " nillable=\"true\"";
    std::string type;
    switch (s.type) {
      case ValueType::kString:
        type = s.min_length == s.max_length ? Length(s.max_length)
                                            : StringRange(s.min_length, s.max_length);
        break;
      case ValueType::kDate:
        type = Pattern("xsd:date", kDatePattern);
        break;
      case ValueType::kBoolean:
        return "<xsd:element name=\"" + std::string(s.name) + "\" type=\"xsd:boolean\"" +
               attributes + "/>";
      case ValueType::kInt:
        type = IntRange(s.min_value, s.max_value);
        break;
      case ValueType::kEnum:
        type = Enumeration(s.enumeration);
        break;
      case ValueType::kNir:
        type = Pattern("xsd:string", kNirPattern);
        break;
      case ValueType::kResultats:
        return "";
    }
    return "<xsd:element name=\"" + std::string(s.name) + "\"" + attributes + ">" + type +
           "</xsd:element>";
  }

  std::vector<std::string> GroupElements(Group g) const {
    std::vector<std::string> out;
    for (const FieldSpec& s : Fields()) {
      if (s.group == g && s.In(version_).exists) out.push_back(FieldElement(s.field));
    }
    return out;
  }

  void Complex(std::string_view name, const std::vector<std::string>& elements) {
    const char* group = order_ == XsdOrder::kWriters ? "xsd:sequence" : "xsd:all";
    out_ << "  <xsd:complexType name=\"" << name << "\"><" << group << ">";
    for (const std::string& e : elements) out_ << e;
    out_ << "</" << group << "></xsd:complexType>\n";
  }

  void Flux() {
    std::vector<std::string> e = {
        Element("idFlux", StringRange(1, kIdFluxMaxLength)),
        Element("horodatage", Pattern("xsd:dateTime", kTimestampPattern))};
    if (version_ == SchemaVersion::k115) {
      e.push_back("<xsd:element name=\"action\" minOccurs=\"0\" default=\"CREATION\">" +
                  Enumeration(ActionValues()) + "</xsd:element>");
    }
    e.push_back("<xsd:element name=\"emetteur\" type=\"cpf:emetteur\"/>");
    Complex("flux", e);
  }

  // In the order of the official declarations (XsdOrder::kWriters relies on it): the blocks
  // niveauNumeriqueEuropeen after presenceNiveauNumeriqueEuro, modalitesInscription and
  // identificationTitulaire before verbatim.
  void Passage() {
    std::vector<std::string> e;
    const Occurrence& m = SpecOf(Group::kModalitesInscription).In(version_);
    for (const FieldSpec& s : Fields()) {
      if (s.group != Group::kPassage) continue;
      if (s.field == Field::verbatim) {
        e.push_back(std::string("<xsd:element name=\"modalitesInscription\" "
                                "type=\"cpf:modalitesInscription\"") +
                    (m.required ? "" : " minOccurs=\"0\"") +
                    (m.nillable ? " nillable=\"true\"" : "") + "/>");
        e.push_back(
            "<xsd:element name=\"identificationTitulaire\" "
            "type=\"cpf:identificationTitulaire\"/>");
      }
      e.push_back(FieldElement(s.field));
      if (s.field == Field::presenceNiveauNumeriqueEuro) {
        e.push_back(
            "<xsd:element name=\"niveauNumeriqueEuropeen\" type=\"cpf:niveauNumeriqueEuropeen\" "
            "minOccurs=\"0\"/>");
      }
    }
    Complex("passageCertification", e);
  }

  void IdentificationTitulaire() {
    out_ << "  <xsd:complexType name=\"identificationTitulaire\"><xsd:sequence><xsd:choice>"
         << "<xsd:element name=\"dossierFormation\" type=\"cpf:dossierFormation\"/>"
         << "<xsd:element name=\"titulaire\" type=\"cpf:titulaire\"/>";
    if (version_ == SchemaVersion::k115) {
      out_ << "<xsd:element name=\"identifiantNational\" type=\"cpf:identifiantNational\"/>";
    }
    out_ << "</xsd:choice></xsd:sequence></xsd:complexType>\n";
  }

  void Titulaire() {
    std::vector<std::string> e;
    for (const FieldSpec& s : Fields()) {
      if (s.group != Group::kTitulaire) continue;
      e.push_back(FieldElement(s.field));
      if (s.field == Field::sexe) {
        e.push_back(
            "<xsd:element name=\"codeCommuneNaissance\" type=\"cpf:codeCommuneNaissance\"/>");
      }
    }
    // Reserved for the Éducation nationale; accrochd never writes it, but files may carry it.
    e.push_back("<xsd:element name=\"commentairesMEN\" minOccurs=\"0\">" + StringRange(1, 250) +
                "</xsd:element>");
    Complex("titulaire", e);
  }

  SchemaVersion version_;
  XsdOrder order_;
  std::ostringstream out_;
};

}  // namespace

std::string GenerateXsd(SchemaVersion version, XsdOrder order) {
  return Writer(version, order).Build();
}

}  // namespace accrochd::mappings
