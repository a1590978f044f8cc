// The pattern step of a field rule: the value must match a regular expression of the mapping
// as a whole. ECMAScript syntax (std::regex), compiled once when the mapping is loaded, matched
// character by character (code points, not bytes: "[ÉE]" and "." see one letter however many
// bytes it takes). Matching never costs more than polynomial time (libstdc++'s polynomial mode,
// which refuses back-references), values longer than kPatternMaxValueLength characters are not
// compared at all, and no exception of the regex library leaves this file.
#ifndef ACCROCHD_MAPPINGS_PATTERN_H_
#define ACCROCHD_MAPPINGS_PATTERN_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace accrochd::mappings {

// Longest value compared with a pattern, in characters; a longer one fails without the regex
// running (kTooLong).
inline constexpr std::size_t kPatternMaxValueLength = 1000;
// Longest pattern a mapping may write, in characters.
inline constexpr std::size_t kPatternMaxLength = 1000;
// Deepest nesting of groups a pattern may write ("((a))" is 2).
inline constexpr std::size_t kPatternMaxGroupDepth = 20;

enum class PatternOutcome {
  kMatch,
  kNoMatch,
  kTooLong,  // longer than kPatternMaxValueLength: not compared
  kFailed,   // the regex library gave up (resources): not compared
  kNotUtf8,  // not text: left to validation, which names the bad byte
};

class CompiledPattern {
 public:
  CompiledPattern() = default;  // matches nothing (kFailed)

  // Compiles `text` (UTF-8, NFC); nullopt with `problem` set, in English, when it is not a
  // regular expression the step can run.
  static std::optional<CompiledPattern> Compile(std::string_view text, std::string& problem);

  // Whether the whole of `value` matches.
  PatternOutcome Check(std::string_view value) const noexcept;

 private:
  struct Regex;
  std::shared_ptr<const Regex> regex_;
};

}  // namespace accrochd::mappings

#endif  // ACCROCHD_MAPPINGS_PATTERN_H_
