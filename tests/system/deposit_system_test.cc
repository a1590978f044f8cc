// The deposit files the real binary publishes from the demo, checked with tools that are not
// accrochd's (xmllint and the CDC's official XSDs, sha256sum, zstd), and `accrochd validate` on
// the CDC's official examples and on copies of them spoilt one way each.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/cdc_files.h"
#include "tests/support/run_binary.h"
#include "tests/system/deposit_checks.h"

namespace accrochd::testing {
namespace {

namespace fs = std::filesystem;

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

// `accrochd once` on the demo, in a state directory of its own.
struct Published {
  std::string state;
  RunResult run;
  std::uint64_t valid = 0;
  std::vector<ListedFile> listed;
  std::vector<std::string> outbox;  // every entry of outbox/, hidden ones included, sorted
};

Published PublishDemo(const std::string& test, const std::string& top_level = "") {
  Published p;
  const std::string dir = MakeTempDir(test);
  p.state = dir + "/state";
  WriteFile(dir + "/accrochd.yaml", DemoConfigWith(p.state, top_level));
  p.run = RunAccrochd({"once", "--config", dir + "/accrochd.yaml"});
  if (p.run.exit_code != 0) return p;
  p.valid = ValidCount(p.run.out);
  p.listed = ListedFiles(p.run.out);
  for (const auto& entry : fs::directory_iterator(p.state + "/outbox")) {
    p.outbox.push_back(entry.path().filename().string());
  }
  std::sort(p.outbox.begin(), p.outbox.end());
  return p;
}

#define ACCROCHD_REQUIRE_XMLLINT() \
  if (!HaveXmllint()) FAIL() << kNoXmllint

TEST(DepositSystemTest, OnceOnTheDemoPublishesOneFileValidAgainstTheOfficialXsd) {
  ACCROCHD_REQUIRE_OFFICIAL_XSD(xsd, "1.1.5");
  ACCROCHD_REQUIRE_XMLLINT();
  Published p = PublishDemo("deposit-once");
  ASSERT_EQ(p.run.exit_code, 0) << p.run.err;
  ASSERT_GT(p.valid, 0u) << p.run.out;

  // Exactly one file, named BCR_YYYYMMDDTHHMMSSZ_NNN.xml, and nothing else (no partial).
  ASSERT_THAT(p.outbox, SizeIs(1));
  const std::string name = p.outbox[0];
  EXPECT_TRUE(std::regex_match(name, kDepositName)) << name;
  const std::string file = p.state + "/outbox/" + name;

  ShellResult lint = Xmllint(xsd, {file});
  EXPECT_EQ(lint.exit_code, 0) << lint.out;
  EXPECT_THAT(lint.out, HasSubstr(file + " validates"));

  // The listing names it, with its passages, idFlux and digest.
  const std::string xml = ReadFile(file);
  EXPECT_THAT(p.run.out, HasSubstr("\nDeposit files, valid against the XSD, ready to be deposited "
                                   "on the CDC portal (" +
                                   p.state + "/outbox):\n"));
  ASSERT_THAT(p.listed, SizeIs(1)) << p.run.out;
  EXPECT_EQ(p.listed[0].path, file);
  EXPECT_EQ(p.listed[0].passages, p.valid);
  EXPECT_EQ(CountPassages(xml), p.valid);
  EXPECT_EQ(p.listed[0].id_flux, ElementText(xml, "idFlux"));
  EXPECT_EQ(p.listed[0].sha256, Sha256Sums({file})[file]);
  EXPECT_EQ(ElementText(xml, "action"), "CREATION");
}

TEST(DepositSystemTest, PublishedFilesAndDirectoriesAreTheOwnersOnly) {
  Published p = PublishDemo("deposit-modes");
  ASSERT_EQ(p.run.exit_code, 0) << p.run.err;
  ASSERT_THAT(p.outbox, SizeIs(1));
  std::vector<std::string> malformed;
  const std::vector<ManifestLine> manifest =
      ReadManifest(p.state + "/archive/manifest.tsv", malformed);
  ASSERT_THAT(manifest, SizeIs(1));
  const std::string archive = ArchivePathFor(p.state, manifest[0]);
  const std::string month = fs::path(archive).parent_path().string();
  const std::string year = fs::path(month).parent_path().string();

  EXPECT_EQ(Octal(Mode(p.state + "/outbox/" + p.outbox[0])), "0600");
  EXPECT_EQ(Octal(Mode(archive)), "0600");
  EXPECT_EQ(Octal(Mode(p.state + "/archive/manifest.tsv")), "0600");
  for (const std::string& dir : {p.state, p.state + "/outbox", p.state + "/archive", year, month}) {
    EXPECT_EQ(Octal(Mode(dir)), "0700") << dir;
  }
}

TEST(DepositSystemTest, ManifestLineAndArchivedCopyMatchThePublishedFile) {
  Published p = PublishDemo("deposit-manifest");
  ASSERT_EQ(p.run.exit_code, 0) << p.run.err;
  ASSERT_THAT(p.outbox, SizeIs(1));
  const std::string file = p.state + "/outbox/" + p.outbox[0];
  const std::string manifest_path = p.state + "/archive/manifest.tsv";

  EXPECT_TRUE(ReadFile(manifest_path)
                  .starts_with("# published_at\tfile\tidFlux\tsha256\tpassages\tcertificateur\n"));
  std::vector<std::string> malformed;
  const std::vector<ManifestLine> manifest = ReadManifest(manifest_path, malformed);
  EXPECT_THAT(malformed, SizeIs(0));
  ASSERT_THAT(manifest, SizeIs(1));
  const ManifestLine& line = manifest[0];
  EXPECT_EQ(line.file, p.outbox[0]);
  EXPECT_EQ(line.sha256, Sha256Sums({file})[file]);
  EXPECT_EQ(line.id_flux, ElementText(ReadFile(file), "idFlux"));
  EXPECT_EQ(line.passages, std::to_string(p.valid));
  EXPECT_EQ(line.certificateur, "DEMO0001");

  // The compressed copy decompresses, with zstd(1), to the very bytes of the published file.
  const std::string archive = ArchivePathFor(p.state, line);
  ASSERT_TRUE(fs::exists(archive)) << archive;
  const std::string copy = p.state + "/decompressed.xml";
  ShellResult unzstd = Shell("zstd -dcq " + Quote(archive) + " > " + Quote(copy));
  ASSERT_EQ(unzstd.exit_code, 0) << unzstd.out;
  EXPECT_TRUE(ReadFile(copy) == ReadFile(file)) << "the archive of " << file << " differs";
}

TEST(DepositSystemTest, Schema112FileIsValidAgainstTheOfficial112XsdAndHasNoAction) {
  ACCROCHD_REQUIRE_OFFICIAL_XSD(xsd, "1.1.2");
  ACCROCHD_REQUIRE_XMLLINT();
  Published p = PublishDemo("deposit-112", "schema_version: \"1.1.2\"\n");
  ASSERT_EQ(p.run.exit_code, 0) << p.run.err;
  ASSERT_THAT(p.outbox, SizeIs(1));
  const std::string file = p.state + "/outbox/" + p.outbox[0];
  ShellResult lint = Xmllint(xsd, {file});
  EXPECT_EQ(lint.exit_code, 0) << lint.out;
  EXPECT_THAT(lint.out, HasSubstr(file + " validates"));
  const std::string xml = ReadFile(file);
  EXPECT_THAT(xml, Not(HasSubstr("cpf:action")));
  EXPECT_EQ(CountPassages(xml), p.valid);

  RunResult v = RunAccrochd({"validate", "--schema-version", "1.1.2", file});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_THAT(v.out, HasSubstr(file + ": valid against accrochd's schema 1.1.2 (" +
                               std::to_string(p.valid) + " passages, 0 warnings"));
}

// Once a file has left the outbox (uploaded), a second run in the same UTC second must not reuse
// its name, even with its state store gone: the archived copy of every published file is kept.
TEST(DepositSystemTest, EveryPublishedFileKeepsItsOwnNameAndArchivedCopy) {
  const std::string dir = MakeTempDir("deposit-same-second");
  const std::string state = dir + "/state";
  WriteFile(dir + "/accrochd.yaml", DemoConfigWith(state, ""));
  // Both runs (some 70 ms each) in the same second, so that the fault shows; the assertions
  // hold whatever the timing once names are unique.
  const auto now = std::chrono::system_clock::now();
  std::this_thread::sleep_until(std::chrono::ceil<std::chrono::seconds>(now) +
                                std::chrono::milliseconds(20));
  RunResult first = RunAccrochd({"once", "--config", dir + "/accrochd.yaml"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  for (const auto& entry : fs::directory_iterator(state + "/outbox")) fs::remove(entry.path());
  // The state store forgotten too (a new installation over an old archive), so that the same
  // passages are published again.
  for (const char* f : {"state.db", "state.db-wal", "state.db-shm"}) fs::remove(state + "/" + f);
  RunResult second = RunAccrochd({"once", "--config", dir + "/accrochd.yaml"});
  ASSERT_EQ(second.exit_code, 0) << second.err;

  std::vector<std::string> malformed;
  const auto manifest = ReadManifest(state + "/archive/manifest.tsv", malformed);
  ASSERT_THAT(manifest, SizeIs(2));
  EXPECT_NE(manifest[0].sha256, manifest[1].sha256);
  EXPECT_NE(manifest[0].file, manifest[1].file) << "two different files published as one name";
  for (const ManifestLine& line : manifest) {
    ShellResult copy = Shell("zstd -dcq " + Quote(ArchivePathFor(state, line)) + " | sha256sum");
    EXPECT_TRUE(copy.out.starts_with(line.sha256 + " "))
        << "the archived copy of " << line.file << " (sha256 " << line.sha256
        << ") is another file: " << copy.out;
  }
}

TEST(DepositSystemTest, ValidateAcceptsTheFileOnceJustPublished) {
  ACCROCHD_REQUIRE_OFFICIAL_XSD(xsd, "1.1.5");
  Published p = PublishDemo("deposit-validate");
  ASSERT_EQ(p.run.exit_code, 0) << p.run.err;
  ASSERT_THAT(p.outbox, SizeIs(1));
  const std::string file = p.state + "/outbox/" + p.outbox[0];

  RunResult v = RunAccrochd({"validate", file});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_EQ(v.out, file + ": valid against accrochd's schema 1.1.5 (" + std::to_string(p.valid) +
                       " passages, 0 warnings on the dictionary's rules)\n");

  v = RunAccrochd({"validate", "--schema", xsd, file});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_THAT(v.out, HasSubstr(file + ": valid against " + xsd + " ("));
}

TEST(DepositSystemTest, MaxPassagesPerFileSplitsTheDemoIntoValidFiles) {
  ACCROCHD_REQUIRE_OFFICIAL_XSD(xsd, "1.1.5");
  ACCROCHD_REQUIRE_XMLLINT();
  Published p = PublishDemo("deposit-split", "deposit: {max_passages_per_file: 50}\n");
  ASSERT_EQ(p.run.exit_code, 0) << p.run.err;
  const std::uint64_t expected_files = (p.valid + 49) / 50;
  ASSERT_GT(expected_files, 1u) << "the demo has too few valid passages to split: " << p.valid;

  ASSERT_EQ(p.outbox.size(), expected_files) << p.run.out;
  ASSERT_EQ(p.listed.size(), expected_files) << p.run.out;
  std::vector<std::string> files;
  for (const std::string& name : p.outbox) {
    EXPECT_TRUE(std::regex_match(name, kDepositName)) << name;
    files.push_back(p.state + "/outbox/" + name);
  }
  ShellResult lint = Xmllint(xsd, files);
  EXPECT_EQ(lint.exit_code, 0) << lint.out;
  for (const std::string& f : files) EXPECT_THAT(lint.out, HasSubstr(f + " validates\n"));

  const auto sums = Sha256Sums(files);
  std::set<std::string> id_flux;
  std::uint64_t total = 0;
  for (const ListedFile& listed : p.listed) {
    ASSERT_TRUE(sums.contains(listed.path)) << listed.path;
    const std::string xml = ReadFile(listed.path);
    EXPECT_EQ(CountPassages(xml), listed.passages) << listed.path;
    EXPECT_LE(listed.passages, 50u) << listed.path;
    EXPECT_EQ(ElementText(xml, "idFlux"), listed.id_flux) << listed.path;
    EXPECT_EQ(sums.at(listed.path), listed.sha256) << listed.path;
    id_flux.insert(listed.id_flux);
    total += listed.passages;
  }
  EXPECT_EQ(id_flux.size(), expected_files);
  EXPECT_EQ(total, p.valid);

  std::vector<std::string> malformed;
  const auto manifest = ReadManifest(p.state + "/archive/manifest.tsv", malformed);
  EXPECT_THAT(malformed, SizeIs(0));
  EXPECT_EQ(manifest.size(), expected_files);
}

// The CDC's official examples, or skip saying why.
#define ACCROCHD_REQUIRE_CDC_DIRECTORY(var)                                                   \
  std::string var;                                                                            \
  {                                                                                           \
    std::string why_;                                                                         \
    auto found_ = ::accrochd::testing::CdcDirectory(why_);                                    \
    if (!found_) GTEST_SKIP() << "SKIPPED for want of the CDC's official examples: " << why_; \
    var = *found_;                                                                            \
  }

TEST(ValidateSystemTest, OfficialExamplesAreValid) {
  ACCROCHD_REQUIRE_CDC_DIRECTORY(cdc);
  ACCROCHD_REQUIRE_OFFICIAL_XSD(xsd115, "1.1.5");
  ACCROCHD_REQUIRE_OFFICIAL_XSD(xsd112, "1.1.2");
  struct Example {
    std::string file, version, xsd;
  };
  const std::vector<Example> examples = {
      {"cdc-kit-2026-CREATION-xsd-1.1.5.xml", "1.1.5", xsd115},
      {"cdc-kit-2026-SUPPRESSION-xsd-1.1.5.xml", "1.1.5", xsd115},
      {"cdc-kit-v2.0.0-example-xsd-1.1.2.xml", "1.1.2", xsd112}};
  for (const Example& e : examples) {
    const std::string file = cdc + "/examples/" + e.file;
    // Warnings on the dictionary's rules are allowed: the examples break some of them. Without
    // options, accrochd's 1.1.5 schema, which accepts the 1.1.2 example as well.
    RunResult r = RunAccrochd({"validate", file});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_THAT(r.out, HasSubstr(file + ": valid against accrochd's schema 1.1.5 (3 passages"));

    r = RunAccrochd({"validate", "--schema-version", e.version, file});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_THAT(
        r.out, HasSubstr(file + ": valid against accrochd's schema " + e.version + " (3 passages"));
    EXPECT_THAT(r.out, Not(HasSubstr(": error: ")));

    r = RunAccrochd({"validate", "--schema", e.xsd, file});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_THAT(r.out, HasSubstr(file + ": valid against " + e.xsd + " (3 passages"));
  }
}

// The CREATION example spoilt one way; `line` is where the fault is.
struct Spoilt {
  std::string text;
  std::size_t line = 0;
};

Spoilt ReplaceFirst(const std::string& text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("not in the example: " + from);
  return {text.substr(0, at) + to + text.substr(at + from.size()),
          1 + static_cast<std::size_t>(
                  std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'))};
}

struct Mutation {
  std::string name;
  Spoilt (*spoil)(const std::string&);
  std::string element;      // the element libxml2 names
  std::string explanation;  // xsd_explain.cc's French line for this case
};

// 61 characters, one more than the CDC allows for nomNaissance.
const std::string kLongName = "Delacroix-Montgolfier-Beauregard-Vandermeersch-Lacoste-Dupuys";

const std::vector<Mutation>& Mutations() {
  static const std::vector<Mutation> mutations = {
      {"horodatage-in-utc-with-z",
       [](const std::string& t) {
         return ReplaceFirst(t, "<cpf:horodatage>2020-12-18T14:24:12+01:00<",
                             "<cpf:horodatage>2020-12-18T13:24:12Z<");
       },
       "horodatage",
       "horodatage : format attendu AAAA-MM-JJThh:mm:ss+hh:mm, une date et une heure qui "
       "existent ; le fuseau numérique est obligatoire (Z refusé), sans fraction de seconde, "
       "heures du fuseau sur deux chiffres"},
      {"empty-nillable-element",
       [](const std::string& t) {
         return ReplaceFirst(t, "<cpf:dateFinValidite>2030-12-13</cpf:dateFinValidite>",
                             "<cpf:dateFinValidite></cpf:dateFinValidite>");
       },
       "dateFinValidite",
       "dateFinValidite : élément vide : une donnée facultative s'omet, une donnée inconnue "
       "s'écrit xsi:nil=\"true\" (jamais vide, jamais « nill »)"},
      {"second-certificateur",
       [](const std::string& t) {
         const std::string close = "</cpf:certificateur>";
         const std::size_t open = t.find("<cpf:certificateur>");
         const std::size_t end = t.find(close);
         if (open == std::string::npos || end == std::string::npos) {
           throw std::runtime_error("no certificateur in the example");
         }
         const std::string block = t.substr(open, end + close.size() - open);
         // The copy follows the first one's closing tag, on its line.
         return ReplaceFirst(t, close, close + block);
       },
       "certificateur",
       "certificateur : élément inattendu à cet endroit : en double (un seul certificateur par "
       "fichier, chaque élément au plus une fois), mal placé, ou absent de cette version du "
       "schéma"},
      {"nom-naissance-of-61-characters",
       [](const std::string& t) {
         return ReplaceFirst(t, "<cpf:nomNaissance>nomNaissance<",
                             "<cpf:nomNaissance>" + kLongName + "<");
       },
       "nomNaissance", "nomNaissance : 61 caractères, 60 au plus"},
      {"date-that-does-not-exist",
       [](const std::string& t) {
         return ReplaceFirst(t, "<cpf:dateDebutValidite>2020-12-12<",
                             "<cpf:dateDebutValidite>2021-02-30<");
       },
       "dateDebutValidite",
       "dateDebutValidite : date impossible (ce jour n'existe pas) ou mal écrite (AAAA-MM-JJ)"},
  };
  return mutations;
}

TEST(ValidateSystemTest, SpoiltExamplesAreRefusedWithTheirFrenchExplanation) {
  ACCROCHD_REQUIRE_CDC_DIRECTORY(cdc);
  ACCROCHD_REQUIRE_OFFICIAL_XSD(xsd, "1.1.5");
  ASSERT_EQ(kLongName.size(), 61u);
  const std::string example = ReadFile(cdc + "/examples/cdc-kit-2026-CREATION-xsd-1.1.5.xml");
  const std::string dir = MakeTempDir("validate-spoilt");
  for (const Mutation& m : Mutations()) {
    SCOPED_TRACE(m.name);
    const Spoilt spoilt = m.spoil(example);
    const std::string file = dir + "/" + m.name + ".xml";
    WriteFile(file, spoilt.text);
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"validate", file},
          std::vector<std::string>{"validate", "--schema", xsd, file}}) {
      RunResult r = RunAccrochd(args);
      EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
      // The error, where it is, then its explanation on the next line.
      EXPECT_THAT(r.out, HasSubstr(file + ":" + std::to_string(spoilt.line) + ":"));
      EXPECT_THAT(
          r.out, HasSubstr(": error: Element '{urn:cdc:cpf:pc5:schema:1.0.0}" + m.element + "': "));
      EXPECT_THAT(r.out, HasSubstr("\n    " + m.explanation + "\n"));
      EXPECT_THAT(r.out, HasSubstr(file + ": 1 error; the CDC would refuse this file\n"));
      // Deposit files hold personal data: the value at fault is never repeated.
      EXPECT_THAT(r.out + r.err, Not(HasSubstr(kLongName)));
    }
  }
}

TEST(ValidateSystemTest, MissingFileExits2) {
  const std::string file = MakeTempDir("validate-missing") + "/absent.xml";
  RunResult r = RunAccrochd({"validate", file});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err,
              HasSubstr("accrochd validate: cannot read " + file + ": No such file or directory"));
}

// A source that fails part-way through a cycle (here the last mapping's query raises an error
// in SQLite itself) after files were already published for the mappings before it: `once` tells
// what was read and published, lists every file that reached the outbox, prints the quarantine
// once and exits 2; the state store agrees with the listing.
TEST(DepositSystemTest, OnceTellsTheTruthWhenAMappingFailsAfterFilesWerePublished) {
  const std::string dir = MakeTempDir("deposit-partial-failure");
  const std::string state = dir + "/state";
  // The RS mapping comes last (files are cut in certification order); its query fails on an
  // integer overflow evaluated row by row.
  std::string mapping =
      ReadFile(std::string(ACCROCHD_SOURCE_DIR) + "/demo/mappings/accueil-handicap.yaml");
  const std::string select = "SELECT r.id AS id_resultat,";
  const std::size_t at = mapping.find(select);
  ASSERT_NE(at, std::string::npos) << "the demo mapping's query changed";
  mapping.replace(
      at, select.size(),
      "SELECT abs(-9223372036854775807 - (r.id % 23 = 22)) AS boom, r.id AS id_resultat,");
  WriteFile(dir + "/accueil-handicap.yaml", mapping);
  std::string config = DemoConfigWith(state, "deposit:\n  max_passages_per_file: 7\n");
  const std::string demo_mapping = "/accueil-handicap.yaml";
  const std::size_t line_end = config.find(demo_mapping);
  ASSERT_NE(line_end, std::string::npos);
  const std::size_t line_start = config.rfind("- ", line_end);
  config.replace(line_start, line_end + demo_mapping.size() - line_start,
                 "- " + dir + "/accueil-handicap.yaml");
  WriteFile(dir + "/accrochd.yaml", config);

  const RunResult run = RunAccrochd({"once", "--config", dir + "/accrochd.yaml"});
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("mapping \"accueil-handicap\": "));
  EXPECT_THAT(run.out, HasSubstr("; reading failed after these rows\n"));
  EXPECT_THAT(run.out, HasSubstr("; reading stopped early (below).\n"));
  EXPECT_EQ(Occurrences(run.out, "Certifier \"institut-exemple\" could not be served: "), 1u)
      << run.out;
  EXPECT_THAT(run.out, HasSubstr("integer overflow"));
  EXPECT_THAT(run.out, Not(HasSubstr("no passage is ready")));

  // Every file in the outbox is listed, once, and recorded as published.
  std::vector<std::string> outbox;
  for (const auto& entry : fs::directory_iterator(state + "/outbox")) {
    outbox.push_back(entry.path().filename().string());
  }
  EXPECT_THAT(PartialFiles(state + "/outbox"), SizeIs(0));
  ASSERT_GE(outbox.size(), 2u) << run.out;
  const std::vector<ListedFile> listed = ListedFiles(run.out);
  EXPECT_EQ(listed.size(), outbox.size()) << run.out;
  const RunResult deposits = RunAccrochd({"deposits", "--config", dir + "/accrochd.yaml"});
  ASSERT_EQ(deposits.exit_code, 0) << deposits.err;
  for (const std::string& name : outbox) {
    EXPECT_EQ(Occurrences(run.out, "/outbox/" + name + "  "), 1u) << name;
    EXPECT_THAT(deposits.out, HasSubstr(name + "\tpublished\t")) << name;
  }

  // The quarantine is printed once, each reason once.
  EXPECT_EQ(Occurrences(run.out, "\nQuarantine ("), 1u) << run.out;
  const std::size_t quarantine = run.out.find("\nQuarantine (");
  ASSERT_NE(quarantine, std::string::npos);
  std::set<std::string> reasons;
  std::size_t line = run.out.find('\n', quarantine + 1);
  while (line != std::string::npos && run.out.compare(line + 1, 2, "  ") == 0) {
    const std::size_t next = run.out.find('\n', line + 1);
    const std::string text = run.out.substr(line + 1, next - line - 1);
    EXPECT_TRUE(reasons.insert(text).second) << "printed twice: " << text;
    line = next;
  }
  EXPECT_FALSE(reasons.empty());

  // The next run, with the source mended, deposits the rest once.
  WriteFile(dir + "/accueil-handicap.yaml",
            ReadFile(std::string(ACCROCHD_SOURCE_DIR) + "/demo/mappings/accueil-handicap.yaml"));
  const RunResult again = RunAccrochd({"once", "--config", dir + "/accrochd.yaml"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  for (const ListedFile& f : ListedFiles(again.out)) {
    EXPECT_EQ(std::find(outbox.begin(), outbox.end(), fs::path(f.path).filename().string()),
              outbox.end())
        << "published twice: " << f.path;
  }
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace accrochd::testing
