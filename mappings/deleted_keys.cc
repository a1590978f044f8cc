#include "mappings/deleted_keys.h"

#include "core/text.h"
#include "core/unicode/nfc.h"

namespace accrochd::mappings {
namespace {

std::optional<std::string> Clean(const source::Value& v) {
  if (!v) return std::nullopt;
  std::string text(*v);
  NormalizeNfc(text);
  std::string trimmed(TrimBlanks(text));
  return trimmed;
}

}  // namespace

Result<DeletedKeys> DeletedKeys::Bind(const Mapping& mapping, const source::Columns& columns) {
  DeletedKeys k;
  k.mapping_ = &mapping;
  std::string missing;
  auto find = [&](const std::string& name) -> std::size_t {
    auto at = columns.Find(name);
    if (!at) {
      missing += (missing.empty() ? "" : ", ") + name;
      return 0;
    }
    return *at;
  };
  for (const std::string& key : mapping.key) k.key_columns_.push_back(find(key));
  for (const TemplatePart& p : mapping.id_technique) {
    k.id_parts_.push_back(p.column ? std::optional<std::size_t>(find(p.text)) : std::nullopt);
  }
  if (!missing.empty()) {
    return Fail(ErrorKind::kConfig,
                mapping.deleted_query_location.ToString() +
                    ": deleted_query: its result has no column " + missing +
                    " (it must return the columns the idTechnique is made from: the key, or "
                    "those id_technique reads, and the cursor column)");
  }
  return k;
}

std::vector<std::string> DeletedKeys::RequiredColumns(const Mapping& mapping) {
  std::vector<std::string> columns;
  auto add = [&](const std::string& name) {
    for (const std::string& c : columns) {
      if (EqualsIgnoreAsciiCase(c, name)) return;
    }
    columns.push_back(name);
  };
  for (const std::string& key : mapping.key) add(key);
  for (const TemplatePart& p : mapping.id_technique) {
    if (p.column) add(p.text);
  }
  if (mapping.cursor) add(mapping.cursor->column);
  return columns;
}

std::optional<std::string> DeletedKeys::IdOf(const source::SourceRow& row) const {
  std::vector<std::string> keys;
  for (std::size_t column : key_columns_) {
    auto v = Clean(row.values[column]);
    if (!v || v->empty()) return std::nullopt;
    keys.push_back(std::move(*v));
  }
  std::string id;
  if (mapping_->id_technique.empty()) {
    for (const std::string& k : keys) id += (id.empty() ? "" : "-") + k;
    return id;
  }
  for (std::size_t i = 0; i < id_parts_.size(); ++i) {
    if (!id_parts_[i]) {
      id += mapping_->id_technique[i].text;
    } else if (auto v = Clean(row.values[*id_parts_[i]])) {
      id += *v;
    }
  }
  NormalizeNfc(id);
  return id;
}

}  // namespace accrochd::mappings
