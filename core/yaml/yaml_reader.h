// Strict reading of the YAML files administrators write (accrochd.yaml and the mappings).
//
// yaml-cpp parses; this layer enforces the schema: every key is known (a typo is reported with a
// suggestion, never ignored), no key appears twice, every value has the expected type, and
// required keys are present. Each problem becomes a Diagnostic with file:line:col, and reading
// goes on so that one run reports every problem. yaml-cpp stays behind this header's inline
// types: only loaders include it.
#ifndef ACCROCHD_CORE_YAML_YAML_READER_H_
#define ACCROCHD_CORE_YAML_YAML_READER_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/diagnostic.h"
#include "core/duration.h"

namespace accrochd::yaml {

// Loads `path`. On a syntax error or an unreadable file, adds a diagnostic and returns nullopt.
std::optional<YAML::Node> LoadFile(const std::string& path, Diagnostics& diagnostics);

// Same for text held in memory; `name` is used in diagnostics.
std::optional<YAML::Node> LoadString(const std::string& text, const std::string& name,
                                     Diagnostics& diagnostics);

// Collects diagnostics for one file.
class FileReader {
 public:
  FileReader(std::string file, Diagnostics& diagnostics)
      : file_(std::move(file)), diagnostics_(diagnostics) {}

  const std::string& file() const { return file_; }
  Location Where(const YAML::Node& node) const;
  void Report(const YAML::Node& at, std::string message);
  void Report(Location at, std::string message);

  // Call for a map entry before reading its value: a value that an alias (*name) brought is
  // then located where the alias is used, not at its anchor (&name).
  void NoteEntry(const YAML::Node& key, const YAML::Node& value);
  std::size_t error_count() const { return diagnostics_.size(); }

  // Scalar readers for a node already located (sequence items, map values). `what` names the
  // value in messages, e.g. "sources.scolarite.fetch_size". AsString refuses text that is not
  // UTF-8 or holds a character XML 1.0 forbids: configuration and mapping texts end up in
  // deposit files, logs and alerts.
  std::optional<std::string> AsString(const YAML::Node& node, std::string_view what);
  std::optional<std::int64_t> AsInt(const YAML::Node& node, std::string_view what, std::int64_t min,
                                    std::int64_t max);
  std::optional<bool> AsBool(const YAML::Node& node, std::string_view what);
  std::optional<Duration> AsDuration(const YAML::Node& node, std::string_view what);

 private:
  std::string file_;
  Diagnostics& diagnostics_;
  std::vector<std::pair<YAML::Node, Location>> alias_uses_;  // value -> where its alias is
};

// Reads one YAML mapping. Each accessor marks its key as known; Finish() reports the keys of the
// mapping that no accessor asked for. The path ("sources.scolarite") names the mapping in
// messages.
class MapReader {
 public:
  // Reports a diagnostic (and reads nothing) when `node` is not a mapping.
  MapReader(FileReader& file, const YAML::Node& node, std::string path);

  bool valid() const { return valid_; }
  const std::string& path() const { return path_; }
  const YAML::Node& node() const { return node_; }

  // A key is "present" when it exists with a non-null value.
  bool Has(std::string_view key);

  std::optional<std::string> String(std::string_view key, bool required);
  std::optional<std::int64_t> Int(std::string_view key, bool required, std::int64_t min,
                                  std::int64_t max);
  std::optional<bool> Bool(std::string_view key, bool required);
  std::optional<Duration> DurationValue(std::string_view key, bool required);
  // The raw node of a key whose value has some other shape; checks only presence.
  std::optional<YAML::Node> Node(std::string_view key, bool required);
  // The keys of this mapping that no one asked for yet, for maps whose keys are names
  // (sources, certifiers) rather than settings.
  std::vector<std::pair<std::string, YAML::Node>> Entries();

  // Reports unknown keys, each with the closest known key when one is near. At the top of a
  // file where no key is known or near one, says once that it is probably not the right file,
  // without repeating its keys.
  void Finish();

  std::string KeyPath(std::string_view key) const;
  // KeyPath quoted for a message, the key escaped and cut (Excerpt).
  std::string QuotedKeyPath(std::string_view key) const;

 private:
  std::optional<YAML::Node> Lookup(std::string_view key, bool required);
  // True when no key is known or close to a known one (the file is probably not of this kind).
  bool NothingKnown() const;

  FileReader& file_;
  YAML::Node node_;
  std::string path_;
  bool valid_ = false;
  bool all_known_ = false;
  std::set<std::string, std::less<>> known_;
};

// Names that are keys (sources, certifiers, webhooks): at most this many characters.
inline constexpr std::size_t kMaxNameLength = 100;
// Characters of a key quoted in a message.
inline constexpr std::size_t kMaxQuotedKey = 60;

// The advice that follows an XmlTextProblem in a message.
std::string TextAdvice(std::string_view problem);

// The known key closest to `key` by edit distance, when it is close enough to be a typo.
std::optional<std::string> ClosestKey(std::string_view key,
                                      const std::set<std::string, std::less<>>& known);

}  // namespace accrochd::yaml

#endif  // ACCROCHD_CORE_YAML_YAML_READER_H_
