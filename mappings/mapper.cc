#include "mappings/mapper.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <tuple>

#include "core/text.h"
#include "core/unicode/characters.h"
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

// Splits on any of `separators` (at each place, the longest that fits), or on runs of blanks
// when there is none; " " among them stands for a run of blanks. Parts are trimmed and empty
// ones dropped.
std::vector<std::string> SplitWords(std::string_view text,
                                    const std::vector<std::string>& separators) {
  static const std::vector<std::string> kBlanks = {" "};
  const std::vector<std::string>& seps = separators.empty() ? kBlanks : separators;
  std::string folded;
  if (std::find(seps.begin(), seps.end(), " ") != seps.end()) {
    folded = FoldBlanks(text);  // every run of blanks is one space, which separates
    text = folded;
  }
  std::vector<std::string> words;
  auto add = [&](std::string_view part) {
    part = TrimBlanks(part);
    if (!part.empty()) words.emplace_back(part);
  };
  std::size_t start = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t length = 0;
    for (const std::string& sep : seps) {
      if (sep.size() > length && text.substr(i).starts_with(sep)) length = sep.size();
    }
    if (length == 0) {
      ++i;
      continue;
    }
    add(text.substr(start, i - start));
    i += length;
    start = i;
  }
  add(text.substr(start));
  return words;
}

// The ASCII digits of `s`, in order.
std::string AsciiDigits(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (IsDigit(c)) out += c;
  }
  return out;
}

}  // namespace

// The value a source gives on a row, before any step (nullopt: no value). Not for kNil and
// kChoose, which give none here.
template <typename Source, typename ValueAt>
std::optional<std::string> Mapper::SourceValue(const Source& s, const BoundSource& b,
                                               const ValueAt& value_at) {
  switch (s.source) {
    case SourceKind::kColumn:
      return value_at(b.column);
    case SourceKind::kConstant:
      return s.constant;
    case SourceKind::kTemplate: {
      std::string text;
      bool any = false;
      for (std::size_t i = 0; i < b.parts.size(); ++i) {
        if (b.parts[i] == kLiteral) {
          text += s.template_parts[i].text;
        } else if (const auto& v = value_at(b.parts[i])) {
          text += *v;
          any = true;
        }
      }
      if (!any) return std::nullopt;  // NULL when every column is NULL
      return text;
    }
    case SourceKind::kCoalesce:
      // The first column with a value: NULL and blank values are passed over.
      for (std::size_t c : b.coalesce) {
        const auto& v = value_at(c);
        if (v && !TrimBlanks(*v).empty()) return *v;
      }
      return std::nullopt;
    case SourceKind::kNil:
    case SourceKind::kChoose:
      return std::nullopt;
  }
  return std::nullopt;
}

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
    if (rule.trim) {  // most values have no blank at either end: not copied then
      const std::string_view kept = TrimBlanks(*value);
      if (kept.size() != value->size()) *value = std::string(kept);
    }
    if (rule.fold_spaces) *value = FoldBlanks(*value);
    if (rule.remove_spaces) *value = RemoveBlanks(*value);
    if (rule.digits_only) *value = AsciiDigits(*value);  // ASCII: NFC as it is
  }
  if (value && rule.word) {
    std::vector<std::string> words = SplitWords(*value, rule.word->separators);
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
  // is "I" + U+0307, which NFC composes to "İ"; "e" + " " + U+0301 without its blank is "e" +
  // U+0301, which NFC composes to "é"): normalize again before the map and validation.
  if (value && (rule.source == SourceKind::kTemplate || rule.word || rule.remove_spaces ||
                rule.letter_case != LetterCase::kKeep)) {
    NormalizeNfc(*value);
  }
  // pad_left: a code that lost its leading zeros in a numeric column ("1234" -> "01234"). Only
  // digits are padded; anything else is left for the pattern or the validator to judge.
  if (value && rule.pad_left > 0 && !value->empty() &&
      value->size() < static_cast<std::size_t>(rule.pad_left) &&
      std::all_of(value->begin(), value->end(), IsDigit)) {
    value->insert(0, static_cast<std::size_t>(rule.pad_left) - value->size(), '0');
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
        case MapOutcome::kKeep:  // the value as the earlier steps left it
          return true;
      }
      return false;
    };
    if (no_value) {
      // A default answers for every value the map does not list, "no value" included; keep
      // keeps no value.
      if (!map.has_default || map.default_outcome == MapOutcome::kKeep ||
          !apply(map.default_outcome, map.default_value)) {
        return out;
      }
    } else {
      const ValueMap::Entry* found = map.Find(v);  // folded once, one hash lookup
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
  if (rule.pattern && !v.empty()) {
    out.pattern_outcome = rule.pattern->compiled.Check(v);
    // Text that is not UTF-8 is left to validation, which names the bad byte.
    if (out.pattern_outcome != PatternOutcome::kMatch &&
        out.pattern_outcome != PatternOutcome::kNotUtf8) {
      out.problem = Rule::kPattern;
      out.value.text = std::move(v);  // kept for the message (non-personal fields only)
      return out;
    }
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
  for (const TemplatePart& p : mapping.id_technique_after_correction) {
    m.correction_parts_.push_back(!p.column                          ? kLiteral
                                  : p.text == kCorrectionPlaceholder ? kLiteral - 1
                                                                     : find(p.text));
  }
  auto bind_source = [&](const auto& source) {
    BoundSource b;
    if (source.source == SourceKind::kColumn) b.column = find(source.column);
    for (const TemplatePart& p : source.template_parts) {
      b.parts.push_back(p.column ? find(p.text) : kLiteral);
    }
    for (const std::string& c : source.coalesce) b.coalesce.push_back(find(c));
    return b;
  };
  const std::function<std::size_t(const std::string&)> find_column = find;
  auto bind_rule = [&](const FieldRule& rule) {
    BoundRule b;
    b.rule = &rule;
    b.source = bind_source(rule);
    for (const ChooseBranch& branch : rule.choose) {
      BoundBranch bb;
      if (branch.when) bb.when = BindCondition(*branch.when, find_column);
      bb.source = bind_source(branch);
      b.branches.push_back(std::move(bb));
    }
    return b;
  };
  if (!mapping.certification.constant) {
    m.certification_type_ = bind_rule(mapping.certification.type);
    m.certification_code_ = bind_rule(mapping.certification.code);
  }
  for (const auto& rule : mapping.fields) {
    if (!rule) continue;
    m.rule_of_field_[static_cast<std::size_t>(rule->field)] = m.rules_.size();
    m.rules_.push_back(bind_rule(*rule));
  }
  for (const SkipRule& r : mapping.skip_when) {
    m.skip_when_.push_back(BindCondition(r.when, find_column));
  }
  for (const RowRule& r : mapping.quarantine_when) {
    m.quarantine_when_.push_back(BindCondition(r.when, find_column));
  }
  for (const RowRule& r : mapping.require) {
    m.require_.push_back(BindCondition(r.when, find_column));
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

Mapper::Sourced Mapper::SourceOfRule(const BoundRule& b, const source::SourceRow& row) const {
  const FieldRule& rule = *b.rule;
  const auto value_at = [&](std::size_t column) -> const std::optional<std::string>& {
    return row.values[column];
  };
  Sourced out;
  if (rule.source != SourceKind::kChoose) {
    out.nil = rule.source == SourceKind::kNil;
    out.value = SourceValue(rule, b.source, value_at);
    return out;
  }
  out.choice = kNoBranchHeld;
  for (std::size_t i = 0; i < b.branches.size(); ++i) {
    if (!b.branches[i].when || Holds(*b.branches[i].when, row.values)) {
      out.choice = static_cast<int>(i);
      break;
    }
  }
  if (out.choice == kNoBranchHeld) return out;
  const ChooseBranch& branch = rule.choose[static_cast<std::size_t>(out.choice)];
  out.nil = branch.source == SourceKind::kNil;
  out.value =
      SourceValue(branch, b.branches[static_cast<std::size_t>(out.choice)].source, value_at);
  // A template's pieces side by side are not always NFC (ApplyTransforms does it for a rule's
  // own template).
  if (out.value && branch.source == SourceKind::kTemplate) NormalizeNfc(*out.value);
  return out;
}

Mapper::Sourced Mapper::SourceOf(Field field, const source::SourceRow& row) const {
  return SourceOfRule(rules_[rule_of_field_[static_cast<std::size_t>(field)]], row);
}

const source::SourceRow& InNfc(const source::SourceRow& row, source::SourceRow& storage) {
  const source::SourceRow* out = &row;
  for (std::size_t i = 0; i < row.values.size(); ++i) {
    const auto& v = row.values[i];
    if (!v || NfcByBytes(*v)) continue;
    if (out == &row) {
      storage = row;
      out = &storage;
    }
    NormalizeNfc(*storage.values[i]);
  }
  return *out;
}

std::string Mapper::IdOf(const source::SourceRow& row,
                         const std::vector<std::string>& key_values) const {
  std::string id;
  if (mapping_->id_technique.empty()) {
    for (const std::string& k : key_values) {
      if (!id.empty()) id += '-';
      id += k;
    }
    return id;
  }
  for (std::size_t i = 0; i < id_parts_.size(); ++i) {
    if (id_parts_[i] == kLiteral) {
      id += mapping_->id_technique[i].text;
    } else {
      const auto& v = row.values[id_parts_[i]];
      id += v ? std::string(TrimBlanks(*v)) : std::string();
    }
  }
  NormalizeNfc(id);  // literals and values side by side
  return id;
}

std::optional<std::string> Mapper::IdTechnique(const source::SourceRow& source_row) const {
  source::SourceRow normalized;
  const source::SourceRow& row = InNfc(source_row, normalized);
  for (const BoundCondition& skip : skip_when_) {
    if (Holds(skip, row.values)) return std::nullopt;
  }
  std::vector<std::string> key_values;
  for (std::size_t column : key_columns_) {
    const auto& v = row.values[column];
    std::string text = v ? std::string(TrimBlanks(*v)) : std::string();
    if (text.empty()) return std::nullopt;
    key_values.push_back(std::move(text));
  }
  return IdOf(row, key_values);
}

MappedRow Mapper::Map(const source::SourceRow& row, std::uint64_t row_number) const {
  MappedRow out;
  MapInto(row, row_number, out);
  return out;
}

void Mapper::MapInto(const source::SourceRow& source_row, std::uint64_t row_number,
                     MappedRow& out) const {
  Passage& p = out.passage;
  p.mapping = mapping_;
  // Every value enters in NFC, before any rule: the key, the idTechnique, every step, map and
  // length sees one form of each text, and deposit files hold it. Rows whose every byte is below
  // 0xCC (ASCII, composed French) are used as they came, without a copy.
  source::SourceRow normalized;
  const source::SourceRow* row = &InNfc(source_row, normalized);
  const auto value_at = [&](std::size_t column) -> const std::optional<std::string>& {
    return row->values[column];
  };

  // Rows that are not for the CDC: nothing more is read of them.
  for (std::size_t i = 0; i < skip_when_.size(); ++i) {
    if (Holds(skip_when_[i], row->values)) {
      out.skipped = i;
      return;
    }
  }

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
    p.id_technique = IdOf(*row, key_values);
    if (!correction_parts_.empty()) {
      // The pieces around each {correction}: the counter is known only once the passage is
      // recorded (state store), so it is put in when the passage is written.
      p.id_after_correction.assign(1, "");
      for (std::size_t i = 0; i < correction_parts_.size(); ++i) {
        if (correction_parts_[i] == kLiteral - 1) {
          p.id_after_correction.emplace_back();
        } else if (correction_parts_[i] == kLiteral) {
          p.id_after_correction.back() += mapping_->id_technique_after_correction[i].text;
        } else {
          const auto& v = value_at(correction_parts_[i]);
          p.id_after_correction.back() += v ? std::string(TrimBlanks(*v)) : std::string();
        }
      }
      for (std::string& piece : p.id_after_correction) NormalizeNfc(piece);
    }
  } else {
    p.id_technique = "ligne " + std::to_string(row_number);
  }

  // The mapping's row rules: quarantine_when holds, or require does not.
  auto row_rule = [&](const RowRule& rule) {
    std::vector<std::string> columns;
    AddConditionColumns(rule.when, columns);
    out.rejections.push_back({mapping_->name, p.id_technique, p.source_key, "", Rule::kMappingRule,
                              ReasonMappingRule(rule.reason, JoinColumns(columns))});
  };
  for (std::size_t i = 0; i < quarantine_when_.size(); ++i) {
    if (Holds(quarantine_when_[i], row->values)) row_rule(mapping_->quarantine_when[i]);
  }
  for (std::size_t i = 0; i < require_.size(); ++i) {
    if (!Holds(require_[i], row->values)) row_rule(mapping_->require[i]);
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
    Sourced sourced = SourceOfRule(b, *row);
    if (rule.source == SourceKind::kChoose) out.choices.emplace_back(rule.field, sourced.choice);
    const bool nil = sourced.nil;
    std::optional<std::string> source = std::move(sourced.value);
    RuleOutput result;
    if (nil) {
      result.value.state = FieldValue::State::kNil;  // the source is nil: no step applies
    } else {
      result = ApplyTransforms(rule, spec, std::move(source));
    }
    if (result.absent_by_map) out.emptied_by_map.set(static_cast<std::size_t>(rule.field));
    if (result.date && (rule.not_before || rule.not_after)) {
      out.dates.emplace_back(rule.field, *result.date);
    }
    if (result.problem) {
      std::string message;
      const std::string column = RuleColumns(rule, out.Choice(rule.field));
      if (*result.problem == Rule::kNotInMap) {
        message = ReasonNotInMap(spec, column, result.value.text);
      } else if (*result.problem == Rule::kPattern) {
        message =
            ReasonPattern(spec, *rule.pattern, column, result.value.text, result.pattern_outcome);
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
}

void Mapper::MapCertification(const source::SourceRow& row, MappedRow& out) const {
  Passage& p = out.passage;
  const CertificationRule& rules = mapping_->certification;
  // A part read with choose may take a nil branch: no value, as for a NULL.
  const Sourced type_source = SourceOfRule(certification_type_, row);
  const Sourced code_source = SourceOfRule(certification_code_, row);
  const RuleOutput type = ApplyTransforms(rules.type, CertificationTypeSpec(),
                                          type_source.nil ? std::nullopt : type_source.value);
  const RuleOutput code = ApplyTransforms(rules.code, CertificationCodeSpec(),
                                          code_source.nil ? std::nullopt : code_source.value);
  const std::string type_columns = RuleColumns(rules.type, type_source.choice);
  const std::string code_columns = RuleColumns(rules.code, code_source.choice);
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
