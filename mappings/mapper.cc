#include "mappings/mapper.h"

#include <algorithm>
#include <cctype>
#include <tuple>

#include "core/text.h"
#include "core/unicode/nfc.h"
#include "mappings/reasons.h"
#include "mappings/value_rules.h"

namespace accrochd::mappings {
namespace {

constexpr std::size_t kLiteral = static_cast<std::size_t>(-1);

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads 1 to `max` digits at text[i].
std::optional<int> ReadNumber(std::string_view text, std::size_t& i, std::size_t min,
                              std::size_t max) {
  std::size_t start = i;
  int v = 0;
  while (i < text.size() && i - start < max && IsDigit(text[i])) v = v * 10 + (text[i++] - '0');
  if (i - start < min) return std::nullopt;
  return v;
}

struct DateFields {
  int year = 0, month = 0, day = 0;
};

// Reads a whole date in the pattern's shape; nullopt when the text does not have that shape.
std::optional<DateFields> MatchPattern(std::string_view text, std::string_view pattern) {
  DateFields f;
  std::size_t i = 0;
  for (std::size_t p = 0; p < pattern.size(); ++p) {
    if (pattern[p] != '%') {
      if (i >= text.size() || text[i] != pattern[p]) return std::nullopt;
      ++i;
      continue;
    }
    char d = pattern[++p];
    std::optional<int> n;
    switch (d) {
      case 'd':
        n = ReadNumber(text, i, 1, 2);
        if (n) f.day = *n;
        break;
      case 'm':
        n = ReadNumber(text, i, 1, 2);
        if (n) f.month = *n;
        break;
      case 'Y':
        n = ReadNumber(text, i, 4, 4);
        if (n) f.year = *n;
        break;
      case 'H':
      case 'M':
      case 'S':
        n = ReadNumber(text, i, 1, 2);
        break;
      case '%':
        if (i < text.size() && text[i] == '%') {
          ++i;
          n = 0;
        }
        break;
    }
    if (!n) return std::nullopt;
  }
  if (i != text.size()) return std::nullopt;
  return f;
}

// "YYYY-MM-DD", optionally followed by a time as SQL drivers write DATE and TIMESTAMP values:
// "YYYY-MM-DD HH:MM:SS[.fff]" or with a 'T', with or without a zone.
std::optional<DateFields> MatchSql(std::string_view text) {
  if (text.size() < 10) return std::nullopt;
  auto date = MatchPattern(text.substr(0, 10), "%Y-%m-%d");
  if (!date || text.substr(0, 10).find_first_not_of("0123456789-") != std::string_view::npos ||
      text[4] != '-' || text[7] != '-' || !IsDigit(text[5]) || !IsDigit(text[8])) {
    return std::nullopt;
  }
  std::string_view rest = text.substr(10);
  if (rest.empty()) return date;
  if (rest[0] != ' ' && rest[0] != 'T') return std::nullopt;
  rest.remove_prefix(1);
  // HH:MM[:SS[.fraction]][zone]
  if (rest.size() < 5 || !IsDigit(rest[0]) || !IsDigit(rest[1]) || rest[2] != ':' ||
      !IsDigit(rest[3]) || !IsDigit(rest[4])) {
    return std::nullopt;
  }
  for (char c : rest.substr(5)) {
    if (!IsDigit(c) && c != ':' && c != '.' && c != '+' && c != '-' && c != 'Z')
      return std::nullopt;
  }
  return date;
}

Date ToDate(const DateFields& f) {
  return Date{std::chrono::year(f.year), std::chrono::month(static_cast<unsigned>(f.month)),
              std::chrono::day(static_cast<unsigned>(f.day))};
}

// Splits on `separator`, or on runs of blanks when it is empty; parts are trimmed and empty ones
// dropped.
std::vector<std::string> SplitWords(std::string_view text, const std::string& separator) {
  std::vector<std::string> words;
  if (separator.empty()) {
    std::string folded = FoldBlanks(TrimBlanks(text));
    std::size_t start = 0;
    while (start < folded.size()) {
      std::size_t end = folded.find(' ', start);
      if (end == std::string::npos) end = folded.size();
      if (end > start) words.push_back(folded.substr(start, end - start));
      start = end + 1;
    }
    return words;
  }
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(separator, start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view part = TrimBlanks(text.substr(start, end - start));
    if (!part.empty()) words.emplace_back(part);
    if (end == text.size()) break;
    start = end + separator.size();
  }
  return words;
}

}  // namespace

std::optional<Date> ParseDateWithFormats(std::string_view text,
                                         const std::vector<DateFormat>& formats, bool& impossible) {
  auto d = ParseSourceDate(text, formats, false, impossible);
  if (!d) return std::nullopt;
  return ToDate(DateFields{d->year, static_cast<int>(d->month), static_cast<int>(d->day)});
}

std::optional<SourceDate> ParseSourceDate(std::string_view text,
                                          const std::vector<DateFormat>& formats, bool partial,
                                          bool& impossible) {
  impossible = false;
  for (const DateFormat& f : formats) {
    std::optional<DateFields> fields;
    switch (f.kind) {
      case DateFormat::Kind::kIso:
        if (text.size() == 10) fields = MatchPattern(text, "%Y-%m-%d");
        if (fields &&
            (text[4] != '-' || text[7] != '-' || !IsDigit(text[5]) || !IsDigit(text[8]))) {
          fields.reset();  // ISO wants two digits for month and day
        }
        break;
      case DateFormat::Kind::kSql:
        fields = MatchSql(text);
        break;
      case DateFormat::Kind::kPattern:
        fields = MatchPattern(text, f.pattern);
        break;
    }
    if (!fields) continue;
    const SourceDate read{fields->year, static_cast<unsigned>(fields->month),
                          static_cast<unsigned>(fields->day)};
    if (partial && (fields->month == 0 || fields->day == 0)) {
      if (fields->month <= 12 && fields->day <= 31) return read;
    } else if (ToDate(*fields).ok()) {
      return read;
    }
    impossible = true;  // the right shape, a day that does not exist
  }
  return std::nullopt;
}

RuleOutput ApplyTransforms(const FieldRule& rule, const FieldSpec& spec,
                           std::optional<std::string> value) {
  RuleOutput out;
  if (rule.source == SourceKind::kNil) {
    out.value.state = FieldValue::State::kNil;
    return out;
  }
  if (value) {
    if (rule.trim) *value = std::string(TrimBlanks(*value));
    if (rule.fold_spaces) *value = FoldBlanks(*value);
  }
  if (value && rule.word) {
    std::vector<std::string> words = SplitWords(*value, rule.word->separator);
    const std::size_t index = static_cast<std::size_t>(rule.word->index) - 1;
    if (index >= words.size()) {
      value.reset();  // no such word: no value
    } else if (rule.word->rest) {
      std::string joined;
      for (std::size_t i = index; i < words.size(); ++i) {
        if (!joined.empty()) joined += ' ';
        joined += words[i];
      }
      *value = std::move(joined);
    } else {
      *value = words[index];
    }
  }
  if (value && rule.letter_case != LetterCase::kKeep) {
    *value = ChangeCase(*value, rule.letter_case == LetterCase::kUpper);
  }
  // Pieces of NFC text put together, or re-cased, are not always NFC ("i" + U+0307 upper-cased
  // is "I" + U+0307, which NFC composes to "İ"): normalize again before the map and validation.
  if (value && (rule.source == SourceKind::kTemplate || rule.word ||
                rule.letter_case != LetterCase::kKeep)) {
    NormalizeNfc(*value);
  }
  const bool no_value = !value || (value->empty() && rule.nil_when_empty);
  std::string v = value ? std::move(*value) : std::string();
  if (rule.map) {
    const ValueMap& map = *rule.map;
    // Gives the map's answer; false when it leaves no value (nil or absent).
    auto apply = [&](MapOutcome outcome, const std::string& to) {
      switch (outcome) {
        case MapOutcome::kValue:
          v = to;
          return true;
        case MapOutcome::kNil:
          out.value.state = FieldValue::State::kNil;
          out.absent_by_map = true;
          return false;
        case MapOutcome::kAbsent:
          out.absent_by_map = true;
          return false;
      }
      return false;
    };
    if (no_value) {
      // A default answers for every value the map does not list, "no value" included.
      if (!map.has_default || !apply(map.default_outcome, map.default_value)) return out;
    } else {
      const std::string folded = FoldForComparison(v, map.ignore_accents, map.ignore_case);
      const ValueMap::Entry* found = nullptr;
      for (const ValueMap::Entry& e : map.entries) {
        if (FoldForComparison(e.from, map.ignore_accents, map.ignore_case) == folded) {
          found = &e;
          break;
        }
      }
      if (found != nullptr) {
        if (!apply(found->outcome, found->to)) return out;
      } else if (map.has_default) {
        if (!apply(map.default_outcome, map.default_value)) return out;
      } else {
        out.problem = Rule::kNotInMap;
        out.value.text = std::move(v);  // kept for the message (non-personal fields only)
        return out;
      }
    }
  } else if (no_value) {
    return out;  // absent
  }
  if (rule.date && !v.empty()) {
    bool impossible = false;
    auto d = ParseSourceDate(v, rule.date->formats, rule.date->partial, impossible);
    if (!d) {
      if (rule.date->explicit_formats || spec.type == ValueType::kDate) {
        out.problem = impossible ? Rule::kCalendarDate : Rule::kDateUnreadable;
        return out;
      }
    } else {
      out.date = *d;
      switch (rule.date->part) {
        case DatePart::kWhole:  // never partial (refused at load)
          v = FormatIsoDate(Date{std::chrono::year(d->year), std::chrono::month(d->month),
                                 std::chrono::day(d->day)});
          break;
        case DatePart::kYear:
          v = std::to_string(d->year);
          break;
        case DatePart::kMonth:
          if (d->month == 0) return out;  // unknown: no value (nil where the dictionary allows)
          v = std::to_string(d->month);
          break;
        case DatePart::kDay:
          if (d->day == 0) return out;
          v = std::to_string(d->day);
          break;
      }
    }
  }
  if (v.empty() && rule.nil_when_empty) return out;  // absent
  out.value.state = FieldValue::State::kValue;
  out.value.text = std::move(v);
  return out;
}

Result<Mapper> Mapper::Bind(const Mapping& mapping, const source::Columns& columns) {
  Mapper m(mapping);
  std::vector<std::string> missing;
  auto find = [&](const std::string& name) -> std::size_t {
    auto index = columns.Find(name);
    if (!index) {
      if (std::find(missing.begin(), missing.end(), name) == missing.end()) missing.push_back(name);
      return 0;
    }
    return *index;
  };
  for (const std::string& k : mapping.key) m.key_columns_.push_back(find(k));
  for (const TemplatePart& p : mapping.id_technique) {
    m.id_parts_.push_back(p.column ? find(p.text) : kLiteral);
  }
  auto bind = [&](const FieldRule& rule) {
    BoundRule b;
    b.rule = &rule;
    if (rule.source == SourceKind::kColumn) b.column = find(rule.column);
    for (const TemplatePart& p : rule.template_parts) {
      b.parts.push_back(p.column ? find(p.text) : kLiteral);
    }
    for (const std::string& c : rule.coalesce) b.coalesce.push_back(find(c));
    return b;
  };
  if (!mapping.certification.constant) {
    m.certification_type_ = bind(mapping.certification.type);
    m.certification_code_ = bind(mapping.certification.code);
  }
  for (const auto& rule : mapping.fields) {
    if (rule) m.rules_.push_back(bind(*rule));
  }
  if (!missing.empty()) {
    std::string list, available;
    for (const std::string& c : missing) {
      list += (list.empty() ? "" : ", ") + Shown(c, 128) + " (" +
              ColumnLocation(mapping, c).ToString() + ")";
    }
    for (const std::string& c : columns.names()) available += (available.empty() ? "" : ", ") + c;
    return Fail(ErrorKind::kConfig,
                "mapping \"" + mapping.name + "\" reads column(s) " + list +
                    ", which the query does not return (it returns: " + available + ")");
  }
  m.column_names_ = columns.names();
  return m;
}

MappedRow Mapper::Map(const source::SourceRow& source_row, std::uint64_t row_number) const {
  MappedRow out;
  Passage& p = out.passage;
  p.mapping = mapping_;
  // Every value enters in NFC, before any rule: the key, the idTechnique, every step, map and
  // length sees one form of each text, and deposit files hold it. Rows whose every byte is below
  // 0xCC (ASCII, composed French) are used as they came, without a copy.
  source::SourceRow normalized;
  const source::SourceRow* row = &source_row;
  for (std::size_t i = 0; i < source_row.values.size(); ++i) {
    const auto& v = source_row.values[i];
    if (!v || NfcByBytes(*v)) continue;
    if (row == &source_row) {
      normalized = source_row;
      row = &normalized;
    }
    NormalizeNfc(*normalized.values[i]);
  }
  const auto value_at = [&](std::size_t column) -> const std::optional<std::string>& {
    return row->values[column];
  };

  // The key and the idTechnique.
  std::vector<std::string> key_values;
  for (std::size_t i = 0; i < key_columns_.size(); ++i) {
    const auto& v = value_at(key_columns_[i]);
    std::string text = v ? std::string(TrimBlanks(*v)) : std::string();
    if (text.empty()) {
      out.identified = false;
      out.rejections.push_back(
          {mapping_->name, "ligne " + std::to_string(row_number), "", "", Rule::kMissingKey,
           RenderReason("cle-absente",
                        {{"colonne", mapping_->key[i]}, {"ligne", std::to_string(row_number)}})});
    }
    if (!p.source_key.empty()) p.source_key += ", ";
    p.source_key += mapping_->key[i] + "=" + text;
    key_values.push_back(std::move(text));
  }
  if (out.identified) {
    if (mapping_->id_technique.empty()) {
      for (const std::string& k : key_values) {
        if (!p.id_technique.empty()) p.id_technique += '-';
        p.id_technique += k;
      }
    } else {
      for (std::size_t i = 0; i < id_parts_.size(); ++i) {
        if (id_parts_[i] == kLiteral) {
          p.id_technique += mapping_->id_technique[i].text;
        } else {
          const auto& v = value_at(id_parts_[i]);
          p.id_technique += v ? std::string(TrimBlanks(*v)) : std::string();
        }
      }
      NormalizeNfc(p.id_technique);  // literals and values side by side
    }
  } else {
    p.id_technique = "ligne " + std::to_string(row_number);
  }

  // The certification, which the deposit file groups passages by.
  if (mapping_->certification.constant) {
    p.certification = *mapping_->certification.constant;
  } else {
    MapCertification(*row, out);
  }

  // The fields.
  for (const BoundRule& b : rules_) {
    const FieldRule& rule = *b.rule;
    const FieldSpec& spec = Spec(rule.field);
    std::optional<std::string> source = SourceValue(b, *row);
    RuleOutput result = ApplyTransforms(rule, spec, std::move(source));
    if (result.absent_by_map) out.emptied_by_map.set(static_cast<std::size_t>(rule.field));
    if (result.date && (rule.not_before || rule.not_after)) {
      out.dates.emplace_back(rule.field, *result.date);
    }
    if (result.problem) {
      std::string message;
      const std::string column = RuleColumns(rule);
      if (*result.problem == Rule::kNotInMap) {
        message = ReasonNotInMap(spec, column, result.value.text);
      } else {
        message = ReasonDate(spec, rule, column, *result.problem == Rule::kCalendarDate);
      }
      out.rejections.push_back({mapping_->name, p.id_technique, p.source_key,
                                std::string(spec.name), *result.problem, std::move(message)});
      out.failed.set(static_cast<std::size_t>(rule.field));
      continue;
    }
    p[rule.field] = std::move(result.value);
  }
  return out;
}

std::optional<std::string> Mapper::SourceValue(const BoundRule& b, const source::SourceRow& row) {
  const FieldRule& rule = *b.rule;
  std::optional<std::string> source;
  switch (rule.source) {
    case SourceKind::kColumn:
      source = row.values[b.column];
      break;
    case SourceKind::kConstant:
      source = rule.constant;
      break;
    case SourceKind::kNil:
      break;
    case SourceKind::kTemplate: {
      std::string text;
      bool any = false;
      for (std::size_t i = 0; i < b.parts.size(); ++i) {
        if (b.parts[i] == kLiteral) {
          text += rule.template_parts[i].text;
        } else if (const auto& v = row.values[b.parts[i]]) {
          text += *v;
          any = true;
        }
      }
      if (any) source = std::move(text);  // NULL when every column is NULL
      break;
    }
    case SourceKind::kCoalesce:
      for (std::size_t c : b.coalesce) {
        const auto& v = row.values[c];
        if (v && !TrimBlanks(*v).empty()) {
          source = *v;
          break;
        }
      }
      break;
  }
  return source;
}

void Mapper::MapCertification(const source::SourceRow& row, MappedRow& out) const {
  Passage& p = out.passage;
  const CertificationRule& rules = mapping_->certification;
  const RuleOutput type =
      ApplyTransforms(rules.type, CertificationTypeSpec(), SourceValue(certification_type_, row));
  const RuleOutput code =
      ApplyTransforms(rules.code, CertificationCodeSpec(), SourceValue(certification_code_, row));
  const std::string type_columns = RuleColumns(rules.type);
  const std::string code_columns = RuleColumns(rules.code);
  auto reject = [&](Rule rule, std::string message) {
    out.rejections.push_back({mapping_->name, p.id_technique, p.source_key,
                              std::string(kCertificationField), rule, std::move(message)});
  };
  // One reason per row: what a step refused, then what is missing, then the CDC's rules.
  for (const auto& [part, output, columns] :
       {std::tuple{"type", &type, &type_columns}, std::tuple{"code", &code, &code_columns}}) {
    if (output->problem) {
      reject(*output->problem,
             ReasonCertificationStep(part, *output->problem, *columns, output->value.text));
      return;
    }
  }
  for (const auto& [output, columns] :
       {std::pair{&type, &type_columns}, std::pair{&code, &code_columns}}) {
    if (!output->value.has_value() && output->absent_by_map) {
      reject(Rule::kRequired, ReasonCertificationAbsent(*columns, true));
      return;
    }
  }
  if (!type.value.has_value() || !code.value.has_value()) {
    std::string empty;
    if (!type.value.has_value()) empty = type_columns;
    if (!code.value.has_value() && !code_columns.empty()) {
      empty += (empty.empty() ? "" : ", ") + code_columns;
    }
    reject(Rule::kRequired, ReasonCertificationAbsent(empty, false));
    return;
  }
  Certification c{type.value.text, code.value.text};
  if (auto fault = CheckCertification(c)) {
    reject(Rule::kCertification, ReasonCertification(*fault, c, type_columns, code_columns));
    return;
  }
  // A type of the dictionary is valid; a free code (other types than RNCP and RS) is text of
  // 1 to 100 characters that XML can carry.
  if (auto violation = CheckValue(CertificationCodeSpec(), c.code)) {
    reject(violation->rule, ReasonCertificationCode(*violation, c.code, code_columns));
    return;
  }
  p.certification = std::move(c);
}

}  // namespace accrochd::mappings
