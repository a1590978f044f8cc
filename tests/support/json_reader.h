// A JSON reader, enough for the webhook payloads the alert tests receive (no JSON library among
// the dependencies): the whole document in memory, numbers as double, strings as UTF-8.
#ifndef ACCROCHD_TESTS_SUPPORT_JSON_READER_H_
#define ACCROCHD_TESTS_SUPPORT_JSON_READER_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace accrochd::testing {

struct Json {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = Type::kNull;
  bool boolean = false;
  double number = 0;
  std::string text;
  std::vector<Json> items;                            // kArray
  std::vector<std::pair<std::string, Json>> members;  // kObject, in document order

  // The member `key`, or null.
  const Json& operator[](const std::string& key) const;
  bool Has(const std::string& key) const;
  int Int() const { return static_cast<int>(number); }
};

class JsonReader {
 public:
  explicit JsonReader(std::string text) : s_(std::move(text)) {}

  // The document; nullopt when it is not JSON, and error() says why and where.
  std::optional<Json> Document();
  const std::string& error() const { return error_; }

 private:
  bool Fail(const std::string& why);
  void Space();
  bool Take(char c);
  bool Expect(char c);
  bool Word(std::string_view word);
  bool Value(Json& v, int depth);
  bool Hex4(unsigned& out);
  static void Utf8(std::string& out, unsigned cp);
  bool String(std::string& out);

  std::string s_;
  std::size_t i_ = 0;
  std::string error_;
};

}  // namespace accrochd::testing

#endif  // ACCROCHD_TESTS_SUPPORT_JSON_READER_H_
