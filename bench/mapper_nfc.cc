// What the NFC step costs inside the mapping of a row, measured in one process so that the
// machine's noise does not hide it: bench/backfill's rows (8 columns, its mapping), N times,
// names composed and decomposed. Prints figures; asserts nothing (bench/README.md).
//
//   mapper_nfc [N]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "core/source_row.h"
#include "core/diagnostic.h"
#include "core/unicode/nfc.h"
#include "mappings/mapper.h"
#include "mappings/mapping.h"

namespace {

using accrochd::mappings::Mapper;
using accrochd::source::SourceRow;

// bench/backfill's mapping.
constexpr const char* kMapping = R"(certification: {type: RNCP, code: RNCP35830}
source: pg
query: SELECT id, civilite, nom, prenoms, naissance, insee, delivre, mention FROM big
key: id
id_technique: "B-{id}"
fields:
  dateDebutValidite: delivre
  dateFinValidite: nil
  obtentionCertification: {constant: PAR_ADMISSION}
  donneeCertifiee: {constant: true}
  presenceNiveauLangueEuro: {constant: false}
  presenceNiveauNumeriqueEuro: {constant: false}
  scoring: nil
  mentionValidee: {column: mention, map: {Passable: SANS_MENTION, Assez bien: MENTION_ASSEZ_BIEN, Bien: MENTION_BIEN, Très bien: MENTION_TRES_BIEN}}
  modaliteAcces: nil
  nomNaissance: nom
  nomUsage: nil
  prenom1: {column: prenoms, word: 1}
  prenom2: {column: prenoms, word: 2}
  anneeNaissance: {column: naissance, date: "%d/%m/%Y", part: year}
  moisNaissance: {column: naissance, date: "%d/%m/%Y", part: month}
  jourNaissance: {column: naissance, date: "%d/%m/%Y", part: day}
  sexe: {column: civilite, map: {M.: M, Mme: F}}
  codeInsee: insee
)";

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "mapper_nfc: %s\n", what.c_str());
  std::exit(1);
}

std::string Pad(unsigned value, std::size_t width) {
  std::string s = std::to_string(value);
  if (s.size() < width) s.insert(0, width - s.size(), '0');
  return s;
}

// Row g of bench/backfill's table, names decomposed when asked.
SourceRow MakeRow(unsigned g, bool decomposed) {
  static const std::vector<std::string> kNoms = {"Martin", "Bernard", "Dubois", "Lefèvre",
                                                 "Œillet", "Garcia",  "Müller", "N'Diaye"};
  static const std::vector<std::string> kPrenoms = {"Léa",  "Hugo",   "Chloé",
                                                    "Noël", "Éloïse", "Gaël"};
  static const std::vector<std::string> kSeconds = {"Marie", "Jean", "Anne"};
  static const std::vector<std::string> kMentions = {"Passable", "Assez bien", "Bien", "Très bien"};
  std::string nom = kNoms[g % 8] + "-" + std::to_string(g % 997);
  std::string prenoms = kPrenoms[g % 6] + " " + kSeconds[g % 3];
  if (decomposed) {
    // The decomposed forms of the accented letters used above.
    for (auto [from, to] : std::vector<std::pair<std::string, std::string>>{{"è", "e\u0300"},
                                                                            {"é", "e\u0301"},
                                                                            {"ë", "e\u0308"},
                                                                            {"É", "E\u0301"},
                                                                            {"ï", "i\u0308"},
                                                                            {"ü", "u\u0308"}}) {
      for (std::string* s : {&nom, &prenoms}) {
        for (std::size_t at; (at = s->find(from)) != std::string::npos;)
          s->replace(at, from.size(), to);
      }
    }
  }
  const unsigned days = g * 7 % 15000;  // after 1960-01-01; the exact date does not matter here
  const std::string naissance = Pad(1 + days % 28, 2) + "/" + Pad(1 + days / 28 % 12, 2) + "/" +
                                std::to_string(1960 + days / 365);
  return SourceRow{{std::to_string(g), g % 2 == 0 ? "M." : "Mme", nom, prenoms, naissance,
                    Pad((g * 13) % 95 + 1, 2) + Pad(g % 900 + 100, 3), "2026-11-01",
                    kMentions[g % 4]}};
}

double NanosecondsPerRow(std::size_t rows, const std::function<void()>& pass) {
  double best = 1e300;
  for (int round = 0; round < 5; ++round) {  // the best of 5: the least disturbed
    const auto start = std::chrono::steady_clock::now();
    pass();
    best = std::min(
        best,
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count());
  }
  return best / static_cast<double>(rows);
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200'000;
  accrochd::Diagnostics diagnostics;
  auto mapping = accrochd::mappings::LoadMappingText(
      kMapping, "bench", accrochd::mappings::SchemaVersion::k115, diagnostics);
  if (!mapping || !diagnostics.empty()) Die(accrochd::FormatDiagnostics(diagnostics));
  auto mapper = Mapper::Bind(
      *mapping, accrochd::source::Columns({"id", "civilite", "nom", "prenoms", "naissance", "insee",
                                           "delivre", "mention"}));
  if (!mapper) Die(mapper.error().message());

  for (bool decomposed : {false, true}) {
    std::vector<SourceRow> rows;
    rows.reserve(n);
    for (unsigned g = 1; g <= n; ++g) rows.push_back(MakeRow(g, decomposed));
    std::size_t sink = 0;
    const double map = NanosecondsPerRow(n, [&] {
      for (std::size_t i = 0; i < n; ++i) sink += mapper->Map(rows[i], i + 1).rejections.size();
    });
    const double scan = NanosecondsPerRow(n, [&] {
      for (const SourceRow& row : rows) {
        for (const auto& v : row.values) sink += v && accrochd::NfcByBytes(*v) ? 1u : 0u;
      }
    });
    const double compose = NanosecondsPerRow(n, [&] {
      for (const SourceRow& row : rows) {
        for (const auto& v : row.values) {
          if (v && !accrochd::NfcByBytes(*v)) sink += accrochd::ToNfc(*v).size();
        }
      }
    });
    std::printf("names %s, %zu rows (the best of 5 passes):\n",
                decomposed ? "decomposed" : "composed", n);
    std::printf("  Mapper::Map, NFC step included:  %8.0f ns/row\n", map);
    std::printf("  the byte test alone, every value: %8.0f ns/row\n", scan);
    std::printf("  utf8proc on the values it flags:  %8.0f ns/row\n", compose);
    if (sink == 0) std::printf("(nothing)\n");
  }
  return 0;
}
