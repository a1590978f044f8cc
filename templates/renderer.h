// The French texts people read -- the status dashboard and its one-line summary now, the alert
// digests later -- rendered from mustache templates (kainjow mustache, included only in
// renderer.cc). The templates are built into the binary; an institution overrides any of them by
// putting a file of the same name in its templates directory (/etc/accrochd/templates/).
#ifndef ACCROCHD_TEMPLATES_RENDERER_H_
#define ACCROCHD_TEMPLATES_RENDERER_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.h"
#include "core/error.h"

namespace accrochd {

// What a template is given: a text, a number, a flag, a list of values, or named values. A
// template shows a number as its digits; a JSON form of the data (status --json) writes it as a
// JSON number, where a text made of digits (an idTechnique "00123") stays a string.
class TemplateValue {
 public:
  enum class Type : unsigned char { kText, kNumber, kFlag, kList, kObject };

  TemplateValue() : type_(Type::kObject) {}
  TemplateValue(std::string text) : type_(Type::kText), text_(std::move(text)) {}  // NOLINT
  TemplateValue(const char* text) : type_(Type::kText), text_(text) {}             // NOLINT
  TemplateValue(bool flag) : type_(Type::kFlag), flag_(flag) {}                    // NOLINT
  static TemplateValue Number(long long n) {
    TemplateValue v(std::to_string(n));
    v.type_ = Type::kNumber;
    return v;
  }
  static TemplateValue List() {
    TemplateValue v;
    v.type_ = Type::kList;
    return v;
  }
  TemplateValue(const TemplateValue& other);
  TemplateValue& operator=(const TemplateValue& other);
  TemplateValue(TemplateValue&&) noexcept;
  TemplateValue& operator=(TemplateValue&&) noexcept;
  ~TemplateValue();

  // On an object: sets a named value. Returns *this for chaining.
  TemplateValue& Set(const std::string& name, TemplateValue value);
  // On a list: appends.
  void Push(TemplateValue value);

  // Move the value's parts out, leaving them empty: for a conversion that consumes the value
  // (PreparedValue), so that a large message is not held twice.
  std::string TakeText() { return std::move(text_); }
  std::vector<TemplateValue> TakeItems();
  std::map<std::string, TemplateValue> TakeFields();

  Type type() const { return type_; }
  const std::string& text() const { return text_; }
  bool flag() const { return flag_; }
  const std::vector<TemplateValue>& items() const;
  const std::map<std::string, TemplateValue>& fields() const;

 private:
  // A list's items and an object's named values, apart: a text or a flag, most of a message's
  // values, is 48 bytes without them (a first backfill's digest holds a row of 14 values for
  // every passage it names).
  struct Nested;
  struct DeleteNested {  // out of line: Nested is complete only in renderer.cc
    void operator()(Nested* nested) const;
  };

  Type type_;
  bool flag_ = false;
  std::string text_;
  std::unique_ptr<Nested, DeleteNested> nested_;
};

// How values are escaped in a template's output.
enum class Escape {
  kNone,  // plain text (the journal, terminals, text e-mails)
  kHtml,
  kJson,  // inside a JSON string
};

// Template data converted once into the template library's form, for several renders of the
// same values (the conversion of a large message costs as much as rendering it). Top-level
// texts may be set between renders.
class PreparedValue {
 public:
  explicit PreparedValue(const TemplateValue& value);
  // Consumes `value`: each part is released once converted, so that the two forms of a large
  // message are never both whole in memory.
  explicit PreparedValue(TemplateValue&& value);
  ~PreparedValue();
  PreparedValue(PreparedValue&&) noexcept;
  PreparedValue& operator=(PreparedValue&&) noexcept;

  // Sets (or replaces) a top-level text.
  void SetText(const std::string& name, const std::string& text);

 private:
  friend class Templates;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class Templates {
 public:
  // The built-in templates, each replaced by NAME.mustache from `override_directory` when that
  // file exists. Every template is compiled; problems are reported with the file and position.
  static std::optional<Templates> Load(const std::optional<std::string>& override_directory,
                                       Diagnostics& diagnostics);

  Result<std::string> Render(std::string_view name, const TemplateValue& data,
                             Escape escape = Escape::kNone) const;
  Result<std::string> Render(std::string_view name, const PreparedValue& data,
                             Escape escape = Escape::kNone) const;

  // Where a template comes from: "built-in" or the overriding file's path.
  std::string Origin(std::string_view name) const;
  std::vector<std::string> Names() const;

  // The built-in text of a template, for `accrochd templates` and tests.
  static std::optional<std::string_view> BuiltIn(std::string_view name);

 private:
  struct Entry {
    std::string text;
    std::string origin;
  };
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace accrochd

#endif  // ACCROCHD_TEMPLATES_RENDERER_H_
