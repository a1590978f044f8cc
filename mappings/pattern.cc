#include "mappings/pattern.h"

#include <algorithm>
#include <exception>
#include <locale>
#include <regex>

#include "core/text.h"

namespace accrochd::mappings {

// wchar_t holds a code point on the systems accrochd runs on (Debian: UTF-32).
static_assert(sizeof(wchar_t) == 4, "patterns are matched on UTF-32 text");

struct CompiledPattern::Regex {
  std::wregex regex;
};

namespace {

std::wstring Wide(const std::u32string& code_points) {
  return std::wstring(code_points.begin(), code_points.end());
}

std::regex_constants::syntax_option_type Options() {
  auto options = std::regex_constants::ECMAScript | std::regex_constants::nosubs |
                 std::regex_constants::optimize;
#ifdef __GLIBCXX__
  // libstdc++'s breadth-first matcher: time polynomial in the value's length, and no
  // recursion per character (the default matcher backtracks, exponentially on "(a*)*b").
  options |= std::regex_constants::__polynomial;
#endif
  return options;
}

// How deep groups nest, outside [...] and escapes: the regex compiler recurses once per level.
std::size_t GroupDepth(const std::u32string& pattern) {
  std::size_t depth = 0, deepest = 0;
  bool in_class = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char32_t c = pattern[i];
    if (c == U'\\') {
      ++i;  // the escaped character
    } else if (in_class) {
      in_class = c != U']';
    } else if (c == U'[') {
      in_class = true;
    } else if (c == U'(') {
      deepest = std::max(deepest, ++depth);
    } else if (c == U')' && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

std::optional<CompiledPattern> CompiledPattern::Compile(std::string_view text,
                                                        std::string& problem) {
  auto code_points = CodePoints(text);
  if (!code_points) {
    problem = "not UTF-8 text";
    return std::nullopt;
  }
  if (code_points->empty()) {
    problem = "must not be empty";
    return std::nullopt;
  }
  if (code_points->size() > kPatternMaxLength) {
    problem = std::to_string(code_points->size()) + " characters, " +
              std::to_string(kPatternMaxLength) + " at most";
    return std::nullopt;
  }
  if (GroupDepth(*code_points) > kPatternMaxGroupDepth) {
    problem = "groups nested more than " + std::to_string(kPatternMaxGroupDepth) + " deep";
    return std::nullopt;
  }
  try {
    auto compiled = std::make_shared<Regex>();
    // The classic locale: \d, \w, \s and [[:alpha:]] mean the same (ASCII) whatever the
    // process's locale.
    compiled->regex.imbue(std::locale::classic());
    compiled->regex.assign(Wide(*code_points), Options());
    CompiledPattern out;
    out.regex_ = std::move(compiled);
    return out;
  } catch (const std::regex_error& e) {
    switch (e.code()) {
      case std::regex_constants::error_complexity:
        problem =
            "back-references (\\1) are refused: they would make matching slow; "
            "write the expected text out";
        break;
      case std::regex_constants::error_space:
        problem = "too large once compiled; make its repetitions ({n}) smaller";
        break;
      default:
        problem = std::string("not a regular expression (ECMAScript): ") + e.what();
    }
  } catch (const std::exception& e) {
    problem = std::string("cannot be compiled: ") + e.what();
  }
  return std::nullopt;
}

PatternOutcome CompiledPattern::Check(std::string_view value) const noexcept {
  if (!regex_) return PatternOutcome::kFailed;
  try {
    auto code_points = CodePoints(value);
    if (!code_points) return PatternOutcome::kNotUtf8;
    if (code_points->size() > kPatternMaxValueLength) return PatternOutcome::kTooLong;
    return std::regex_match(Wide(*code_points), regex_->regex) ? PatternOutcome::kMatch
                                                               : PatternOutcome::kNoMatch;
  } catch (...) {
    return PatternOutcome::kFailed;
  }
}

}  // namespace accrochd::mappings
