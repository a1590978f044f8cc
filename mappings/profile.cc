#include "mappings/profile.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <string_view>
#include <tuple>

#include "core/text.h"
#include "core/unicode/nfc.h"
#include "mappings/reasons.h"

namespace accrochd::mappings {
namespace {

constexpr std::size_t kLongValue = 192;  // bytes of a distinct value kept as its key

// The next code point of `s` at `i`; a byte that does not start well-formed UTF-8 gives
// U+FFFD and moves one byte on (the invalid bytes are counted apart).
bool IsBlank(char32_t c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0xA0; }

bool IsCombining(char32_t c) {
  return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
         (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
         (c >= 0xFE20 && c <= 0xFE2F);
}

// Punctuation and symbols: ASCII's (but ' and -), Latin-1's (« » ° ×...), the general
// punctuation block (’ – — …) and the currency symbols.
bool IsPunctuation(char32_t c) {
  if (c < 0x80) {
    return c != '\'' && c != '-' &&
           ((c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
            (c >= 0x7B && c <= 0x7E));
  }
  return (c >= 0xA1 && c <= 0xBF) || c == 0xD7 || c == 0xF7 || (c >= 0x2000 && c <= 0x206F) ||
         (c >= 0x20A0 && c <= 0x20CF);
}

// Latin letters beyond ASCII: Latin-1, Extended-A and -B, IPA, Extended Additional (ẞ, ỳ), the
// Latin ligatures (ﬀ); the rest, from U+0370 on, is another script or a symbol.
bool IsNonLatin(char32_t c) {
  if (c < 0x0370 || c == 0xFFFD) return false;
  if (IsCombining(c) || IsPunctuation(c)) return false;
  return !((c >= 0x1E00 && c <= 0x1EFF) || (c >= 0x2C60 && c <= 0x2C7F) ||
           (c >= 0xA720 && c <= 0xA7FF) || (c >= 0xFB00 && c <= 0xFB06));
}

std::string Count(std::uint64_t n) { return GroupedCount(n); }

}  // namespace

std::string GroupedCount(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

namespace {

std::string Plural(std::uint64_t n, std::string_view word, std::string_view plural = "") {
  return Count(n) + " " +
         std::string(n == 1           ? word
                     : plural.empty() ? std::string(word) + "s"
                                      : plural);
}

std::string Percent(std::uint64_t part, std::uint64_t whole) {
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "%.1f%%",
                whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return buffer;
}

std::string Padded(std::string text, std::size_t width) {
  if (text.size() < width) text.resize(width, ' ');
  return text;
}

std::string FormatName(const DateFormat& f) {
  switch (f.kind) {
    case DateFormat::Kind::kIso:
      return "iso";
    case DateFormat::Kind::kSql:
      return "sql";
    case DateFormat::Kind::kPattern:
      return f.pattern;
  }
  return "";
}

std::string FormatSourceDate(const SourceDate& d) {
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02u-%02u", d.year, d.month, d.day);
  return buffer;
}

bool Before(const SourceDate& a, const SourceDate& b) {
  return std::tie(a.year, a.month, a.day) < std::tie(b.year, b.month, b.day);
}

// Where and how a rule reads, in a few words: "prenoms (word 1)", "constant \"true\"".
std::string DescribeRule(const FieldRule& rule, const FieldSpec& spec) {
  std::string out;
  switch (rule.source) {
    case SourceKind::kColumn:
      out = rule.column;
      break;
    case SourceKind::kConstant:
      return spec.personal ? "constant (personal: not shown)"
                           : "constant " + Excerpt(rule.constant);
    case SourceKind::kNil:
      return "nil";
    case SourceKind::kTemplate: {
      std::string text;
      for (const TemplatePart& p : rule.template_parts)
        text += p.column ? "{" + p.text + "}" : p.text;
      out = "template " + Excerpt(text, 60);
      break;
    }
    case SourceKind::kCoalesce:
      out = "coalesce " + RuleColumns(rule);
      break;
    case SourceKind::kChoose:
      out = "choose of " + std::to_string(rule.choose.size()) + ": " + RuleColumns(rule);
      break;
  }
  std::vector<std::string> steps;
  if (rule.word) {
    steps.push_back((rule.word->rest ? "words from " : "word ") + std::to_string(rule.word->index));
  }
  if (rule.letter_case != LetterCase::kKeep) {
    steps.push_back(rule.letter_case == LetterCase::kUpper ? "upper" : "lower");
  }
  if (rule.map) {
    std::string m = "map of " + std::to_string(rule.map->entries.size());
    if (rule.map->has_default) m += " + default";
    if (rule.map->ignore_case) m += ", ignore_case";
    if (rule.map->ignore_accents) m += ", ignore_accents";
    steps.push_back(m);
  }
  if (rule.date && rule.date->explicit_formats) {
    std::string d = "date";
    for (const DateFormat& f : rule.date->formats) d += " " + FormatName(f);
    switch (rule.date->part) {
      case DatePart::kYear:
        d += ", year";
        break;
      case DatePart::kMonth:
        d += ", month";
        break;
      case DatePart::kDay:
        d += ", day";
        break;
      case DatePart::kWhole:
        break;
    }
    steps.push_back(d);
  }
  if (rule.required) steps.push_back("required");
  if (!steps.empty()) {
    out += " (";
    for (std::size_t i = 0; i < steps.size(); ++i) out += (i ? "; " : "") + steps[i];
    out += ")";
  }
  return out;
}

// Items joined with ", " (but after one that ends with ';'), after `head`, wrapped before `width`
// on lines indented by `indent`.
std::string Wrapped(const std::string& head, const std::vector<std::string>& items,
                    std::size_t indent, std::size_t width) {
  std::string out(indent, ' ');
  out += head;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const bool separated = items[i].ends_with(';') || i + 1 == items.size();
    std::string item = items[i] + (separated ? "" : ",");
    const bool first = i == 0;
    if (!first && out.size() - line_start + 1 + item.size() > width) {
      out += "\n";
      line_start = out.size();
      out += std::string(indent + 2, ' ');
    } else if (!first || !head.empty()) {
      out += " ";
    }
    out += item;
  }
  return out + "\n";
}

bool IsEnumerationLike(const FieldRule& rule, const FieldSpec& spec) {
  return rule.map || spec.type == ValueType::kEnum || spec.type == ValueType::kBoolean;
}

}  // namespace

void CharacterClasses::Add(std::string_view v) {
  const std::optional<std::u32string> code_points = CodePoints(v);
  if (!code_points) {
    ++invalid_utf8;  // no other class: its characters are not known
    return;
  }
  bool digit = false, other_script = false, punct = false, marks = false;
  for (const char32_t c : *code_points) {
    digit = digit || (c >= '0' && c <= '9');
    other_script = other_script || IsNonLatin(c);
    punct = punct || IsPunctuation(c);
    marks = marks || IsCombining(c);
  }
  // Two blanks in a row inside the value (those at the ends are trim's).
  const std::string_view inside = TrimBlanks(v);
  bool doubled = false, previous_blank = false;
  for (const char32_t c : CodePoints(inside).value_or(std::u32string())) {
    const bool blank = IsBlank(c);
    doubled = doubled || (blank && previous_blank);
    previous_blank = blank;
  }
  digits += digit;
  non_latin += other_script;
  punctuation += punct;
  double_blanks += doubled;
  edge_blanks += inside.size() != v.size();
  combining += marks;
  not_nfc += !NfcByBytes(v) && ToNfc(v) != v;
  not_xml += XmlTextProblem(v).has_value();
  const std::string upper = ChangeCase(v, true), lower = ChangeCase(v, false);
  const bool letters = upper != lower;
  lower_only += letters && lower == v;
  upper_only += letters && upper == v;
}

MappingProfile::MappingProfile(const Mapping& mapping, SchemaVersion version, Date today,
                               ProfileLimits limits)
    : mapping_(&mapping), validator_(version, today), limits_(limits) {
  for (const auto& rule : mapping.fields) {
    if (!rule) continue;
    FieldProfile f;
    f.rule = &*rule;
    f.enumerated = IsEnumerationLike(*rule, Spec(rule->field));
    if (rule->date) f.format_reads.assign(rule->date->formats.size(), 0);
    fields_.push_back(std::move(f));
    FieldRule strict = *rule;
    if (strict.map) strict.map->has_default = false;
    without_default_.push_back(std::move(strict));
    FieldRule undated = *rule;
    undated.date.reset();
    without_date_.push_back(std::move(undated));
  }
}

Result<void> MappingProfile::Bind(const source::Columns& columns) {
  auto mapper = Mapper::Bind(*mapping_, columns);
  if (!mapper) return std::unexpected(mapper.error());
  mapper_.emplace(std::move(*mapper));
  return {};
}

void MappingProfile::Judge(const FieldProfile& f, const std::string& value,
                           FieldProfile::Distinct& d) const {
  if (!f.rule->map) return;
  const std::size_t i = static_cast<std::size_t>(&f - fields_.data());
  RuleOutput strict = ApplyTransforms(without_default_[i], Spec(f.rule->field), value);
  if (strict.problem != Rule::kNotInMap) return;
  (f.rule->map->has_default ? d.by_default : d.not_in_map) = true;
}

void MappingProfile::AddField(FieldProfile& f, const source::SourceRow& raw,
                              const source::SourceRow& nfc) {
  const FieldRule& rule = *f.rule;
  const FieldSpec& spec = Spec(rule.field);
  ++f.rows;
  if (rule.source == SourceKind::kConstant || rule.source == SourceKind::kNil) return;
  Mapper::Sourced sourced = mapper_->SourceOf(rule.field, nfc);
  if (sourced.nil) return;  // a choose's nil branch: no value to profile
  std::optional<std::string> value = std::move(sourced.value);
  if (!value) {
    ++f.nulls;
    return;
  }
  if (TrimBlanks(*value).empty()) {
    ++f.empties;
    return;
  }
  const std::size_t index = static_cast<std::size_t>(&f - fields_.data());
  const RuleOutput out = ApplyTransforms(rule, spec, value);

  if (f.enumerated) {
    const std::string key = value->size() <= kLongValue
                                ? *value
                                : value->substr(0, kLongValue) + '\0' + StableHash(*value);
    auto it = f.distinct.find(key);
    if (it == f.distinct.end() && f.distinct.size() < limits_.distinct) {
      it = f.distinct.emplace(key, FieldProfile::Distinct{}).first;
      Judge(f, *value, it->second);
    }
    FieldProfile::Distinct other;
    const FieldProfile::Distinct* judged = &other;
    if (it != f.distinct.end()) {
      ++it->second.count;
      judged = &it->second;
    } else {
      ++f.rows_not_kept;
      Judge(f, *value, other);
    }
    f.not_in_map_rows += judged->not_in_map;
    f.by_default_rows += judged->by_default;
    if (spec.personal && out.value.has_value()) {
      const bool listed = std::find(spec.enumeration.begin(), spec.enumeration.end(),
                                    out.value.text) != spec.enumeration.end();
      if (listed) {
        ++f.produced[out.value.text];
      } else {
        ++f.produced_other;
      }
    }
  }

  if (rule.date) {
    const RuleOutput before = ApplyTransforms(without_date_[index], spec, value);
    if (!before.problem && before.value.has_value() && !before.value.text.empty()) {
      ++f.date_values;
      bool impossible = false, read = false;
      for (std::size_t k = 0; k < rule.date->formats.size() && !read; ++k) {
        bool this_impossible = false;
        auto d = ParseSourceDate(before.value.text, {rule.date->formats[k]}, rule.date->partial,
                                 this_impossible);
        impossible = impossible || this_impossible;
        if (!d) continue;
        read = true;
        ++f.format_reads[k];
        if (d->month != 0 && d->day != 0) {
          if (!f.earliest || Before(*d, *f.earliest)) f.earliest = *d;
          if (!f.latest || Before(*f.latest, *d)) f.latest = *d;
        }
      }
      if (!read) ++(impossible ? f.date_impossible : f.date_unreadable);
    }
  }

  if (spec.type == ValueType::kString && out.value.has_value()) {
    const std::string& text = out.value.text;
    const std::size_t length = IsValidUtf8(text) ? Utf8Length(text) : text.size();
    if (f.lengths == 0 || length < f.min_length) f.min_length = length;
    if (f.lengths == 0 || length > f.max_length) f.max_length = length;
    ++f.lengths;
    f.over_max += length > static_cast<std::size_t>(spec.max_length);
    f.under_min += length < static_cast<std::size_t>(spec.min_length);
  }

  if (spec.personal && spec.type == ValueType::kString) {
    if (auto original = mapper_->SourceOf(rule.field, raw).value) {
      f.classes.Add(*original);
    }
  }
}

void MappingProfile::Add(const source::SourceRow& row) {
  ++rows_;
  // Every value in NFC first, as Mapper::Map puts them; the raw row is kept for the character
  // classes (decomposed Unicode in the source).
  source::SourceRow normalized;
  const source::SourceRow* nfc = &InNfc(row, normalized);
  // What a cycle does with the row (Daemon::Extract), probable duplicates aside. A row a
  // skip_when rule takes out is counted under its rule, and nothing more: the fields are
  // profiled on the rows the mapping maps.
  MappedRow mapped = mapper_->Map(row, rows_);
  if (mapped.skipped) {
    const std::string& label = mapping_->skip_when[*mapped.skipped].label;
    auto at = std::find_if(skipped_.begin(), skipped_.end(),
                           [&](const auto& s) { return s.first == label; });
    if (at == skipped_.end()) {
      skipped_.emplace_back(label, 1);
    } else {
      ++at->second;
    }
    return;
  }
  for (FieldProfile& f : fields_) AddField(f, row, *nfc);
  Verdict verdict = validator_.Check(mapped);
  if (!mapped.identified) {
    verdict = Verdict::kQuarantined;
  } else {
    ids_.emplace_back(std::hash<std::string>{}(mapped.passage.id_technique), verdict);
  }
  switch (verdict) {
    case Verdict::kValid:
      ++valid_;
      break;
    case Verdict::kHeld:
      ++held_;
      break;
    case Verdict::kQuarantined:
      ++quarantined_;
      for (const Rejection& r : mapped.rejections) {
        ++reasons_[{r.field, std::string(RuleName(r.rule))}];
      }
      break;
  }
  const Certification& c = mapped.passage.certification;
  const std::string name = c.type.empty() || c.code.empty() ? std::string("(none the CDC accepts)")
                                                            : c.type + " " + c.code;
  auto it = certifications_.find(name);
  if (it != certifications_.end()) {
    ++it->second;
  } else if (certifications_.size() < limits_.distinct) {
    certifications_.emplace(name, 1);
  } else {
    ++certification_rows_not_kept_;
  }
}

void MappingProfile::Finish() {
  // As a cycle's CycleChecks::RegisterIdTechnique: the first row with an idTechnique keeps it,
  // every later one is quarantined.
  std::stable_sort(ids_.begin(), ids_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (std::size_t i = 1; i < ids_.size(); ++i) {
    if (ids_[i].first != ids_[i - 1].first) continue;
    ++reasons_[{"idTechnique", std::string(RuleName(Rule::kRepeatedIdTechnique))}];
    if (ids_[i].second == Verdict::kQuarantined) continue;
    --(ids_[i].second == Verdict::kValid ? valid_ : held_);
    ++quarantined_;
    ids_[i].second = Verdict::kQuarantined;
  }
  ids_.clear();
  ids_.shrink_to_fit();
}

std::string MappingProfile::Render() const {
  std::string out =
      "  Each mapped field, its source and rows; * personal: counts only, never a value.\n";
  const std::size_t width = limits_.width;
  for (const FieldSpec& spec : Fields()) {
    auto found = std::find_if(fields_.begin(), fields_.end(),
                              [&](const FieldProfile& f) { return f.rule->field == spec.field; });
    if (found == fields_.end()) continue;
    const FieldProfile& f = *found;
    const FieldRule& rule = *f.rule;
    std::string head = "  " + Padded(std::string(spec.name) + (spec.personal ? " *" : ""), 28) +
                       " " + Padded(DescribeRule(rule, spec), 36);
    if (rule.source != SourceKind::kConstant && rule.source != SourceKind::kNil) {
      head += " " + Count(f.rows) + " rows, " + Count(f.nulls) + " NULL, " + Count(f.empties) +
              " empty";
    }
    while (!head.empty() && head.back() == ' ') head.pop_back();
    out += head + "\n";
    if (rule.source == SourceKind::kConstant || rule.source == SourceKind::kNil) continue;
    const std::size_t valued = f.rows - f.nulls - f.empties;

    if (f.enumerated && valued > 0) {
      std::vector<std::pair<std::string, const FieldProfile::Distinct*>> sorted;
      for (const auto& [value, d] : f.distinct) sorted.emplace_back(value, &d);
      std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
        return a.second->count > b.second->count;
      });
      const std::string distinct = f.rows_not_kept > 0
                                       ? "more than " + Count(limits_.distinct) + " distinct values"
                                       : Plural(f.distinct.size(), "distinct value");
      if (spec.personal) {
        std::vector<std::string> items;
        for (const auto& [value, n] : f.produced) items.push_back(value + " " + Count(n));
        if (f.produced_other > 0) items.push_back("other " + Count(f.produced_other));
        if (items.empty()) items.push_back("no value");
        out += Wrapped(distinct + "; the rules give:", items, 6, width);
      } else {
        std::vector<std::string> items;
        for (std::size_t i = 0; i < sorted.size() && i < limits_.shown; ++i) {
          items.push_back(Excerpt(sorted[i].first) + " " + Count(sorted[i].second->count));
        }
        if (sorted.size() > limits_.shown) {
          items.push_back("... and " + Count(sorted.size() - limits_.shown) + " more");
        }
        if (f.rows_not_kept > 0) items.push_back("other values " + Count(f.rows_not_kept));
        out += Wrapped(distinct + ":", items, 6, width);
      }
      if (rule.map && (f.not_in_map_rows > 0 || f.by_default_rows > 0)) {
        const bool by_default = f.by_default_rows > 0;
        std::vector<std::string> items;
        std::size_t values = 0;
        for (const auto& [value, d] : sorted) {
          if (!(d->not_in_map || d->by_default)) continue;
          ++values;
          if (!spec.personal && items.size() < limits_.shown) {
            items.push_back(Excerpt(value) + " " + Count(d->count));
          }
        }
        if (!spec.personal && values > limits_.shown) {
          items.push_back("... and " + Count(values - limits_.shown) + " more");
        }
        const std::uint64_t rows = by_default ? f.by_default_rows : f.not_in_map_rows;
        const std::string label = std::string(by_default ? "not in the map, given the default: "
                                                         : "not in the map, quarantined: ") +
                                  (f.rows_not_kept > 0 ? "" : Plural(values, "value") + ", ") +
                                  Plural(rows, "row") + (spec.personal ? "" : ":");
        if (spec.personal) {
          out += "      " + label + "\n";
        } else {
          out += Wrapped(label, items, 6, width);
        }
      }
    }

    if (rule.date && f.date_values > 0) {
      std::vector<std::string> items;
      for (std::size_t k = 0; k < f.format_reads.size(); ++k) {
        items.push_back(FormatName(rule.date->formats[k]) + " " + Count(f.format_reads[k]) + " (" +
                        Percent(f.format_reads[k], f.date_values) + ")");
      }
      items.push_back("none " + Count(f.date_unreadable + f.date_impossible) + " (" +
                      Percent(f.date_unreadable + f.date_impossible, f.date_values) + ")");
      // Then, each ending the one before with ';': impossible days, range, earliest and latest.
      const auto then = [&](std::string item) {
        items.back() += ";";
        items.push_back(std::move(item));
      };
      if (f.date_impossible > 0) then(Plural(f.date_impossible, "impossible day"));
      if (rule.not_before || rule.not_after) {
        auto range =
            reasons_.find({std::string(spec.name), std::string(RuleName(Rule::kDateRange))});
        then(Count(range == reasons_.end() ? 0 : range->second) + " outside " +
             (rule.not_before && rule.not_after ? "not_before/not_after"
              : rule.not_before                 ? "not_before"
                                                : "not_after"));
      }
      if (!spec.personal && f.earliest) {
        then("from " + FormatSourceDate(*f.earliest) + " to " + FormatSourceDate(*f.latest));
      }
      out += Wrapped("dates (first format that reads):", items, 6, width);
    }

    if (spec.type == ValueType::kString && valued > 0 && f.lengths == 0) {
      out += "      no value once the rules applied\n";
    } else if (spec.type == ValueType::kString && f.lengths > 0) {
      std::string line =
          "      length " + Count(f.min_length) + " to " + Count(f.max_length) + " characters" +
          (f.lengths == valued ? "" : " in " + Plural(f.lengths, "value")) + " (dictionary: " +
          (spec.min_length == spec.max_length
               ? "exactly " + std::to_string(spec.max_length)
               : std::to_string(spec.min_length) + " to " + std::to_string(spec.max_length)) +
          ")";
      if (f.over_max > 0)
        line += ", " + Count(f.over_max) + " over " + std::to_string(spec.max_length);
      if (f.under_min > 0) {
        line += ", " + Count(f.under_min) + " under " + std::to_string(spec.min_length);
      }
      out += line + "\n";
    }

    if (spec.personal && spec.type == ValueType::kString && valued > 0) {
      const CharacterClasses& c = f.classes;
      std::vector<std::string> items;
      const auto add = [&](std::uint64_t n, std::string_view what) {
        if (n > 0) items.push_back(Count(n) + " " + std::string(what));
      };
      add(c.upper_only, "upper case only");
      add(c.lower_only, "lower case only");
      add(c.digits, "with digits");
      add(c.punctuation, "with punctuation other than ' and -");
      add(c.non_latin, "with non-Latin characters");
      add(c.double_blanks, "with double blanks");
      add(c.edge_blanks, "with blanks at an end (trimmed)");
      add(c.combining, "with combining marks");
      add(c.not_nfc, "decomposed (put in NFC)");
      add(c.invalid_utf8, "not UTF-8");
      add(c.not_xml, "with characters XML refuses");
      if (!items.empty()) out += Wrapped("characters:", items, 6, width);
    }
  }

  out += "\n";
  std::vector<std::string> certifications;
  for (const auto& [name, n] : certifications_) {
    if (certifications.size() == limits_.shown) {
      certifications.push_back("... and " + Count(certifications_.size() - limits_.shown) +
                               " more");
      break;
    }
    certifications.push_back(name + ": " + Plural(n, "passage"));
  }
  if (certification_rows_not_kept_ > 0) {
    certifications.push_back("others: " + Plural(certification_rows_not_kept_, "passage"));
  }
  out += Wrapped("Certifications:", certifications, 2, width);

  out += "  What `accrochd once` would do with these rows (probable duplicates not checked): " +
         Count(valid_) + " valid, " + Count(held_) + " not due yet, " + Count(quarantined_) +
         " quarantined";
  if (!skipped_.empty()) {
    std::uint64_t skipped = 0;
    std::string labels;
    for (const auto& [label, n] : skipped_) {
      skipped += n;
      labels += (labels.empty() ? "" : ", ") + label + ": " + Count(n);
    }
    out += ", " + Count(skipped) + " skipped by skip_when (" + labels + ")";
  }
  out += "\n";
  if (!reasons_.empty()) {
    std::vector<std::pair<std::pair<std::string, std::string>, std::uint64_t>> sorted(
        reasons_.begin(), reasons_.end());
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    out += "    reasons (count, field, rule):\n";
    for (std::size_t i = 0; i < sorted.size() && i < limits_.shown; ++i) {
      std::string n = Count(sorted[i].second);
      out += "    " + std::string(n.size() < 9 ? 9 - n.size() : 0, ' ') + n + "  " +
             Padded(sorted[i].first.first.empty() ? "-" : sorted[i].first.first, 28) + " " +
             sorted[i].first.second + "\n";
    }
    if (sorted.size() > limits_.shown) {
      out += "    ... and " + Count(sorted.size() - limits_.shown) + " more\n";
    }
  }
  return out;
}

}  // namespace accrochd::mappings
