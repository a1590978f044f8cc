// The generated reference of accrochd.mapping(5) names every field and every rule.
#include "mappings/dictionary_doc.h"

#include <set>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mappings/dictionary.h"
#include "mappings/value_rules.h"

namespace accrochd::mappings {
namespace {

using ::testing::HasSubstr;

TEST(DictionaryDocTest, EveryFieldIsDocumentedWithItsLimits) {
  const std::string doc = DictionaryReferenceScdoc();
  for (const FieldSpec& s : Fields()) {
    EXPECT_THAT(doc, HasSubstr("*" + std::string(s.name) + "* (" + std::string(s.dico_id) + ")"))
        << s.name;
  }
  EXPECT_THAT(doc, HasSubstr("*nomNaissance* (8.1) - Nom de naissance\n\tIn titulaire (bloc 8). "
                             "Text of 1 to 60 characters. Schema 1.1.2: required; 1.1.5: "
                             "required. Dictionary: Obligatoire. Personal data"));
  EXPECT_THAT(doc, HasSubstr("*nir* (NIR)"));
  EXPECT_THAT(doc, HasSubstr("Schema 1.1.2: absent; 1.1.5: required"));
}

TEST(DictionaryDocTest, EveryRuleIsDocumentedOnce) {
  const std::string doc = RulesReferenceScdoc();
  std::set<std::string> names;
  for (int r = static_cast<int>(Rule::kRequired); r <= static_cast<int>(Rule::kBirthplaceFrance);
       ++r) {
    const std::string name(RuleName(static_cast<Rule>(r)));
    EXPECT_TRUE(names.insert(name).second) << name;
    EXPECT_THAT(doc, HasSubstr("*" + name + "*\n\t")) << name;
  }
}

}  // namespace
}  // namespace accrochd::mappings
