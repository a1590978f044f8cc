#include "mappings/mapping.h"

#include <algorithm>
#include <bitset>
#include <filesystem>
#include <fstream>
#include <set>

#include "core/sql_text.h"
#include "core/text.h"
#include "core/unicode/characters.h"
#include "core/unicode/nfc.h"
#include "core/yaml/yaml_reader.h"
#include "mappings/condition_reader.h"
#include "mappings/mapper.h"
#include "mappings/value_rules.h"

namespace accrochd::mappings {
namespace {

constexpr const char* kTransformKeys[] = {
    "column",      "constant",       "template",    "coalesce",       "trim",
    "fold_spaces", "word",           "words_from",  "separator",      "case",
    "map",         "default",        "ignore_case", "ignore_accents", "date",
    "part",        "nil_when_empty", "partial",     "not_before",     "not_after",
    "required",    "choose"};

// The steps for messy data (see ReadCleaningSteps, ReadPattern and ReadMap).
constexpr const char* kCleaningKeys[] = {"remove_spaces", "digits_only",    "pad_left",
                                         "pattern",       "pattern_reason", "fingerprint"};

// The keys of a rule that work on a value: a nil source has none for them.
constexpr const char* kStepKeys[] = {
    "trim",           "fold_spaces", "remove_spaces",  "digits_only", "word",
    "words_from",     "separator",   "case",           "pad_left",    "map",
    "default",        "ignore_case", "ignore_accents", "fingerprint", "pattern",
    "pattern_reason", "date",        "part",           "partial",     "not_before",
    "not_after"};

// Longest pattern_reason, in characters: a few words for the quarantine's reader.
constexpr std::size_t kPatternReasonMaxLength = 300;

std::string FieldList(std::span<const std::string_view> values) {
  std::string out;
  for (std::string_view v : values) {
    if (!out.empty()) out += ", ";
    out += v;
  }
  return out;
}

// Checks a date format pattern; returns a problem or nothing.
std::optional<std::string> CheckDatePattern(const std::string& pattern) {
  int day = 0, month = 0, year = 0;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '%') continue;
    if (i + 1 == pattern.size()) return "the format ends with a lone '%'";
    char d = pattern[++i];
    switch (d) {
      case 'd':
        ++day;
        break;
      case 'm':
        ++month;
        break;
      case 'Y':
        ++year;
        break;
      case 'H':
      case 'M':
      case 'S':
      case '%':
        break;
      case 'y':
        return "%y (a two-digit year) is refused: the century would be a guess; use %Y";
      default:
        return std::string("unknown directive %") + d +
               "; formats use %d, %m, %Y (and %H, %M, %S, which are read and ignored)";
    }
  }
  if (day != 1 || month != 1 || year != 1) {
    return "a date format needs %d, %m and %Y, once each";
  }
  return std::nullopt;
}

class Loader {
 public:
  Loader(yaml::FileReader& file, SchemaVersion version) : file_(file), version_(version) {}

  Mapping Load(const YAML::Node& root, const std::string& name) {
    Mapping m;
    m.file = file_.file();
    m.name = name;
    yaml::MapReader top(file_, root, "");
    if (!top.valid()) return m;

    if (auto node = top.Node("certification", true)) ReadCertification(*node, m);
    if (auto node = top.Node("nature_deposant", false)) {
      if (auto v = file_.AsString(*node, "nature_deposant")) {
        auto values = NatureDeposantValues();
        if (std::find(values.begin(), values.end(), *v) == values.end()) {
          file_.Report(*node,
                       "nature_deposant: " + Excerpt(*v) + " is not one of " + FieldList(values));
        } else {
          m.nature_deposant = *v;
        }
      }
    }
    if (auto node = top.Node("source", true)) {
      if (auto v = file_.AsString(*node, "source")) {
        m.source = *v;
        m.source_location = file_.Where(*node);
      }
    }
    if (auto node = top.Node("query", true)) {
      if (auto sql = file_.AsString(*node, "query")) {
        m.query = *sql;
        m.query_location = file_.Where(*node);
        if (auto problem = source::CheckQueryText(m.query)) {
          file_.Report(*node, "query: " + *problem);
        }
      }
    }
    if (auto node = top.Node("key", true)) {
      m.key = ColumnList(*node, "key");
      m.key_location = file_.Where(*node);
    }
    if (auto node = top.Node("id_technique", false)) ReadIdTechnique(*node, m);
    if (auto node = top.Node("id_technique_after_correction", false)) {
      ReadIdTechniqueAfterCorrection(*node, m);
    }
    if (auto node = top.Node("cursor", false)) {
      yaml::MapReader c(file_, *node, "cursor");
      CursorRule cursor;
      cursor.location = file_.Where(*node);
      if (auto v = c.String("column", true)) cursor.column = *v;
      if (auto v = c.DurationValue("look_back", false)) cursor.look_back = *v;
      c.Finish();
      if (!cursor.column.empty()) m.cursor = cursor;
    }
    if (auto node = top.Node("page_by", false)) m.page_by = ColumnList(*node, "page_by");
    if (auto node = top.Node("page_size", false)) {
      if (auto v = file_.AsInt(*node, "page_size", 1, 1'000'000)) {
        m.page_size = static_cast<std::size_t>(*v);
        if (m.page_by.empty()) {
          file_.Report(*node, "page_size: set without page_by; it only applies to keyset paging");
        }
      }
    }
    ReadDisappearance(top, m);
    if (auto node = top.Node("fields", true)) {
      m.fields_location = file_.Where(*node);
      ReadFields(*node, m);
    }
    ReadRowRules(file_, top, m);
    top.Finish();
    return m;
  }

 private:
  // Rows that disappear: missing_after (a mapping without a cursor reads every row: a passage
  // not read by that many complete reads in a row is gone) and deleted_query (a mapping with a
  // cursor: the keys deleted since its bookmark).
  void ReadDisappearance(yaml::MapReader& top, Mapping& m) {
    if (auto node = top.Node("missing_after", false)) {
      if (auto v = file_.AsInt(*node, "missing_after", 1, 1000)) {
        m.missing_after = *v;
        m.missing_after_location = file_.Where(*node);
        if (m.cursor) {
          file_.Report(*node,
                       "missing_after: a mapping with a cursor reads only the rows changed since "
                       "its bookmark, so a row it does not read is not gone; remove "
                       "missing_after, or give the mapping a deleted_query");
        }
      }
    }
    if (auto node = top.Node("deleted_query", false)) {
      if (auto sql = file_.AsString(*node, "deleted_query")) {
        m.deleted_query = *sql;
        m.deleted_query_location = file_.Where(*node);
        if (auto problem = source::CheckQueryText(*sql)) {
          file_.Report(*node, "deleted_query: " + *problem);
        } else if (!m.cursor) {
          file_.Report(*node,
                       "deleted_query: only for a mapping with a cursor; a mapping without one "
                       "reads every row, and a row no longer read is found missing by itself "
                       "(missing_after)");
        }
      }
    }
  }

  // certification: {type, code}, each a constant (a scalar: `type: RNCP`) or a rule with the
  // sources and steps of a field rule. A certification of two constants is checked here, as the
  // rows' certifications are by the mapper, with the same CheckCertification.
  void ReadCertification(const YAML::Node& node, Mapping& m) {
    yaml::MapReader c(file_, node, "certification");
    CertificationRule& cert = m.certification;
    cert.location = file_.Where(node);
    auto type_node = c.Node("type", true);
    auto code_node = c.Node("code", true);
    c.Finish();
    const bool type_read = type_node && ReadCertificationPart(CertificationTypeSpec(), *type_node,
                                                              "certification.type", cert.type);
    const bool code_read = code_node && ReadCertificationPart(CertificationCodeSpec(), *code_node,
                                                              "certification.code", cert.code);
    auto constant = [&](const FieldRule& rule, const FieldSpec& spec, const YAML::Node& at,
                        const std::string& path) -> std::optional<std::string> {
      if (rule.source != SourceKind::kConstant) return std::nullopt;
      RuleOutput out = ApplyTransforms(rule, spec, rule.constant);
      if (!out.value.has_value()) {
        file_.Report(at, path + ": the constant gives no value after its steps");
        return std::nullopt;
      }
      return out.value.text;
    };
    std::optional<std::string> type, code;
    if (type_read)
      type = constant(cert.type, CertificationTypeSpec(), *type_node, "certification.type");
    if (code_read)
      code = constant(cert.code, CertificationCodeSpec(), *code_node, "certification.code");
    if (type && code) {
      const Certification both{*type, *code};
      if (auto problem = CertificationProblem(both)) {
        const bool type_at_fault =
            CheckCertification(both)->kind == CertificationFault::Kind::kUnknownType;
        file_.Report(type_at_fault ? *type_node : *code_node, "certification: " + *problem);
      } else {
        cert.constant = both;
      }
    } else if (type) {
      // The code comes from columns: the type alone can already be unknown.
      const auto fault = CheckCertification({*type, ""});
      if (fault && fault->kind == CertificationFault::Kind::kUnknownType) {
        file_.Report(*type_node, "certification: " + *CertificationProblem({*type, ""}));
      }
    }
  }

  // One part of the certification: a scalar is a constant (as written since the first
  // mappings), a map a rule. False when an error was reported.
  bool ReadCertificationPart(const FieldSpec& spec, const YAML::Node& node, const std::string& path,
                             FieldRule& rule) {
    if (node.IsMap()) {
      auto read = ReadRule(spec, node, path);
      if (!read) return false;
      rule = std::move(*read);
      rule.field = spec.field;
      return true;
    }
    auto text = file_.AsString(node, path);
    if (!text) return false;
    rule = FieldRule{};
    rule.field = spec.field;
    rule.location = file_.Where(node);
    rule.source = SourceKind::kConstant;
    rule.constant = ToNfc(*text);
    const std::size_t length = Utf8Length(rule.constant);
    if (length < 1 || length > static_cast<std::size_t>(spec.max_length)) {
      file_.Report(node, path + ": 1 to " + std::to_string(spec.max_length) + " characters (" +
                             std::string(spec.dico_id) + ")");
      return false;
    }
    return true;
  }

  std::vector<std::string> ColumnList(const YAML::Node& node, const std::string& what) {
    std::vector<std::string> out;
    if (node.IsScalar() && !node.Scalar().empty()) {
      if (auto column = file_.AsString(node, what)) out.push_back(*column);
    } else if (node.IsSequence() && node.size() > 0) {
      for (const auto& item : node) {
        if (auto column = file_.AsString(item, what)) out.push_back(*column);
      }
    } else {
      file_.Report(node, what + ": expected a column name or a list of column names");
    }
    return out;
  }

  void ReadIdTechnique(const YAML::Node& node, Mapping& m) {
    auto text = file_.AsString(node, "id_technique");
    if (!text) return;
    std::string problem;
    auto parts = ParseTemplate(*text, problem);
    if (!parts) {
      file_.Report(node, "id_technique: " + problem);
      return;
    }
    std::set<std::string, std::less<>> used;
    for (const TemplatePart& p : *parts) {
      if (!p.column) continue;
      if (std::find(m.key.begin(), m.key.end(), p.text) == m.key.end()) {
        file_.Report(node, "id_technique: uses " + Excerpt(p.text) +
                               ", which is not a key column; an idTechnique must be built "
                               "from the key alone, or it changes when the data does and the "
                               "CDC records the passage twice");
        return;
      }
      used.insert(p.text);
    }
    for (const std::string& k : m.key) {
      if (!used.contains(k)) {
        file_.Report(node, "id_technique: does not use key column " + Excerpt(k) +
                               "; two rows would get the same idTechnique");
        return;
      }
    }
    m.id_technique = std::move(*parts);
  }

  void ReadIdTechniqueAfterCorrection(const YAML::Node& node, Mapping& m) {
    const std::string what = "id_technique_after_correction";
    if (version_ != SchemaVersion::k115) {
      file_.Report(node, what +
                             ": a correction is a SUPPRESSION then a CREATION, which only "
                             "schema 1.1.5 has");
      return;
    }
    auto text = file_.AsString(node, what);
    if (!text) return;
    std::string problem;
    auto parts = ParseTemplate(*text, problem);
    if (!parts) {
      file_.Report(node, what + ": " + problem);
      return;
    }
    bool counter = false;
    std::set<std::string, std::less<>> used;
    for (const TemplatePart& p : *parts) {
      if (!p.column) continue;
      if (p.text == kCorrectionPlaceholder) {
        counter = true;
        continue;
      }
      if (std::find(m.key.begin(), m.key.end(), p.text) == m.key.end()) {
        file_.Report(node, what + ": uses " + Excerpt(p.text) +
                               ", which is neither a key column nor {correction}; the idTechnique "
                               "of a correction must be built from the key alone");
        return;
      }
      used.insert(p.text);
    }
    if (!counter) {
      file_.Report(node, what +
                             ": does not use {correction}; a second correction of the same "
                             "passage would get the same idTechnique as the first");
      return;
    }
    for (const std::string& k : m.key) {
      if (!used.contains(k)) {
        file_.Report(node, what + ": does not use key column " + Excerpt(k) +
                               "; two passages would get the same idTechnique");
        return;
      }
    }
    m.id_technique_after_correction = std::move(*parts);
  }

  void ReadFields(const YAML::Node& node, Mapping& m) {
    yaml::MapReader fields(file_, node, "fields");
    if (!fields.valid()) return;
    std::set<std::string, std::less<>> known;
    for (const FieldSpec& s : Fields()) known.emplace(s.name);
    for (auto& [name, value] : fields.Entries()) {
      const YAML::Node key_node = KeyNode(node, name);
      auto field = FieldByName(name);
      if (!field) {
        std::string message = "fields: unknown field " + Excerpt(name, yaml::kMaxQuotedKey);
        if (auto near = yaml::ClosestKey(name, known)) {
          message += "; did you mean \"" + *near + "\"?";
        } else {
          message +=
              " (the fields are the CDC dictionary's element names; see accrochd.mapping(5))";
        }
        file_.Report(key_node, message);
        continue;
      }
      if (*field == Field::idTechnique) {
        file_.Report(key_node,
                     "fields: idTechnique comes from key (and id_technique), not from "
                     "fields");
        continue;
      }
      mentioned_.set(static_cast<std::size_t>(*field));  // even if its rule is refused below
      const FieldSpec& spec = Spec(*field);
      if (!spec.In(version_).exists) {
        file_.Report(key_node, "fields: " + name + " does not exist in schema " +
                                   std::string(SchemaVersionName(version_)) +
                                   (*field == Field::nir ? "; identifiantNational (nir) needs "
                                                           "schema_version: \"1.1.5\""
                                                         : ""));
        continue;
      }
      if (auto rule = ReadRule(spec, value, "fields." + name)) {
        m.fields[static_cast<std::size_t>(*field)] = *rule;
      }
    }
    CheckMandatory(node);
  }

  static YAML::Node KeyNode(const YAML::Node& map, const std::string& name) {
    for (const auto& kv : map) {
      if (kv.first.IsScalar() && kv.first.Scalar() == name) return kv.first;
    }
    return map;
  }

  // A rule computing a value of `spec` (a dictionary field, or a part of the certification);
  // `path` names it in messages ("fields.sexe", "certification.code").
  std::optional<FieldRule> ReadRule(const FieldSpec& spec, const YAML::Node& node,
                                    const std::string& path) {
    FieldRule r;
    r.field = spec.field;
    r.location = file_.Where(node);
    if (spec.type == ValueType::kDate) r.date = DateRule{{DateFormat{}}, DatePart::kWhole, false};
    if (node.IsNull()) {
      file_.Report(node, path + ": give a column name, nil, or a rule such as {constant: ...}");
      return std::nullopt;
    }
    if (node.IsScalar()) {
      if (node.Scalar() == "nil") {
        r.source = SourceKind::kNil;
        if (!CheckNil(spec, node, path)) return std::nullopt;
      } else {
        r.source = SourceKind::kColumn;
        auto column = file_.AsString(node, path);
        if (!column) return std::nullopt;
        r.column = *column;
      }
      return r;
    }
    if (!node.IsMap()) {
      file_.Report(node, path + ": expected a column name, nil, or a mapping of rule keys");
      return std::nullopt;
    }
    yaml::MapReader m(file_, node, path);
    for (const char* k : kTransformKeys) m.Has(k);  // all known, for suggestions
    for (const char* k : kCleaningKeys) m.Has(k);
    bool ok = true;
    int sources = ReadSourceKeys(spec, m, path, r, ok);
    if (auto c = m.Node("choose", false)) {
      ++sources;
      r.source = SourceKind::kChoose;
      ok &= ReadChoose(spec, *c, path, r);
    }
    if (sources != 1) {
      file_.Report(node, path + (sources == 0 ? ": give one source: column, constant, template, "
                                                "coalesce or choose"
                                              : ": give only one of column, constant, template, "
                                                "coalesce and choose"));
      ok = false;
    }
    if (sources == 1 && r.source == SourceKind::kNil && !CheckNoStepOnNil(m, path)) {
      m.Finish();
      return std::nullopt;
    }
    if (auto v = m.Bool("trim", false)) r.trim = *v;
    if (auto v = m.Bool("fold_spaces", false)) r.fold_spaces = *v;
    if (auto v = m.Bool("nil_when_empty", false)) r.nil_when_empty = *v;
    if (auto v = m.Bool("required", false)) r.required = *v;
    auto word = m.Node("word", false);
    auto words_from = m.Node("words_from", false);
    if (word && words_from) {
      file_.Report(*words_from, path + ": give word or words_from, not both");
      ok = false;
    } else if (word || words_from) {
      const YAML::Node& n = word ? *word : *words_from;
      if (auto v = file_.AsInt(n, path + (word ? ".word" : ".words_from"), 1, 100)) {
        r.word = WordRule{static_cast<int>(*v), !word, {}};
      }
    }
    if (auto sep = m.Node("separator", false)) {
      if (!r.word) {
        file_.Report(*sep, path + ".separator: only applies with word or words_from");
        ok = false;
      } else {
        ok &= ReadSeparators(*sep, path + ".separator", *r.word);
      }
    }
    if (auto c = m.Node("case", false)) {
      if (auto v = file_.AsString(*c, path + ".case")) {
        if (*v == "upper") {
          r.letter_case = LetterCase::kUpper;
        } else if (*v == "lower") {
          r.letter_case = LetterCase::kLower;
        } else {
          file_.Report(*c, path + ".case: expected upper or lower, found " + Excerpt(*v));
          ok = false;
        }
      }
    }
    ok &= ReadCleaningSteps(m, path, r);
    auto map_node = m.Node("map", false);
    if (map_node) ok &= ReadMap(spec, *map_node, path, r);
    for (const char* option : {"default", "ignore_case", "ignore_accents", "fingerprint"}) {
      if (auto n = m.Node(option, false); n && !map_node) {
        file_.Report(*n, path + "." + option + ": only applies with map");
        ok = false;
      }
    }
    if (map_node && r.map) {
      if (auto d = m.Node("default", false)) {
        if (auto v = file_.AsString(*d, path + ".default")) {
          r.map->default_location = file_.Where(*d);
          r.map->has_default = true;
          ok &= ReadOutcome(spec, *v, *d, path + ".default", r.map->default_outcome,
                            r.map->default_value, /*keep_allowed=*/true);
        }
      }
      if (auto v = m.Bool("ignore_case", false)) r.map->ignore_case = *v;
      if (auto v = m.Bool("ignore_accents", false)) r.map->ignore_accents = *v;
      if (auto v = m.Bool("fingerprint", false)) r.map->fingerprint = *v;
      ok &= IndexMap(path, *r.map);
    }
    ok &= ReadPattern(m, path, r);
    auto date_node = m.Node("date", false);
    auto part_node = m.Node("part", false);
    if (date_node) ok &= ReadDate(spec, *date_node, part_node, path, r);
    if (part_node && !date_node) {
      file_.Report(*part_node, path + ".part: only applies with date");
      ok = false;
    }
    if (auto v = m.Node("partial", false)) {
      if (auto partial = file_.AsBool(*v, path + ".partial")) {
        if (!date_node || !r.date || r.date->part == DatePart::kWhole) {
          file_.Report(*v, path +
                               ".partial: only applies with date and part (year, month or "
                               "day): a whole date cannot be sent with an unknown day or month");
          ok = false;
        } else {
          r.date->partial = *partial;
        }
      } else {
        ok = false;
      }
    }
    ok &= ReadRange(spec, m, path, r);
    if (spec.type == ValueType::kInt && r.date && r.date->explicit_formats &&
        r.date->part == DatePart::kWhole) {
      file_.Report(*date_node, path + ": a date gives " + std::string(spec.name) +
                                   " only with part: year, month or day");
      ok = false;
    }
    m.Finish();
    if (!ok) return std::nullopt;
    return r;
  }

  // Reads the source keys of a rule or of a choose branch (column, constant -- nil among them --,
  // template, coalesce) into `r`; returns how many were given.
  template <typename Target>
  int ReadSourceKeys(const FieldSpec& spec, yaml::MapReader& m, const std::string& path, Target& r,
                     bool& ok) {
    int sources = 0;
    if (auto v = m.String("column", false)) {
      ++sources;
      r.source = SourceKind::kColumn;
      r.column = *v;
    }
    if (auto c = m.Node("constant", false)) {
      ++sources;
      if (auto v = file_.AsString(*c, path + ".constant")) {
        if (*v == "nil") {
          r.source = SourceKind::kNil;
          ok &= CheckNil(spec, *c, path);
        } else {
          r.source = SourceKind::kConstant;
          r.constant = ToNfc(*v);
          ok &= CheckTarget(spec, r.constant, *c, path + ".constant");
        }
      }
    }
    if (auto t = m.Node("template", false)) {
      ++sources;
      r.source = SourceKind::kTemplate;
      if (auto v = file_.AsString(*t, path + ".template")) {
        std::string problem;
        auto parts = ParseTemplate(*v, problem);
        if (!parts) {
          file_.Report(*t, path + ".template: " + problem);
          ok = false;
        } else {
          r.template_parts = std::move(*parts);
        }
      }
    }
    if (auto c = m.Node("coalesce", false)) {
      ++sources;
      r.source = SourceKind::kCoalesce;
      if (!c->IsSequence() || c->size() < 2) {
        file_.Report(*c, path + ".coalesce: expected a list of two columns or more");
        ok = false;
      } else {
        for (const auto& item : *c) {
          if (auto column = file_.AsString(item, path + ".coalesce")) r.coalesce.push_back(*column);
        }
      }
    }
    return sources;
  }

  // choose: [branch, ...] -- each branch `when` (a condition) and one source, or a plain column
  // name; the branch without `when` (otherwise) may only be last.
  bool ReadChoose(const FieldSpec& spec, const YAML::Node& node, const std::string& path,
                  FieldRule& r) {
    const std::string where = path + ".choose";
    if (!node.IsSequence() || node.size() == 0) {
      file_.Report(node, where +
                             ": expected a list of branches, each a condition (when) and a "
                             "source");
      return false;
    }
    bool ok = true;
    for (std::size_t i = 0; i < node.size(); ++i) {
      const YAML::Node item = node[i];
      ChooseBranch b;
      b.location = file_.Where(item);
      if (item.IsScalar()) {
        if (item.Scalar() == "nil") {
          b.source = SourceKind::kNil;
          ok &= CheckNil(spec, item, where);
        } else if (auto column = file_.AsString(item, where)) {
          b.column = *column;
        } else {
          ok = false;
        }
      } else {
        yaml::MapReader m(file_, item, where);
        if (!m.valid()) {
          ok = false;
          continue;
        }
        if (auto w = m.Node("when", false)) {
          b.when = ReadConditionNode(file_, *w, where + ".when");
          if (!b.when) ok = false;
        }
        bool branch_ok = true;
        const int sources = ReadSourceKeys(spec, m, where, b, branch_ok);
        ok &= branch_ok;
        if (sources != 1) {
          file_.Report(item, where + (sources == 0 ? ": a branch gives one source: column, "
                                                     "constant, template or coalesce"
                                                   : ": a branch gives only one of column, "
                                                     "constant, template and coalesce"));
          ok = false;
        }
        m.Finish();
      }
      if (!b.when && i + 1 != node.size()) {
        file_.Report(item, where +
                               ": a branch without when (the otherwise branch) must be the "
                               "last");
        ok = false;
      }
      r.choose.push_back(std::move(b));
    }
    return ok;
  }

  bool CheckNil(const FieldSpec& spec, const YAML::Node& at, const std::string& path) {
    if (spec.In(version_).nillable && spec.dico != DicoStatus::kObligatoire) return true;
    file_.Report(at, path + ": " + std::string(spec.name) + " cannot be nil" +
                         (spec.In(version_).nillable ? " (the dictionary requires a value)" : ""));
    return false;
  }

  // A constant, a map target or a default must be a valid value for the field.
  bool CheckTarget(const FieldSpec& spec, const std::string& value, const YAML::Node& at,
                   const std::string& path) {
    auto violation = CheckValue(spec, value);
    if (!violation) return true;
    file_.Report(at, path + ": " + DescribeViolationForAdministrator(spec, value, *violation));
    return false;
  }

  bool ReadMap(const FieldSpec& spec, const YAML::Node& node, const std::string& path,
               FieldRule& r) {
    if (!node.IsMap() || node.size() == 0) {
      file_.Report(node, path + ".map: expected a mapping of source values to CDC values");
      return false;
    }
    bool ok = true;
    ValueMap map;
    for (const auto& kv : node) {
      ValueMap::Entry e;
      if (!kv.first.IsScalar()) {
        file_.Report(kv.first, path + ".map: keys are the values found in the database");
        ok = false;
        continue;
      }
      e.from = kv.first.Scalar();
      e.location = file_.Where(kv.first);
      // The keys are compared with the database's values, which are UTF-8 text, in NFC.
      if (auto problem = XmlTextProblem(e.from)) {
        file_.Report(kv.first, path + ".map: the key " + Excerpt(e.from) + " has " + *problem +
                                   yaml::TextAdvice(*problem));
        ok = false;
        continue;
      }
      NormalizeNfc(e.from);
      file_.NoteEntry(kv.first, kv.second);
      if (auto to = file_.AsString(kv.second, path + ".map")) {
        ok &= ReadOutcome(spec, *to, kv.second, path + ".map[" + Excerpt(e.from) + "]", e.outcome,
                          e.to);
      } else {
        ok = false;
      }
      map.entries.push_back(std::move(e));
    }
    r.map = std::move(map);
    return ok;
  }

  // A map target or default: nil, absent, or a value valid for the field; for a default, also
  // keep.
  bool ReadOutcome(const FieldSpec& spec, const std::string& text, const YAML::Node& at,
                   const std::string& path, MapOutcome& outcome, std::string& value,
                   bool keep_allowed = false) {
    if (text == "nil") {
      outcome = MapOutcome::kNil;
      return CheckNil(spec, at, path);
    }
    if (text == "absent") {
      outcome = MapOutcome::kAbsent;
      return true;
    }
    if (text == "keep") {
      if (!keep_allowed) {
        file_.Report(at, path +
                             ": keep is for default (the values the map does not list); a "
                             "listed value gives its target, so write the value itself");
        return false;
      }
      outcome = MapOutcome::kKeep;
      return true;
    }
    outcome = MapOutcome::kValue;
    value = ToNfc(text);
    return CheckTarget(spec, value, at, path);
  }

  // ---- Steps for messy data: separators, remove_spaces, digits_only, pad_left, pattern ----

  // separator: a text, or a list of texts (any of them separates; " " is a run of blanks).
  bool ReadSeparators(const YAML::Node& node, const std::string& path, WordRule& word) {
    std::vector<YAML::Node> items;
    if (node.IsSequence()) {
      for (const auto& item : node) items.push_back(item);
      if (items.empty()) {
        file_.Report(node, path + ": give a separator, or a list of one or more");
        return false;
      }
    } else {
      items.push_back(node);
    }
    bool ok = true;
    for (const YAML::Node& item : items) {
      auto v = file_.AsString(item, path);
      if (!v) {
        ok = false;
        continue;
      }
      if (v->empty()) {
        file_.Report(item, path + ": must not be empty");
        ok = false;
        continue;
      }
      std::string separator = ToNfc(*v);
      if (std::find(word.separators.begin(), word.separators.end(), separator) ==
          word.separators.end()) {
        word.separators.push_back(std::move(separator));
      }
    }
    return ok;
  }

  // remove_spaces, digits_only, pad_left.
  bool ReadCleaningSteps(yaml::MapReader& m, const std::string& path, FieldRule& r) {
    if (auto v = m.Bool("remove_spaces", false)) r.remove_spaces = *v;
    if (auto v = m.Bool("digits_only", false)) r.digits_only = *v;
    if (auto n = m.Node("pad_left", false)) {
      auto v = file_.AsInt(*n, path + ".pad_left", 1, 255);
      if (!v) return false;
      r.pad_left = static_cast<int>(*v);
    }
    return true;
  }

  // pattern, compiled here once, and pattern_reason.
  bool ReadPattern(yaml::MapReader& m, const std::string& path, FieldRule& r) {
    auto pattern_node = m.Node("pattern", false);
    auto reason_node = m.Node("pattern_reason", false);
    if (!pattern_node) {
      if (reason_node) {
        file_.Report(*reason_node, path + ".pattern_reason: only applies with pattern");
        return false;
      }
      return true;
    }
    auto text = file_.AsString(*pattern_node, path + ".pattern");
    if (!text) return false;
    PatternRule p;
    p.text = ToNfc(*text);
    p.location = file_.Where(*pattern_node);
    std::string problem;
    auto compiled = CompiledPattern::Compile(p.text, problem);
    bool ok = true;
    if (!compiled) {
      file_.Report(*pattern_node, path + ".pattern: " + Excerpt(p.text) + ": " + problem);
      ok = false;
    } else {
      p.compiled = std::move(*compiled);
    }
    if (reason_node) {
      if (auto reason = file_.AsString(*reason_node, path + ".pattern_reason")) {
        p.reason = ToNfc(std::string(TrimBlanks(*reason)));
        const std::size_t length = Utf8Length(p.reason);
        if (length == 0 || length > kPatternReasonMaxLength) {
          file_.Report(*reason_node, path + ".pattern_reason: 1 to " +
                                         std::to_string(kPatternReasonMaxLength) +
                                         " characters, in French: what the value should be, "
                                         "for the staff who read the quarantine");
          ok = false;
        }
      } else {
        ok = false;
      }
    }
    if (ok) r.pattern = std::move(p);
    return ok;
  }

  // A nil source gives no value: a step on it is a mistake (a column was probably meant).
  bool CheckNoStepOnNil(yaml::MapReader& m, const std::string& path) {
    bool ok = true;
    for (const char* key : kStepKeys) {
      if (auto n = m.Node(key, false)) {
        file_.Report(*n, path + "." + key +
                             ": the source is nil, which has no value for a step to work on; "
                             "read a column, or leave the step out");
        ok = false;
      }
    }
    return ok;
  }

  // With ignore_case / ignore_accents / fingerprint, "Mme" and "MME" are the same key: refuse
  // maps that send them to different values, at the later entry.
  bool IndexMap(const std::string& path, ValueMap& map) {
    auto clash = map.Index();
    if (!clash) return true;
    const ValueMap::Entry& earlier = map.entries[clash->first];
    const ValueMap::Entry& later = map.entries[clash->second];
    file_.Report(later.location, path + ".map: " + Excerpt(later.from) + " and " +
                                     Excerpt(earlier.from) +
                                     " are the same value here but map to different CDC "
                                     "values");
    return false;
  }

  bool ReadDate(const FieldSpec& spec, const YAML::Node& node,
                const std::optional<YAML::Node>& part_node, const std::string& path, FieldRule& r) {
    const bool birth_part = spec.field == Field::anneeNaissance ||
                            spec.field == Field::moisNaissance ||
                            spec.field == Field::jourNaissance;
    if (spec.type != ValueType::kDate && !birth_part) {
      file_.Report(node, path +
                             ".date: applies to date fields, and to anneeNaissance, "
                             "moisNaissance and jourNaissance (with part)");
      return false;
    }
    DateRule rule;
    rule.explicit_formats = true;
    std::vector<YAML::Node> items;
    if (node.IsSequence()) {
      for (const auto& item : node) items.push_back(item);
    } else {
      items.push_back(node);
    }
    bool ok = true;
    for (const YAML::Node& item : items) {
      auto text = file_.AsString(item, path + ".date");
      if (!text) {
        ok = false;
        continue;
      }
      DateFormat f;
      if (*text == "iso") {
        f.kind = DateFormat::Kind::kIso;
      } else if (*text == "sql") {
        f.kind = DateFormat::Kind::kSql;
      } else {
        f.kind = DateFormat::Kind::kPattern;
        f.pattern = *text;
        if (auto problem = CheckDatePattern(*text)) {
          file_.Report(item, path + ".date: " + Excerpt(*text) + ": " + *problem);
          ok = false;
        }
      }
      rule.formats.push_back(std::move(f));
    }
    if (rule.formats.empty()) {
      file_.Report(node, path + ".date: give a format (\"%d/%m/%Y\", iso or sql) or a list");
      ok = false;
    }
    if (part_node) {
      if (auto v = file_.AsString(*part_node, path + ".part")) {
        if (*v == "year") {
          rule.part = DatePart::kYear;
        } else if (*v == "month") {
          rule.part = DatePart::kMonth;
        } else if (*v == "day") {
          rule.part = DatePart::kDay;
        } else {
          file_.Report(*part_node,
                       path + ".part: expected year, month or day, found " + Excerpt(*v));
          ok = false;
        }
        if (spec.type == ValueType::kDate && rule.part != DatePart::kWhole) {
          file_.Report(*part_node, path + ".part: " + std::string(spec.name) +
                                       " is a whole date; part is for anneeNaissance, "
                                       "moisNaissance and jourNaissance");
          ok = false;
        }
      }
    }
    r.date = std::move(rule);
    return ok;
  }

  // not_before / not_after: today, or a real day written YYYY-MM-DD, on a rule that reads a
  // date (a date field, or a birth part read with date).
  bool ReadRange(const FieldSpec& spec, yaml::MapReader& m, const std::string& path, FieldRule& r) {
    bool ok = true;
    auto read = [&](const char* key) -> std::optional<DateBound> {
      auto node = m.Node(key, false);
      if (!node) return std::nullopt;
      const std::string where = path + "." + key;
      if (!r.date) {
        file_.Report(*node, where +
                                ": applies to dates: a date field, or anneeNaissance, "
                                "moisNaissance and jourNaissance read with date");
        ok = false;
        return std::nullopt;
      }
      auto text = file_.AsString(*node, where);
      if (!text) {
        ok = false;
        return std::nullopt;
      }
      DateBound bound;
      bound.location = file_.Where(*node);
      if (*text == "today") {
        bound.today = true;
      } else if (auto d = ParseIsoDate(*text)) {
        bound.date = *d;
      } else {
        file_.Report(*node, where + ": expected today or a real day written YYYY-MM-DD, found " +
                                Excerpt(*text));
        ok = false;
        return std::nullopt;
      }
      return bound;
    };
    r.not_before = read("not_before");
    r.not_after = read("not_after");
    if (r.not_before && r.not_after && !r.not_before->today && !r.not_after->today &&
        r.not_after->date < r.not_before->date) {
      file_.Report(r.not_before->location,
                   path + ".not_before: " + FormatIsoDate(r.not_before->date) +
                       " is after not_after " + FormatIsoDate(r.not_after->date) + ": no date of " +
                       std::string(spec.name) + " could pass");
      ok = false;
    }
    return ok;
  }

  // Fields the dictionary makes mandatory must be described, with a value or nil. A field whose
  // rule was refused counts as described: its own error says what is wrong.
  void CheckMandatory(const YAML::Node& fields_node) {
    std::vector<std::string> missing;
    auto described = [&](Field f) { return mentioned_[static_cast<std::size_t>(f)]; };
    auto need = [&](Field f) {
      if (!described(f)) {
        missing.push_back(std::string(Spec(f).name) + " (" + std::string(Spec(f).dico_id) + ")");
      }
    };
    for (const FieldSpec& s : Fields()) {
      if (s.group != Group::kPassage && s.group != Group::kModalitesInscription) continue;
      if (s.field == Field::idTechnique) continue;
      if (s.dico == DicoStatus::kObligatoire || s.dico == DicoStatus::kObligatoireSaufNil) {
        need(s.field);
      }
    }
    // The holder is identified by one of the branches of identificationTitulaire. nomNaissance
    // belongs to two of them (titulaire and identifiantNational).
    const std::vector<Field> titulaire_only = {
        Field::nomUsage,      Field::prenom1, Field::anneeNaissance, Field::moisNaissance,
        Field::jourNaissance, Field::sexe,    Field::codeInsee,      Field::codePostal};
    const std::vector<Field> titulaire = {
        Field::nomNaissance,  Field::nomUsage,      Field::prenom1, Field::anneeNaissance,
        Field::moisNaissance, Field::jourNaissance, Field::sexe};
    const std::vector<Field> dossier = {Field::idDossier, Field::nomTitulaire,
                                        Field::prenom1Titulaire};
    auto any = [&](const std::vector<Field>& fs) {
      return std::any_of(fs.begin(), fs.end(), described);
    };
    const bool uses_dossier = any(dossier);
    const bool uses_nir = described(Field::nir);
    const bool uses_titulaire =
        any(titulaire_only) || (described(Field::nomNaissance) && !uses_nir && !uses_dossier);
    if (uses_dossier) {
      for (Field f : dossier) need(f);
    }
    if (uses_nir) need(Field::nomNaissance);
    if (uses_titulaire || (!uses_dossier && !uses_nir)) {
      for (Field f : titulaire) need(f);
      if (!described(Field::codeInsee) && !described(Field::codePostal)) {
        missing.push_back("codeInsee (8.10) or codePostal (8.11)");
      }
    }
    std::sort(missing.begin(), missing.end());
    missing.erase(std::unique(missing.begin(), missing.end()), missing.end());
    for (const std::string& f : missing) {
      file_.Report(fields_node, "fields: mandatory field " + f +
                                    " is not mapped; map it to a column, a constant, or nil "
                                    "when the dictionary allows it");
    }
  }

  yaml::FileReader& file_;
  SchemaVersion version_;
  std::bitset<kFieldCount> mentioned_;  // fields named under fields:, valid rule or not
};

std::optional<Mapping> LoadRoot(std::optional<YAML::Node> root, const std::string& name,
                                SchemaVersion version, Diagnostics& diagnostics) {
  if (!root) return std::nullopt;
  yaml::FileReader file(name, diagnostics);
  Loader loader(file, version);
  return loader.Load(*root, std::filesystem::path(name).stem().string());
}

bool ConditionReads(const Condition& c, const std::string& column) {
  std::vector<std::string> columns;
  AddConditionColumns(c, columns);
  return std::find(columns.begin(), columns.end(), column) != columns.end();
}

// The position of the innermost condition of `c` that reads `column`.
Location ConditionLocation(const Condition& c, const std::string& column) {
  for (const Condition& child : c.conditions) {
    if (ConditionReads(child, column)) return ConditionLocation(child, column);
  }
  return c.location;
}

}  // namespace

std::optional<Mapping> LoadMapping(const std::string& path, SchemaVersion version,
                                   Diagnostics& diagnostics) {
  auto mapping = LoadRoot(yaml::LoadFile(path, diagnostics), path, version, diagnostics);
  if (mapping) {
    std::ifstream in(path, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    mapping->fingerprint = StableHash(text);
  }
  return mapping;
}

std::optional<Mapping> LoadMappingText(const std::string& text, const std::string& name,
                                       SchemaVersion version, Diagnostics& diagnostics) {
  auto mapping = LoadRoot(yaml::LoadString(text, name, diagnostics), name, version, diagnostics);
  if (mapping) mapping->fingerprint = StableHash(text);
  return mapping;
}

Location ColumnLocation(const Mapping& mapping, const std::string& column) {
  auto has = [&](const std::vector<std::string>& list) {
    return std::find(list.begin(), list.end(), column) != list.end();
  };
  if (has(mapping.key)) return mapping.key_location;
  if (mapping.cursor && mapping.cursor->column == column) return mapping.cursor->location;
  auto reads = [&](const FieldRule& rule) -> std::optional<Location> {
    const bool in_template =
        std::any_of(rule.template_parts.begin(), rule.template_parts.end(),
                    [&](const TemplatePart& p) { return p.column && p.text == column; });
    if (rule.column == column || in_template || has(rule.coalesce)) return rule.location;
    for (const ChooseBranch& b : rule.choose) {
      if (b.when && ConditionReads(*b.when, column)) return ConditionLocation(*b.when, column);
      const bool in_branch_template =
          std::any_of(b.template_parts.begin(), b.template_parts.end(),
                      [&](const TemplatePart& p) { return p.column && p.text == column; });
      if (b.column == column || in_branch_template || has(b.coalesce)) return b.location;
    }
    return std::optional<Location>();
  };
  if (auto at = reads(mapping.certification.type)) return *at;
  if (auto at = reads(mapping.certification.code)) return *at;
  for (const auto& rule : mapping.fields) {
    if (!rule) continue;
    if (auto at = reads(*rule)) return *at;
  }
  for (const SkipRule& r : mapping.skip_when) {
    if (ConditionReads(r.when, column)) return ConditionLocation(r.when, column);
  }
  for (const auto* rules : {&mapping.quarantine_when, &mapping.require}) {
    for (const RowRule& r : *rules) {
      if (ConditionReads(r.when, column)) return ConditionLocation(r.when, column);
    }
  }
  return Location{mapping.file, 0, 0};
}

std::optional<std::vector<TemplatePart>> ParseTemplate(const std::string& text,
                                                       std::string& problem) {
  std::vector<TemplatePart> parts;
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) parts.push_back({false, ToNfc(literal)});
    literal.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '{' && i + 1 < text.size() && text[i + 1] == '{') {
      literal += '{';
      ++i;
    } else if (c == '}' && i + 1 < text.size() && text[i + 1] == '}') {
      literal += '}';
      ++i;
    } else if (c == '{') {
      std::size_t close = text.find('}', i);
      if (close == std::string::npos) {
        problem = "a '{' is not closed (write {{ for a literal brace)";
        return std::nullopt;
      }
      std::string column = text.substr(i + 1, close - i - 1);
      if (column.empty() || column.find('{') != std::string::npos) {
        problem = "an empty or nested {} in the template";
        return std::nullopt;
      }
      flush();
      parts.push_back({true, column});
      i = close;
    } else if (c == '}') {
      problem = "a '}' closes nothing (write }} for a literal brace)";
      return std::nullopt;
    } else {
      literal += c;
    }
  }
  flush();
  return parts;
}

std::string ValueMap::Fold(std::string_view value) const {
  if (fingerprint) return Fingerprint(value);
  return FoldForComparison(value, ignore_accents, ignore_case);
}

std::optional<std::pair<std::size_t, std::size_t>> ValueMap::Index() {
  index.clear();
  index.reserve(entries.size());
  std::optional<std::pair<std::size_t, std::size_t>> clash;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    auto [it, inserted] = index.emplace(Fold(entries[i].from), i);
    if (inserted || clash) continue;
    const Entry& earlier = entries[it->second];
    if (earlier.outcome != entries[i].outcome || earlier.to != entries[i].to) {
      clash = std::make_pair(it->second, i);
    }
  }
  return clash;
}

const ValueMap::Entry* ValueMap::Find(std::string_view value) const {
  auto it = index.find(Fold(value));
  return it == index.end() ? nullptr : &entries[it->second];
}

std::vector<std::string> ReferencedColumns(const Mapping& mapping) {
  std::vector<std::string> out;
  auto add = [&](const std::string& c) {
    if (!c.empty() && std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  };
  for (const std::string& k : mapping.key) add(k);
  if (mapping.cursor) add(mapping.cursor->column);
  for (const std::string& k : mapping.page_by) add(k);
  auto add_rule = [&](const FieldRule& rule) {
    add(rule.column);
    for (const TemplatePart& p : rule.template_parts) {
      if (p.column) add(p.text);
    }
    for (const std::string& c : rule.coalesce) add(c);
    for (const ChooseBranch& b : rule.choose) {
      if (b.when) AddConditionColumns(*b.when, out);
      add(b.column);
      for (const TemplatePart& p : b.template_parts) {
        if (p.column) add(p.text);
      }
      for (const std::string& c : b.coalesce) add(c);
    }
  };
  add_rule(mapping.certification.type);
  add_rule(mapping.certification.code);
  for (const auto& rule : mapping.fields) {
    if (rule) add_rule(*rule);
  }
  for (const SkipRule& r : mapping.skip_when) AddConditionColumns(r.when, out);
  for (const RowRule& r : mapping.quarantine_when) AddConditionColumns(r.when, out);
  for (const RowRule& r : mapping.require) AddConditionColumns(r.when, out);
  return out;
}

namespace {

// The dictionary's certification types (4.1), as the type's enumeration.
constexpr std::string_view kCertificationTypeValues[] = {
    "RNCP",          "RS", "Diplôme d'Etablissement", "Diplôme Universitaire", "Habilitation",
    "Reconnaissance"};

FieldSpec CertificationSpec(std::string_view name, std::string_view id, std::string_view label,
                            int max_length) {
  FieldSpec s{};
  s.field = Field::kCount;  // not a passage field
  s.name = name;
  s.dico_id = id;
  s.label = label;
  s.group = Group::kPassage;
  s.type = ValueType::kString;
  s.min_length = 1;
  s.max_length = max_length;
  s.v112 = Occurrence{true, false, true};
  s.v115 = Occurrence{true, false, true};
  s.dico = DicoStatus::kObligatoire;
  s.personal = false;
  return s;
}

// "RNCP" or "RS" when `code` is that prefix followed by one or more digits, else "".
std::string RegisterOfCode(std::string_view code) {
  for (std::string_view prefix : {std::string_view("RNCP"), std::string_view("RS")}) {
    if (code.size() > prefix.size() && code.starts_with(prefix) &&
        std::all_of(code.begin() + static_cast<std::ptrdiff_t>(prefix.size()), code.end(),
                    [](char ch) { return ch >= '0' && ch <= '9'; })) {
      return std::string(prefix);
    }
  }
  return "";
}

}  // namespace

const std::vector<std::string>& CertificationTypes() {
  static const std::vector<std::string> kTypes(std::begin(kCertificationTypeValues),
                                               std::end(kCertificationTypeValues));
  return kTypes;
}

const FieldSpec& CertificationTypeSpec() {
  static const FieldSpec kSpec = [] {
    FieldSpec s = CertificationSpec("certification.type", "4.1", "Type de certification",
                                    kCertificationTypeMaxLength);
    s.type = ValueType::kEnum;
    s.enumeration = kCertificationTypeValues;
    return s;
  }();
  return kSpec;
}

const FieldSpec& CertificationCodeSpec() {
  static const FieldSpec kSpec = CertificationSpec(
      "certification.code", "4.2", "Code de certification", kCertificationCodeMaxLength);
  return kSpec;
}

std::optional<CertificationFault> CheckCertification(const Certification& c) {
  const auto& types = CertificationTypes();
  if (std::find(types.begin(), types.end(), c.type) == types.end()) {
    return CertificationFault{CertificationFault::Kind::kUnknownType, "", false};
  }
  const std::string shape = RegisterOfCode(c.code);
  if (c.type == "RNCP" || c.type == "RS") {
    if (shape.empty()) {
      const bool digits = !c.code.empty() && std::all_of(c.code.begin(), c.code.end(), [](char ch) {
        return ch >= '0' && ch <= '9';
      });
      return CertificationFault{CertificationFault::Kind::kMalformedCode, "", digits};
    }
    if (shape != c.type) return CertificationFault{CertificationFault::Kind::kContradiction, shape};
    return std::nullopt;
  }
  if (!shape.empty()) return CertificationFault{CertificationFault::Kind::kContradiction, shape};
  return std::nullopt;
}

std::optional<std::string> CertificationProblem(const Certification& c) {
  auto fault = CheckCertification(c);
  if (!fault) return std::nullopt;
  switch (fault->kind) {
    case CertificationFault::Kind::kUnknownType: {
      std::string list;
      for (const std::string& t : CertificationTypes()) {
        list += (list.empty() ? "" : ", ") + ("\"" + t + "\"");
      }
      return "type " + Excerpt(c.type) +
             " is not a certification type of the dictionary (4.1): " + list;
    }
    case CertificationFault::Kind::kMalformedCode:
      return "code " + Excerpt(c.code) + " is not an " + c.type + " code: write " + c.type +
             " then digits (" + (c.type == "RNCP" ? "RNCP34567" : "RS5875") + ")" +
             (fault->digits_only ? ", here " + c.type + c.code : "");
    case CertificationFault::Kind::kContradiction: {
      const std::string type =
          c.type == "RNCP" || c.type == "RS" ? c.type : std::string(Excerpt(c.type));
      return "code " + Excerpt(c.code) + " is an " + fault->code_register +
             " code, but the type is " + type +
             ": the CDC refuses a type that contradicts its code (type: " + fault->code_register +
             ")";
    }
  }
  return std::nullopt;
}

}  // namespace accrochd::mappings
