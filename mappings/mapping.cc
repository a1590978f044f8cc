#include "mappings/mapping.h"

#include <filesystem>

#include "connectors/source/sql_text.h"
#include "core/yaml/yaml_reader.h"

namespace accrochd::mappings {

std::optional<Mapping> LoadMapping(const std::string& path, Diagnostics& diagnostics) {
  auto root = yaml::LoadFile(path, diagnostics);
  if (!root) return std::nullopt;
  yaml::FileReader file(path, diagnostics);
  yaml::MapReader top(file, *root, "");
  Mapping m;
  m.file = path;
  m.name = std::filesystem::path(path).stem().string();

  if (auto node = top.Node("certification", true)) {
    yaml::MapReader c(file, *node, "certification");
    if (auto v = c.String("type", true)) m.certification.type = *v;
    if (auto v = c.String("code", true)) m.certification.code = *v;
    c.Finish();
  }
  if (auto node = top.Node("source", true)) {
    if (auto v = file.AsString(*node, "source")) {
      m.source = *v;
      m.source_location = file.Where(*node);
    }
  }
  if (auto node = top.Node("query", true)) {
    if (auto sql = file.AsString(*node, "query")) {
      m.query = *sql;
      m.query_location = file.Where(*node);
      if (auto problem = source::CheckQueryText(m.query)) file.Report(*node, "query: " + *problem);
    }
  }
  if (auto node = top.Node("page_by", false)) {
    if (node->IsScalar()) {
      m.page_by.push_back(node->Scalar());
    } else if (node->IsSequence() && node->size() > 0) {
      for (const auto& item : *node) {
        if (auto column = file.AsString(item, "page_by")) m.page_by.push_back(*column);
      }
    } else {
      file.Report(*node, "page_by: expected a column name or a list of column names");
    }
  }
  if (auto node = top.Node("page_size", false)) {
    if (auto v = file.AsInt(*node, "page_size", 1, 1'000'000)) {
      m.page_size = static_cast<std::size_t>(*v);
      if (m.page_by.empty()) {
        file.Report(*node, "page_size: set without page_by; it only applies to keyset paging");
      }
    }
  }
  top.Finish();
  return m;
}

}  // namespace accrochd::mappings
