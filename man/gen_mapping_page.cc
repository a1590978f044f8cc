// Build tool: writes accrochd.mapping.5.scd from its template, with the field and rule
// references generated from the dictionary (mappings/dictionary_doc.h).
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "mappings/dictionary_doc.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: gen_mapping_page TEMPLATE OUTPUT\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  for (const auto& [marker, content] :
       {std::pair<std::string, std::string>{"@FIELDS@\n",
                                            accrochd::mappings::DictionaryReferenceScdoc()},
        {"@RULES@\n", accrochd::mappings::RulesReferenceScdoc()}}) {
    auto pos = text.find(marker);
    if (pos == std::string::npos) {
      std::cerr << "gen_mapping_page: " << marker << " not found in " << argv[1] << "\n";
      return 1;
    }
    text.replace(pos, marker.size(), content);
  }
  std::ofstream out(argv[2], std::ios::trunc);
  out << text;
  return out ? 0 : 1;
}
