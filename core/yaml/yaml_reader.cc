#include "core/yaml/yaml_reader.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include <yaml-cpp/depthguard.h>

#include "core/text.h"

namespace accrochd::yaml {
namespace {

Location FromMark(const std::string& file, const YAML::Mark& mark) {
  // yaml-cpp counts from 0 and uses -1 for "unknown".
  return Location{file, mark.line >= 0 ? mark.line + 1 : 0, mark.column >= 0 ? mark.column + 1 : 0};
}

// yaml-cpp's messages are its own words, at most with a character of the input; cut them all
// the same in case one day they quote more.
std::string Bounded(const std::string& message) {
  constexpr std::size_t kMax = 200;
  if (message.size() <= kMax) return message;
  std::string out = message.substr(0, kMax);
  while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
  if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
  return out + "...";
}

std::optional<YAML::Node> Parse(std::istream& in, const std::string& name,
                                Diagnostics& diagnostics) {
  try {
    YAML::Node root = YAML::Load(in);
    return root;
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's parser recurses once per level and stops at its own limit, with the message
    // "bad file"; say what it means.
    diagnostics.push_back({FromMark(name, e.mark),
                           "YAML nested too deeply: more than " + std::to_string(e.depth() - 1) +
                               " levels of lists and mappings inside one another"});
  } catch (const YAML::ParserException& e) {
    diagnostics.push_back({FromMark(name, e.mark), "YAML syntax error: " + Bounded(e.msg)});
  } catch (const YAML::Exception& e) {
    diagnostics.push_back({FromMark(name, e.mark), "cannot read YAML: " + Bounded(e.msg)});
  }
  return std::nullopt;
}

// What a message says of a value of the wrong shape. A scalar is quoted (a short excerpt) only
// where a scalar was expected: a text found where a mapping or a list was expected is probably
// not what the user meant to give (a secret, a list of names), so only its length is said.
std::string Describe(const YAML::Node& node, bool quote_scalar) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Scalar:
      return quote_scalar ? Excerpt(node.Scalar()) : DescribeText(node.Scalar());
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Undefined:
      return "nothing";
  }
  return "something else";
}

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string TextAdvice(std::string_view problem) {
  if (problem.starts_with("invalid UTF-8")) return "; save the file as UTF-8";
  return "; remove it (a deposit file is XML 1.0)";
}

std::optional<YAML::Node> LoadFile(const std::string& path, Diagnostics& diagnostics) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diagnostics.push_back(
        {Location{path, 0, 0}, std::string("cannot open file: ") + std::strerror(errno)});
    return std::nullopt;
  }
  return Parse(in, path, diagnostics);
}

std::optional<YAML::Node> LoadString(const std::string& text, const std::string& name,
                                     Diagnostics& diagnostics) {
  std::istringstream in(text);
  return Parse(in, name, diagnostics);
}

Location FileReader::Where(const YAML::Node& node) const {
  for (auto it = alias_uses_.rbegin(); it != alias_uses_.rend(); ++it) {
    if (it->first.is(node)) return it->second;
  }
  return FromMark(file_, node.Mark());
}

void FileReader::NoteEntry(const YAML::Node& key, const YAML::Node& value) {
  // An alias shares its anchor's node, and with it the anchor's position. A map value placed
  // before its own key can only have come through an alias: it is used at the key.
  const YAML::Mark key_mark = key.Mark(), value_mark = value.Mark();
  const bool through_alias =
      key_mark.pos >= 0 && value_mark.pos >= 0 && value_mark.pos < key_mark.pos;
  std::erase_if(alias_uses_, [&](const auto& use) { return use.first.is(value); });
  if (through_alias) alias_uses_.emplace_back(value, FromMark(file_, key_mark));
}

void FileReader::Report(const YAML::Node& at, std::string message) {
  diagnostics_.push_back({Where(at), std::move(message)});
}

void FileReader::Report(Location at, std::string message) {
  diagnostics_.push_back({std::move(at), std::move(message)});
}

std::optional<std::string> FileReader::AsString(const YAML::Node& node, std::string_view what) {
  if (!node.IsScalar()) {
    Report(node, std::string(what) + ": expected a text value, found " + Describe(node, false));
    return std::nullopt;
  }
  if (auto problem = XmlTextProblem(node.Scalar())) {
    Report(node, std::string(what) + ": " + *problem + TextAdvice(*problem));
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<std::int64_t> FileReader::AsInt(const YAML::Node& node, std::string_view what,
                                              std::int64_t min, std::int64_t max) {
  if (!node.IsScalar()) {
    Report(node, std::string(what) + ": expected a whole number, found " + Describe(node, false));
    return std::nullopt;
  }
  const std::string& s = node.Scalar();
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) {
    Report(node, std::string(what) + ": expected a whole number, found " + Excerpt(s));
    return std::nullopt;
  }
  if (value < min || value > max) {
    Report(node, std::string(what) + ": " + s + " is out of range (" + std::to_string(min) +
                     " to " + std::to_string(max) + ")");
    return std::nullopt;
  }
  return value;
}

std::optional<bool> FileReader::AsBool(const YAML::Node& node, std::string_view what) {
  if (node.IsScalar()) {
    const std::string& s = node.Scalar();
    if (s == "true") return true;
    if (s == "false") return false;
  }
  Report(node, std::string(what) + ": expected true or false, found " + Describe(node, true));
  return std::nullopt;
}

std::optional<Duration> FileReader::AsDuration(const YAML::Node& node, std::string_view what) {
  if (!node.IsScalar()) {
    Report(node, std::string(what) + ": expected a duration such as \"30s\" or \"5min\", found " +
                     Describe(node, false));
    return std::nullopt;
  }
  Result<Duration> d = ParseDuration(node.Scalar());
  if (!d) {
    Report(node, std::string(what) + ": " + d.error().message());
    return std::nullopt;
  }
  return *d;
}

MapReader::MapReader(FileReader& file, const YAML::Node& node, std::string path)
    : file_(file), node_(node), path_(std::move(path)) {
  if (!node.IsMap()) {
    file_.Report(node, (path_.empty() ? std::string("the file") : path_) +
                           ": expected a mapping of keys to values, found " +
                           Describe(node, false));
    return;
  }
  valid_ = true;
  // Duplicate keys: YAML forbids them, yaml-cpp keeps the first silently. Report them.
  std::set<std::string, std::less<>> seen;
  for (const auto& kv : node) {
    if (!kv.first.IsScalar()) {
      file_.Report(kv.first, (path_.empty() ? std::string("the file") : path_) +
                                 ": keys must be plain names");
      continue;
    }
    if (!seen.insert(kv.first.Scalar()).second) {
      file_.Report(kv.first, "duplicate key " + QuotedKeyPath(kv.first.Scalar()) +
                                 ": each key may appear only once");
    }
  }
}

std::string MapReader::KeyPath(std::string_view key) const {
  if (path_.empty()) return std::string(key);
  if (key.empty()) return path_;
  return path_ + "." + std::string(key);
}

std::string MapReader::QuotedKeyPath(std::string_view key) const {
  return Excerpt(KeyPath(key), KeyPath("").size() + kMaxQuotedKey);
}

std::optional<YAML::Node> MapReader::Lookup(std::string_view key, bool required) {
  known_.emplace(key);
  if (!valid_) return std::nullopt;
  for (const auto& kv : node_) {
    if (kv.first.IsScalar() && kv.first.Scalar() == key) {
      file_.NoteEntry(kv.first, kv.second);
      if (kv.second.IsNull()) {
        if (required) {
          file_.Report(kv.first, KeyPath(key) + ": a value is required");
        }
        return std::nullopt;
      }
      return kv.second;
    }
  }
  if (required) {
    file_.Report(node_, (path_.empty() ? std::string("the file") : path_) +
                            ": missing required key \"" + std::string(key) + "\"");
  }
  return std::nullopt;
}

bool MapReader::Has(std::string_view key) {
  known_.emplace(key);
  if (!valid_) return false;
  for (const auto& kv : node_) {
    if (kv.first.IsScalar() && kv.first.Scalar() == key) return !kv.second.IsNull();
  }
  return false;
}

std::optional<std::string> MapReader::String(std::string_view key, bool required) {
  auto node = Lookup(key, required);
  if (!node) return std::nullopt;
  return file_.AsString(*node, KeyPath(key));
}

std::optional<std::int64_t> MapReader::Int(std::string_view key, bool required, std::int64_t min,
                                           std::int64_t max) {
  auto node = Lookup(key, required);
  if (!node) return std::nullopt;
  return file_.AsInt(*node, KeyPath(key), min, max);
}

std::optional<bool> MapReader::Bool(std::string_view key, bool required) {
  auto node = Lookup(key, required);
  if (!node) return std::nullopt;
  return file_.AsBool(*node, KeyPath(key));
}

std::optional<Duration> MapReader::DurationValue(std::string_view key, bool required) {
  auto node = Lookup(key, required);
  if (!node) return std::nullopt;
  return file_.AsDuration(*node, KeyPath(key));
}

std::optional<YAML::Node> MapReader::Node(std::string_view key, bool required) {
  return Lookup(key, required);
}

std::vector<std::pair<std::string, YAML::Node>> MapReader::Entries() {
  std::vector<std::pair<std::string, YAML::Node>> out;
  all_known_ = true;
  if (!valid_) return out;
  for (const auto& kv : node_) {
    if (!kv.first.IsScalar()) continue;
    const std::string& name = kv.first.Scalar();
    const std::string where = path_.empty() ? std::string("the file") : path_;
    if (auto problem = XmlTextProblem(name)) {
      file_.Report(kv.first, where + ": the name " + Excerpt(name, kMaxQuotedKey) + " has " +
                                 *problem + TextAdvice(*problem));
      continue;
    }
    if (Utf8Length(name) > kMaxNameLength) {
      file_.Report(kv.first, where + ": a name has at most " + std::to_string(kMaxNameLength) +
                                 " characters; " + Excerpt(name, kMaxQuotedKey) + " has " +
                                 std::to_string(Utf8Length(name)));
      continue;
    }
    file_.NoteEntry(kv.first, kv.second);
    out.emplace_back(name, kv.second);
  }
  return out;
}

void MapReader::Finish() {
  if (!valid_ || all_known_) return;
  if (path_.empty() && NothingKnown()) {
    // Not one key of the file is a setting, nor close to one: it is probably another file
    // (a list of names, say) given by mistake. Its keys are its data: do not repeat them.
    file_.Report(node_, (node_.size() == 1 ? std::string("the file: its only key is not")
                                           : "the file: none of its " +
                                                 std::to_string(node_.size()) + " keys is") +
                            " a setting of this kind of file; is it the right file?");
    return;
  }
  for (const auto& kv : node_) {
    if (!kv.first.IsScalar()) continue;
    const std::string& key = kv.first.Scalar();
    if (known_.contains(key)) continue;
    std::string message = "unknown key " + QuotedKeyPath(key);
    if (auto near = key.size() <= kMaxNameLength ? ClosestKey(key, known_) : std::nullopt) {
      message += "; did you mean \"" + *near + "\"?";
    } else {
      message += "; known keys here: ";
      bool first = true;
      for (const std::string& k : known_) {
        if (!first) message += ", ";
        message += k;
        first = false;
      }
    }
    file_.Report(kv.first, std::move(message));
  }
}

bool MapReader::NothingKnown() const {
  for (const auto& kv : node_) {
    if (!kv.first.IsScalar()) continue;
    const std::string& key = kv.first.Scalar();
    if (known_.contains(key)) return false;
    if (key.size() <= kMaxNameLength && ClosestKey(key, known_)) return false;
  }
  return node_.size() > 0;
}

std::optional<std::string> ClosestKey(std::string_view key,
                                      const std::set<std::string, std::less<>>& known) {
  std::optional<std::string> best;
  std::size_t best_distance = 0;
  for (const std::string& candidate : known) {
    std::size_t d = EditDistance(key, candidate);
    if (!best || d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  // A typo is at most a third of the word wrong (and at least one edit is allowed).
  if (best && best_distance <= std::max<std::size_t>(1, key.size() / 3)) return best;
  return std::nullopt;
}

}  // namespace accrochd::yaml
