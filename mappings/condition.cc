#include "mappings/condition.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "core/text.h"
#include "core/unicode/nfc.h"
#include "mappings/condition_reader.h"

namespace accrochd::mappings {

namespace {

bool IsLeaf(Condition::Test t) { return t != Condition::Test::kAll && t != Condition::Test::kAny; }

std::string ListOf(const std::vector<std::string>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) out += (i == 0 ? "" : ", ") + values[i];
  return out + "]";
}

std::string Describe(const Condition& c) {
  switch (c.test) {
    case Condition::Test::kEmpty:
      return c.column + " empty";
    case Condition::Test::kNotEmpty:
      return c.column + " not empty";
    case Condition::Test::kEquals:
      return c.column + " = " + c.values.front();
    case Condition::Test::kNotEquals:
      return c.column + " != " + c.values.front();
    case Condition::Test::kIn:
      return c.column + " in " + ListOf(c.values);
    case Condition::Test::kNotIn:
      return c.column + " not in " + ListOf(c.values);
    case Condition::Test::kMatches:
      return c.column + " matches " + c.pattern;
    case Condition::Test::kNotMatches:
      return c.column + " not matches " + c.pattern;
    case Condition::Test::kAll:
    case Condition::Test::kAny: {
      std::string out = c.test == Condition::Test::kAll ? "all(" : "any(";
      for (std::size_t i = 0; i < c.conditions.size(); ++i) {
        out += (i == 0 ? "" : ", ") + Describe(c.conditions[i]);
      }
      return out + ")";
    }
  }
  return "";
}

}  // namespace

std::optional<CompiledPattern> CompilePattern(const std::string& pattern, std::string& problem) {
  if (pattern.empty()) {
    problem = "an empty pattern; to test for no value, use empty: true";
    return std::nullopt;
  }
  return CompiledPattern::Compile(pattern, problem);
}

bool TestValue(const Condition& c, const std::optional<std::string>& value) {
  const std::string_view text = value ? TrimBlanks(*value) : std::string_view();
  const bool empty = text.empty();
  switch (c.test) {
    case Condition::Test::kEmpty:
      return empty;
    case Condition::Test::kNotEmpty:
      return !empty;
    case Condition::Test::kEquals:
    case Condition::Test::kIn:
    case Condition::Test::kNotEquals:
    case Condition::Test::kNotIn: {
      const bool positive = c.test == Condition::Test::kEquals || c.test == Condition::Test::kIn;
      if (empty) return !positive;  // no value equals nothing, is in no list
      const std::string folded = FoldForComparison(text, c.ignore_accents, c.ignore_case);
      const bool found = std::find(c.folded.begin(), c.folded.end(), folded) != c.folded.end();
      return found == positive;
    }
    case Condition::Test::kMatches:
    case Condition::Test::kNotMatches: {
      const bool positive = c.test == Condition::Test::kMatches;
      // Too long, not text, or the matcher gave up: no match.
      const bool matched =
          !empty && c.compiled && c.compiled->Check(text) == PatternOutcome::kMatch;
      return matched == positive;
    }
    case Condition::Test::kAll:
    case Condition::Test::kAny:
      return false;  // not a leaf
  }
  return false;
}

void AddConditionColumns(const Condition& c, std::vector<std::string>& out) {
  if (!IsLeaf(c.test)) {
    for (const Condition& child : c.conditions) AddConditionColumns(child, out);
    return;
  }
  if (!c.column.empty() && std::find(out.begin(), out.end(), c.column) == out.end()) {
    out.push_back(c.column);
  }
}

std::string DescribeCondition(const Condition& c, std::size_t max_chars) {
  std::string text = Describe(c);
  if (Utf8Length(text) <= max_chars) return text;
  // Cut on a character boundary.
  std::size_t chars = 0, i = 0;
  while (i < text.size() && chars < max_chars) {
    ++i;
    while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;
    ++chars;
  }
  return text.substr(0, i) + "...";
}

BoundCondition BindCondition(const Condition& c,
                             const std::function<std::size_t(const std::string&)>& find) {
  BoundCondition b;
  b.condition = &c;
  if (IsLeaf(c.test)) {
    b.column = find(c.column);
  } else {
    for (const Condition& child : c.conditions) b.conditions.push_back(BindCondition(child, find));
  }
  return b;
}

bool Holds(const BoundCondition& b, const std::vector<std::optional<std::string>>& values) {
  const Condition& c = *b.condition;
  switch (c.test) {
    case Condition::Test::kAll:
      return std::all_of(b.conditions.begin(), b.conditions.end(),
                         [&](const BoundCondition& child) { return Holds(child, values); });
    case Condition::Test::kAny:
      return std::any_of(b.conditions.begin(), b.conditions.end(),
                         [&](const BoundCondition& child) { return Holds(child, values); });
    default:
      return b.column < values.size() && TestValue(c, values[b.column]);
  }
}

// ---- Reading ----

namespace {

constexpr std::array<std::string_view, 9> kTests = {
    "empty", "equals", "not_equals", "in", "not_in", "matches", "not_matches", "all", "any"};

// A constant of a condition: text, in NFC, not empty.
std::optional<std::string> ReadConstant(yaml::FileReader& file, const YAML::Node& node,
                                        const std::string& what) {
  auto v = file.AsString(node, what);
  if (!v) return std::nullopt;
  if (TrimBlanks(*v).empty()) {
    file.Report(node, what +
                          ": an empty value is never equal to a value; to test for no value, "
                          "use empty: true");
    return std::nullopt;
  }
  return ToNfc(TrimBlanks(*v));
}

}  // namespace

std::optional<Condition> ReadConditionNode(yaml::FileReader& file, const YAML::Node& node,
                                           const std::string& path, int depth) {
  yaml::MapReader reader(file, node, path);
  if (!reader.valid()) return std::nullopt;
  auto c = ReadCondition(file, reader, path, depth);
  reader.Finish();
  return c;
}

std::optional<Condition> ReadCondition(yaml::FileReader& file, yaml::MapReader& reader,
                                       const std::string& path, int depth) {
  if (!reader.valid()) return std::nullopt;
  Condition c;
  c.location = file.Where(reader.node());
  std::vector<std::string_view> given;
  for (std::string_view t : kTests) {
    if (reader.Has(t)) given.push_back(t);
  }
  reader.Has("column");
  reader.Has("ignore_case");
  reader.Has("ignore_accents");
  if (given.empty()) {
    file.Report(reader.node(), path +
                                   ": give one test: empty, equals, not_equals, in, not_in, "
                                   "matches or not_matches (with column), or all / any");
    return std::nullopt;
  }
  if (given.size() > 1) {
    file.Report(reader.node(), path + ": give one test per condition, here " +
                                   std::string(given[0]) + " and " + std::string(given[1]) +
                                   "; combine conditions with all: [...] or any: [...]");
    return std::nullopt;
  }
  const std::string_view test = given.front();
  const std::string where = path + "." + std::string(test);
  bool ok = true;
  if (test == "all" || test == "any") {
    c.test = test == "all" ? Condition::Test::kAll : Condition::Test::kAny;
    for (const char* key : {"column", "ignore_case", "ignore_accents"}) {
      if (auto n = reader.Node(key, false)) {
        file.Report(*n, path + "." + key + ": goes inside the conditions of " + std::string(test) +
                            ", not beside it");
        ok = false;
      }
    }
    const YAML::Node list = *reader.Node(test, false);
    if (!list.IsSequence() || list.size() == 0) {
      file.Report(list, where + ": expected a list of one condition or more");
      return std::nullopt;
    }
    if (depth + 1 >= kMaxConditionDepth) {
      file.Report(list, where + ": conditions nest " + std::to_string(kMaxConditionDepth) +
                            " deep at most");
      return std::nullopt;
    }
    for (const auto& item : list) {
      auto child = ReadConditionNode(file, item, where, depth + 1);
      if (!child) {
        ok = false;
        continue;
      }
      c.conditions.push_back(std::move(*child));
    }
    if (!ok) return std::nullopt;
    return c;
  }

  if (auto column = reader.String("column", true)) {
    if (TrimBlanks(*column).empty()) {
      file.Report(*reader.Node("column", false), path + ".column: a column name is required");
      ok = false;
    }
    c.column = *column;
  } else {
    ok = false;
  }
  const YAML::Node value = *reader.Node(test, false);
  const bool compares =
      test == "equals" || test == "not_equals" || test == "in" || test == "not_in";
  for (const char* key : {"ignore_case", "ignore_accents"}) {
    auto n = reader.Node(key, false);
    if (!n) continue;
    if (!compares) {
      file.Report(*n, path + "." + key + ": only applies with equals, not_equals, in and not_in");
      ok = false;
    } else if (auto v = file.AsBool(*n, path + "." + key)) {
      (std::string_view(key) == "ignore_case" ? c.ignore_case : c.ignore_accents) = *v;
    } else {
      ok = false;
    }
  }
  if (test == "empty") {
    auto v = file.AsBool(value, where);
    if (!v) return std::nullopt;
    c.test = *v ? Condition::Test::kEmpty : Condition::Test::kNotEmpty;
  } else if (test == "equals" || test == "not_equals") {
    c.test = test == "equals" ? Condition::Test::kEquals : Condition::Test::kNotEquals;
    auto v = ReadConstant(file, value, where);
    if (!v) return std::nullopt;
    c.values.push_back(std::move(*v));
  } else if (test == "in" || test == "not_in") {
    c.test = test == "in" ? Condition::Test::kIn : Condition::Test::kNotIn;
    if (!value.IsSequence() || value.size() == 0) {
      file.Report(value, where + ": expected a list of one value or more");
      return std::nullopt;
    }
    for (const auto& item : value) {
      auto v = ReadConstant(file, item, where);
      if (!v) {
        ok = false;
        continue;
      }
      c.values.push_back(std::move(*v));
    }
  } else {
    c.test = test == "matches" ? Condition::Test::kMatches : Condition::Test::kNotMatches;
    auto v = file.AsString(value, where);
    if (!v) return std::nullopt;
    c.pattern = ToNfc(*v);
    std::string problem;
    c.compiled = CompilePattern(c.pattern, problem);
    if (!c.compiled) {
      file.Report(value, where + ": " + Excerpt(c.pattern) + ": " + problem);
      return std::nullopt;
    }
  }
  for (const std::string& v : c.values) {
    c.folded.push_back(FoldForComparison(v, c.ignore_accents, c.ignore_case));
  }
  if (!ok) return std::nullopt;
  return c;
}

namespace {

// Reads a short text of the mapping's own (a label, a reason): NFC, 1 to `max` characters.
std::optional<std::string> ReadText(yaml::FileReader& file, const YAML::Node& node,
                                    const std::string& what, std::size_t max) {
  auto v = file.AsString(node, what);
  if (!v) return std::nullopt;
  std::string text = ToNfc(TrimBlanks(*v));
  const std::size_t length = Utf8Length(text);
  if (length == 0 || length > max) {
    file.Report(node, what + ": 1 to " + std::to_string(max) + " characters, found " +
                          std::to_string(length));
    return std::nullopt;
  }
  return text;
}

// The items of a top-level list of rules; nullopt (reported) when it is not a list.
std::optional<YAML::Node> RuleList(yaml::FileReader& file, yaml::MapReader& top,
                                   std::string_view key) {
  auto node = top.Node(key, false);
  if (!node) return std::nullopt;
  if (!node->IsSequence() || node->size() == 0) {
    file.Report(*node, std::string(key) + ": expected a list of rules");
    return std::nullopt;
  }
  return node;
}

constexpr std::size_t kMaxLabel = 60;
constexpr std::size_t kMaxReason = 200;

}  // namespace

void ReadRowRules(yaml::FileReader& file, yaml::MapReader& top, Mapping& m) {
  if (auto list = RuleList(file, top, "skip_when")) {
    for (const auto& item : *list) {
      yaml::MapReader reader(file, item, "skip_when");
      if (!reader.valid()) continue;
      auto label_node = reader.Node("label", false);
      auto when = ReadCondition(file, reader, "skip_when");
      std::optional<std::string> label;
      if (label_node) label = ReadText(file, *label_node, "skip_when.label", kMaxLabel);
      reader.Finish();
      if (!when || (label_node && !label)) continue;
      SkipRule rule;
      rule.label = label ? *label : DescribeCondition(*when);
      rule.when = std::move(*when);
      rule.location = file.Where(item);
      m.skip_when.push_back(std::move(rule));
    }
  }
  for (const char* key : {"quarantine_when", "require"}) {
    auto list = RuleList(file, top, key);
    if (!list) continue;
    for (const auto& item : *list) {
      yaml::MapReader reader(file, item, key);
      if (!reader.valid()) continue;
      auto when_node = reader.Node("when", false);
      if (!when_node) {
        // A condition written in place of `when`: say where it goes, rather than calling each
        // of its keys unknown.
        bool in_place = false;
        for (std::string_view k : kTests) in_place |= reader.Has(k);
        in_place |= reader.Has("column");
        for (const char* k : {"column", "ignore_case", "ignore_accents"}) reader.Has(k);
        file.Report(item, std::string(key) +
                              (in_place ? ": write the condition under when, beside the reason "
                                          "(- when: {column: ..., ...} then reason: ...)"
                                        : ": missing required key \"when\""));
      }
      auto reason_node = reader.Node("reason", true);
      std::optional<Condition> when;
      if (when_node) when = ReadConditionNode(file, *when_node, std::string(key) + ".when");
      std::optional<std::string> reason;
      if (reason_node) {
        reason = ReadText(file, *reason_node, std::string(key) + ".reason", kMaxReason);
      }
      reader.Finish();
      if (!when || !reason) continue;
      RowRule rule{std::move(*when), std::move(*reason), file.Where(item)};
      (std::string_view(key) == "require" ? m.require : m.quarantine_when)
          .push_back(std::move(rule));
    }
  }
}

}  // namespace accrochd::mappings
