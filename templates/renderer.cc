#include "templates/renderer.h"

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <kainjow/mustache.hpp>

#include "core/text.h"
#include "templates/builtin_templates.h"

namespace accrochd {
namespace {

namespace fs = std::filesystem;
using Mustache = kainjow::mustache::mustache;
using Data = kainjow::mustache::data;

// kainjow's set() and push_back() copy their argument: values are moved into the object's
// entries through operator[] and into a list's vector (which the list owns, on the heap; its
// accessor is const only), so that no subtree is copied on its way up. The vector is given its
// size first: its values' move is not noexcept, so a vector that grows copies them all.
using List = kainjow::mustache::basic_list<std::string>;
List& Items(Data& list, std::size_t size) {
  List& items = const_cast<List&>(list.list_value());
  items.reserve(size);
  return items;
}

Data ToData(const TemplateValue& v) {
  switch (v.type()) {
    case TemplateValue::Type::kText:
    case TemplateValue::Type::kNumber:
      return Data(v.text());
    case TemplateValue::Type::kFlag:
      return Data(v.flag());
    case TemplateValue::Type::kList: {
      Data list(Data::type::list);
      List& items = Items(list, v.items().size());
      for (const TemplateValue& item : v.items()) items.push_back(ToData(item));
      return list;
    }
    case TemplateValue::Type::kObject: {
      Data object;
      for (const auto& [name, value] : v.fields()) object[name] = ToData(value);
      return object;
    }
  }
  return Data();
}

// The same, consuming `v`: each item and entry is freed as soon as it is converted.
Data ToData(TemplateValue&& v) {
  switch (v.type()) {
    case TemplateValue::Type::kText:
    case TemplateValue::Type::kNumber:
      return Data(v.TakeText());
    case TemplateValue::Type::kFlag:
      return Data(v.flag());
    case TemplateValue::Type::kList: {
      Data list(Data::type::list);
      std::vector<TemplateValue> values = v.TakeItems();
      List& items = Items(list, values.size());
      for (TemplateValue& item : values) items.push_back(ToData(std::move(item)));
      return list;
    }
    case TemplateValue::Type::kObject: {
      Data object;
      std::map<std::string, TemplateValue> fields = v.TakeFields();
      for (auto& [name, value] : fields) object[name] = ToData(std::move(value));
      return object;
    }
  }
  return Data();
}

// kainjow reports positions as character offsets ("Unclosed section \"x\" at 12"): the
// offset becomes a line and a column.
Location Where(const std::string& file, const std::string& text, const std::string& message) {
  Location at{file, 0, 0};
  std::smatch m;
  static const std::regex kAt(R"( at (\d+)$)");
  if (std::regex_search(message, m, kAt)) {
    std::size_t offset = std::stoul(m[1].str());
    int line = 1, column = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    at.line = line;
    at.column = column;
  }
  return at;
}

}  // namespace

struct TemplateValue::Nested {
  std::vector<TemplateValue> items;
  std::map<std::string, TemplateValue> fields;
};

void TemplateValue::DeleteNested::operator()(Nested* nested) const { delete nested; }

TemplateValue::TemplateValue(const TemplateValue& other)
    : type_(other.type_),
      flag_(other.flag_),
      text_(other.text_),
      nested_(other.nested_ ? new Nested(*other.nested_) : nullptr) {}
TemplateValue& TemplateValue::operator=(const TemplateValue& other) {
  if (this != &other) *this = TemplateValue(other);
  return *this;
}
TemplateValue::TemplateValue(TemplateValue&&) noexcept = default;
TemplateValue& TemplateValue::operator=(TemplateValue&&) noexcept = default;
TemplateValue::~TemplateValue() = default;

TemplateValue& TemplateValue::Set(const std::string& name, TemplateValue value) {
  if (!nested_) nested_.reset(new Nested());
  nested_->fields.insert_or_assign(name, std::move(value));
  return *this;
}

void TemplateValue::Push(TemplateValue value) {
  if (!nested_) nested_.reset(new Nested());
  nested_->items.push_back(std::move(value));
}

std::vector<TemplateValue> TemplateValue::TakeItems() {
  return nested_ ? std::move(nested_->items) : std::vector<TemplateValue>();
}

std::map<std::string, TemplateValue> TemplateValue::TakeFields() {
  return nested_ ? std::move(nested_->fields) : std::map<std::string, TemplateValue>();
}

const std::vector<TemplateValue>& TemplateValue::items() const {
  static const std::vector<TemplateValue> kNone;
  return nested_ ? nested_->items : kNone;
}

const std::map<std::string, TemplateValue>& TemplateValue::fields() const {
  static const std::map<std::string, TemplateValue> kNone;
  return nested_ ? nested_->fields : kNone;
}

std::optional<std::string_view> Templates::BuiltIn(std::string_view name) {
  for (const BuiltinTemplate& t : kBuiltinTemplates) {
    if (t.name == name) return t.text;
  }
  return std::nullopt;
}

std::optional<Templates> Templates::Load(const std::optional<std::string>& override_directory,
                                         Diagnostics& diagnostics) {
  Templates templates;
  const std::size_t before = diagnostics.size();
  for (const BuiltinTemplate& t : kBuiltinTemplates) {
    Entry entry{std::string(t.text), "built-in"};
    if (override_directory) {
      const fs::path path = fs::path(*override_directory) / (std::string(t.name) + ".mustache");
      std::error_code ec;
      if (fs::exists(path, ec)) {
        std::ifstream in(path, std::ios::binary);
        if (!in) {
          diagnostics.push_back({{path.string(), 0, 0}, "cannot read the template"});
          continue;
        }
        std::stringstream buffer;
        buffer << in.rdbuf();
        entry = Entry{buffer.str(), path.string()};
      }
    }
    Mustache compiled(entry.text);
    if (!compiled.is_valid()) {
      diagnostics.push_back({Where(entry.origin, entry.text, compiled.error_message()),
                             "template \"" + std::string(t.name) +
                                 "\" does not compile: " + compiled.error_message()});
      continue;
    }
    templates.entries_.emplace(std::string(t.name), std::move(entry));
  }
  // A .mustache file that replaces nothing is most likely a misspelt name: say so rather than
  // let the certifier believe the text changed.
  std::error_code ec;
  if (override_directory && fs::is_directory(*override_directory, ec)) {
    for (const fs::directory_entry& file : fs::directory_iterator(*override_directory, ec)) {
      if (file.path().extension() != ".mustache") continue;
      const std::string stem = file.path().stem().string();
      if (BuiltIn(stem)) continue;
      std::string known;
      for (const BuiltinTemplate& t : kBuiltinTemplates) {
        known += (known.empty() ? "" : ", ") + std::string(t.name) + ".mustache";
      }
      diagnostics.push_back(
          {{file.path().string(), 0, 0}, "replaces no template; the templates are " + known});
    }
  }
  if (diagnostics.size() != before) return std::nullopt;
  return templates;
}

struct PreparedValue::Impl {
  Data data;
};

PreparedValue::PreparedValue(const TemplateValue& value)
    : impl_(std::make_unique<Impl>(Impl{ToData(value)})) {}
PreparedValue::PreparedValue(TemplateValue&& value)
    : impl_(std::make_unique<Impl>(Impl{ToData(std::move(value))})) {}
PreparedValue::~PreparedValue() = default;
PreparedValue::PreparedValue(PreparedValue&&) noexcept = default;
PreparedValue& PreparedValue::operator=(PreparedValue&&) noexcept = default;

void PreparedValue::SetText(const std::string& name, const std::string& text) {
  impl_->data.set(name, Data(text));
}

Result<std::string> Templates::Render(std::string_view name, const TemplateValue& data,
                                      Escape escape) const {
  return Render(name, PreparedValue(data), escape);
}

Result<std::string> Templates::Render(std::string_view name, const PreparedValue& data,
                                      Escape escape) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    return Fail(ErrorKind::kInternal, "no template named \"" + std::string(name) + "\"");
  }
  Mustache compiled(it->second.text);
  switch (escape) {
    case Escape::kNone:
      compiled.set_custom_escape([](const std::string& s) { return s; });
      break;
    case Escape::kJson:
      compiled.set_custom_escape([](const std::string& v) { return JsonEscape(v); });
      break;
    case Escape::kHtml:
      break;  // kainjow's default
  }
  std::string out = compiled.render(data.impl_->data);
  if (!compiled.is_valid()) {
    return Fail(ErrorKind::kConfig, it->second.origin + ": template \"" + std::string(name) +
                                        "\": " + compiled.error_message());
  }
  return out;
}

std::string Templates::Origin(std::string_view name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? "" : it->second.origin;
}

std::vector<std::string> Templates::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, entry] : entries_) names.push_back(name);
  return names;
}

}  // namespace accrochd
