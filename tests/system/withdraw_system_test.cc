// Withdrawals (issue 11, item 1) through the real binary on the demo (SQLite through its ODBC
// driver), files checked against the CDC's official 1.1.5 XSD with xmllint: accepted passages
// withdrawn with `passages withdraw`, their SUPPRESSION file holding what the official example
// holds (the certification, the idTechnique, the identificationTitulaire the CDC accepted); a
// receipt accepts one withdrawal (withdrawn) and refuses the other (still accepted, the CDC's
// message in history, an urgent alert at a real webhook receiver); a SUPPRESSION file refused
// whole goes out again; the refusals of the command (schema 1.1.2, a missing archive, a passage
// not accepted).
#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/alert_servers.h"
#include "tests/support/cdc_files.h"
#include "tests/support/run_binary.h"
#include "tests/system/deposit_checks.h"
#include "tests/system/deposit_ledger.h"

namespace accrochd::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

struct Ko {
  std::string id, message;
};

std::string Receipt(const std::string& file, const std::vector<std::string>& ok,
                    const std::vector<Ko>& ko) {
  const std::string xml = ReadFile(file);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rapport>\n  <nomFichier>" +
                    fs::path(file).filename().string() + "</nomFichier>\n  <idFlux>" +
                    ElementText(xml, "idFlux") +
                    "</idFlux>\n  <idTraitement>7001</idTraitement>\n  <PassagesKO>\n";
  for (const Ko& k : ko) {
    out += "    <passage><idTechnique>" + k.id + "</idTechnique><messageErreur>" + k.message +
           "</messageErreur></passage>\n";
  }
  out += "  </PassagesKO>\n  <PassagesOK>\n";
  for (const std::string& id : ok) out += "    <idTechnique>" + id + "</idTechnique>\n";
  return out + "  </PassagesOK>\n</rapport>\n";
}

std::string FileRejected(const std::string& file) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rapport>\n  <nomFichier>" +
         fs::path(file).filename().string() +
         "</nomFichier>\n  <idTraitement>7002</idTraitement>\n  <erreurs>\n    <erreur>\n"
         "      <type>XSD</type>\n      <message>cvc-complex-type.2.4.a : contenu non "
         "valide</message>\n      <ligne>12</ligne>\n      <colonne>7</colonne>\n"
         "    </erreur>\n  </erreurs>\n</rapport>\n";
}

// The one-line XML of passage `id` in a deposit file (files hold one passage per line).
std::string PassageLine(const std::string& xml, const std::string& id) {
  const std::string needle = "<cpf:idTechnique>" + id + "</cpf:idTechnique>";
  const std::size_t at = xml.find(needle);
  if (at == std::string::npos) return "";
  const std::size_t start = xml.find_first_not_of(' ', xml.rfind('\n', at) + 1);
  return xml.substr(start, xml.find('\n', at) - start);
}

std::string Between(const std::string& text, const std::string& open, const std::string& close) {
  const std::size_t a = text.find(open);
  if (a == std::string::npos) return "";
  const std::size_t b = text.find(close, a);
  return b == std::string::npos ? "" : text.substr(a, b + close.size() - a);
}

class WithdrawSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir(std::string("withdraw.") +
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    state_ = dir_ + "/state";
    database_ = dir_ + "/demo.db";
    fs::copy_file(std::string(ACCROCHD_BINARY_DIR) + "/demo/demo.db", database_);
  }

  void Configure(const std::string& top_level) {
    config_ = dir_ + "/accrochd.yaml";
    WriteFile(config_, DemoConfigWith(state_, top_level, database_));
  }

  std::vector<ListedFile> Once(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"once", "--config", config_};
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult r = RunAccrochd(args);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    out_ = r.out;
    log_ = r.err;
    return ListedFiles(r.out);
  }

  RunResult Passages(const std::vector<std::string>& args) {
    std::vector<std::string> all = {"passages", "--config", config_};
    all.insert(all.end(), args.begin(), args.end());
    return RunAccrochd(all);
  }

  std::string History(const std::string& id) {
    RunResult r = RunAccrochd({"history", "--config", config_, id});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  void Import(const std::string& name, const std::string& xml) {
    const std::string path = dir_ + "/" + name;
    WriteFile(path, xml);
    RunResult r = RunAccrochd({"receipts", "import", "--config", config_, path});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    receipt_out_ = r.out;
  }

  // The first file accepted whole by a receipt; its idTechniques.
  std::vector<std::string> DepositAndAccept(std::string& file) {
    std::vector<ListedFile> first = Once();
    EXPECT_EQ(first.size(), 1u) << out_;
    if (first.empty()) return {};
    file = first[0].path;
    std::vector<std::string> ids = IdTechniquesOf(ReadFile(file));
    Import("AT-creation.xml", Receipt(file, ids, {}));
    return ids;
  }

  std::string dir_, state_, database_, config_, out_, log_, receipt_out_;
};

TEST_F(WithdrawSystemTest, WithdrawnWhenTheCdcAcceptsStillAcceptedAndAlertedWhenItRefuses) {
  ACCROCHD_REQUIRE_OFFICIAL_XSD(xsd, "1.1.5");
  if (!HaveXmllint()) FAIL() << kNoXmllint;
  fs::create_directories(dir_ + "/hooks");
  ServerProcess hooks({ACCROCHD_PYTHON3, ACCROCHD_HTTP_RECEIVER, "--dir", dir_ + "/hooks"},
                      dir_ + "/hooks.log");
  Configure("deposit: {schema: " + xsd +
            "}\nalerts:\n  daily_summary: \"off\"\n  webhooks:\n    equipe:\n      url: "
            "\"http://127.0.0.1:" +
            std::to_string(hooks.port()) + "/hook\"\n");
  WriteFile(config_, ReadFile(config_) + "    alerts:\n      - {webhook: equipe}\n");
  std::string creation;
  const std::vector<std::string> ids = DepositAndAccept(creation);
  ASSERT_GE(ids.size(), 3u);
  const std::string kept = ids[0], withdrawn = ids[1], refused = ids[2];
  const std::string creation_xml = ReadFile(creation);

  RunResult asked = Passages({"withdraw", withdrawn, refused, "--reason", "doublon de saisie"});
  ASSERT_EQ(asked.exit_code, 0) << asked.err;
  EXPECT_THAT(asked.out, HasSubstr("2 passage(s) queued for withdrawal"));
  EXPECT_THAT(History(withdrawn),
              HasSubstr("retrait demandé par un opérateur — doublon de saisie"));

  // The next cycle writes one SUPPRESSION file, and no CREATION file.
  std::vector<ListedFile> files = Once();
  ASSERT_EQ(files.size(), 1u) << out_ << log_;
  const std::string suppression = files[0].path;
  const std::string xml = ReadFile(suppression);
  EXPECT_EQ(Xmllint(xsd, {suppression}).exit_code, 0) << Xmllint(xsd, {suppression}).out;
  EXPECT_EQ(ElementText(xml, "action"), "SUPPRESSION");
  EXPECT_THAT(IdTechniquesOf(xml), ElementsAre(withdrawn, refused));
  EXPECT_EQ(Mode(suppression) & 0777, 0600);
  // What the official SUPPRESSION example holds: the idTechnique and the identificationTitulaire
  // the CDC accepted, under the certification it was filed under; nothing of the result.
  for (const std::string& id : {withdrawn, refused}) {
    const std::string line = PassageLine(xml, id);
    const std::string identification =
        Between(PassageLine(creation_xml, id), "<cpf:identificationTitulaire>",
                "</cpf:identificationTitulaire>");
    ASSERT_FALSE(identification.empty()) << id;
    EXPECT_EQ(line, "<cpf:passageCertification><cpf:idTechnique>" + id + "</cpf:idTechnique>" +
                        identification + "</cpf:passageCertification>");
  }
  EXPECT_THAT(xml, Not(HasSubstr("dateDebutValidite")));
  EXPECT_EQ(ElementText(xml, "code"), ElementText(creation_xml, "code"));
  // Its name and the names in it never reach the output or the log.
  const std::string name = ElementText(PassageLine(creation_xml, withdrawn), "nomNaissance");
  ASSERT_FALSE(name.empty());
  EXPECT_THAT(out_ + log_, Not(HasSubstr(">" + name + "<")));
  EXPECT_THAT(History(withdrawn), HasSubstr("écrit dans un fichier de suppression — " +
                                            fs::path(suppression).filename().string()));
  // Archived like any deposit file.
  EXPECT_THAT(ReadFile(state_ + "/archive/manifest.tsv"),
              HasSubstr(fs::path(suppression).filename().string()));
  EXPECT_TRUE(Once().empty()) << "nothing queued any more";

  Import("AT-suppression.xml",
         Receipt(suppression, {withdrawn}, {{refused, "Suppression impossible pour ce passage"}}));
  EXPECT_THAT(receipt_out_,
              HasSubstr("SUPPRESSION file " + fs::path(suppression).filename().string() +
                        ": 1 withdrawn, 1 withdrawal(s) refused"));
  EXPECT_THAT(History(withdrawn), HasSubstr("statut : retiré"));
  EXPECT_THAT(History(withdrawn), HasSubstr("suppression acceptée par la CDC : retiré"));
  const std::string history = History(refused);
  EXPECT_THAT(history, HasSubstr("statut : accepté"));
  EXPECT_THAT(history, HasSubstr("retrait refusé par la CDC : Suppression impossible pour ce "
                                 "passage"));
  EXPECT_THAT(History(kept), Not(HasSubstr("retrait")));
  RunResult status = RunAccrochd({"status", "--config", config_});
  EXPECT_THAT(status.out, HasSubstr("0 demandé(s), 0 dans un fichier à déposer, 0 déposé(s) en "
                                    "attente d'accusé de traitement, 1 retiré(s)"));
  RunResult json = RunAccrochd({"status", "--json", "--config", config_});
  EXPECT_THAT(json.out, HasSubstr("\"withdrawn\": 1"));

  // The refusal is alerted, urgent, once.
  Once({"--alerts"});
  std::vector<fs::path> requests = RecordedEntries(dir_ + "/hooks", "request-");
  std::string payload;
  for (const fs::path& r : requests) {
    const std::string body = ReadFile((r / "body").string());
    if (body.find("withdrawal_refused") != std::string::npos) payload = body;
  }
  ASSERT_FALSE(payload.empty()) << requests.size() << " request(s)";
  EXPECT_EQ(RunProgram({ACCROCHD_PYTHON3, "-c",
                        "import json, sys\n"
                        "d = json.load(open(sys.argv[1], encoding='utf-8'))\n"
                        "assert d['kind'] == 'withdrawal_refused' and d['urgent'] is True, d\n"
                        "w = d['withdrawal_refused']\n"
                        "assert [p['id_technique'] for p in w] == [sys.argv[2]], w\n"
                        "assert w[0]['message'] == 'Suppression impossible pour ce passage', w\n",
                        (requests.back() / "body").string(), refused},
                       dir_ + "/json.log"),
            0)
      << ReadFile(dir_ + "/json.log") << payload;
  EXPECT_THAT(payload, Not(HasSubstr(name)));
  const std::size_t sent = RecordedEntries(dir_ + "/hooks", "request-").size();
  Once({"--alerts"});
  EXPECT_EQ(RecordedEntries(dir_ + "/hooks", "request-").size(), sent) << "alerted once";

  // Asked again, the refused one goes out again; the withdrawn one cannot be.
  RunResult again = Passages({"withdraw", refused, withdrawn});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr(withdrawn + ": withdrawn already"));
  std::vector<ListedFile> second = Once();
  ASSERT_EQ(second.size(), 1u);
  EXPECT_THAT(IdTechniquesOf(ReadFile(second[0].path)), ElementsAre(refused));
}

TEST_F(WithdrawSystemTest, ASuppressionFileRefusedWholeGoesOutAgain) {
  ACCROCHD_REQUIRE_OFFICIAL_XSD(xsd, "1.1.5");
  if (!HaveXmllint()) FAIL() << kNoXmllint;
  Configure("deposit: {schema: " + xsd + "}\n");
  std::string creation;
  const std::vector<std::string> ids = DepositAndAccept(creation);
  ASSERT_GE(ids.size(), 1u);
  ASSERT_EQ(Passages({"withdraw", ids[0]}).exit_code, 0);
  std::vector<ListedFile> first = Once();
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(
      RunAccrochd({"deposits", "mark-uploaded", "--config", config_, first[0].path}).exit_code, 0);
  EXPECT_THAT(History(ids[0]), HasSubstr("fichier de suppression déposé sur le portail"));
  Import("AT-rejected.xml", FileRejected(first[0].path));
  EXPECT_THAT(History(ids[0]),
              HasSubstr("fichier de suppression rejeté en entier par la CDC : la suppression sera "
                        "déposée à nouveau"));
  std::vector<ListedFile> second = Once();
  ASSERT_EQ(second.size(), 1u) << out_ << log_;
  EXPECT_NE(second[0].path, first[0].path);
  EXPECT_EQ(ElementText(ReadFile(second[0].path), "action"), "SUPPRESSION");
  EXPECT_THAT(IdTechniquesOf(ReadFile(second[0].path)), ElementsAre(ids[0]));
  EXPECT_EQ(Xmllint(xsd, {second[0].path}).exit_code, 0);
}

// `deposits list` says what each file does at the CDC: the CREATION file that deposited the
// passages, the SUPPRESSION file that withdraws one of them.
TEST_F(WithdrawSystemTest, DepositsListShowsEachFilesAction) {
  Configure("");
  std::string creation;
  const std::vector<std::string> ids = DepositAndAccept(creation);
  ASSERT_GE(ids.size(), 1u);
  ASSERT_EQ(Passages({"withdraw", ids[0]}).exit_code, 0);
  std::vector<ListedFile> files = Once();
  ASSERT_EQ(files.size(), 1u) << out_ << log_;
  const std::string suppression = fs::path(files[0].path).filename().string();
  RunResult list = RunAccrochd({"deposits", "list", "--config", config_});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  // Each file's line, its columns by the header's names.
  std::vector<std::vector<std::string>> lines;
  std::size_t start = 0;
  while (start < list.out.size()) {
    const std::size_t end = list.out.find('\n', start);
    std::vector<std::string> columns;
    std::size_t from = start;
    for (;;) {
      const std::size_t tab = list.out.find('\t', from);
      if (tab == std::string::npos || tab > end) {
        columns.push_back(list.out.substr(from, end - from));
        break;
      }
      columns.push_back(list.out.substr(from, tab - from));
      from = tab + 1;
    }
    lines.push_back(columns);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  ASSERT_EQ(lines.size(), 3u) << list.out;
  ASSERT_GE(lines[0].size(), 3u);
  EXPECT_EQ(lines[0][0], "file");
  EXPECT_EQ(lines[0][2], "action");
  std::map<std::string, std::string> action;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    ASSERT_EQ(lines[i].size(), lines[0].size()) << list.out;
    action[lines[i][0]] = lines[i][2];
  }
  EXPECT_EQ(action[fs::path(creation).filename().string()], "CREATION") << list.out;
  EXPECT_EQ(action[suppression], "SUPPRESSION") << list.out;
}

TEST_F(WithdrawSystemTest, TheCommandRefusesWhatCannotBeWithdrawn) {
  Configure("");
  std::string creation;
  const std::vector<std::string> ids = DepositAndAccept(creation);
  ASSERT_GE(ids.size(), 2u);
  // Not accepted (quarantined): nothing at the CDC to withdraw.
  RunResult quarantined = Passages({"withdraw", "IEF-1042"});
  EXPECT_EQ(quarantined.exit_code, 1);
  EXPECT_THAT(quarantined.err, HasSubstr("IEF-1042: quarantined, not accepted: the CDC does not "
                                         "hold it, there is nothing to withdraw"));
  RunResult unknown = Passages({"withdraw", "INCONNU-1"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("INCONNU-1: no such passage"));
  // The archived copy missing: refused, the file and what to do named.
  const std::string name = fs::path(creation).filename().string();
  const std::string archived =
      state_ + "/archive/" + name.substr(9, 4) + "/" + name.substr(13, 2) + "/" + name + ".zst";
  ASSERT_TRUE(fs::exists(archived));
  fs::rename(archived, archived + ".aside");
  RunResult missing = Passages({"withdraw", ids[0]});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr(ids[0] + ": the archived copy of its deposit file, " +
                                     archived + ", is missing"));
  EXPECT_THAT(missing.err, HasSubstr("put that file back"));
  fs::rename(archived + ".aside", archived);
  EXPECT_EQ(Passages({"withdraw", ids[0]}).exit_code, 0);
  // --reason only goes with withdraw.
  RunResult reason = Passages({"retry", ids[1], "--reason", "x"});
  EXPECT_EQ(reason.exit_code, 1);

  // Under schema 1.1.2, no SUPPRESSION: refused, saying why.
  WriteFile(config_, "schema_version: \"1.1.2\"\n" + ReadFile(config_));
  RunResult old = Passages({"withdraw", ids[1]});
  EXPECT_EQ(old.exit_code, 1);
  EXPECT_THAT(old.err, HasSubstr("only schema 1.1.5 has"));
  RunResult correct = Passages({"correct", ids[1]});
  EXPECT_EQ(correct.exit_code, 1);
  EXPECT_THAT(correct.err, HasSubstr("only schema 1.1.5 has"));
}

// The archived copy is what a SUPPRESSION is read from: a zstd copy cut short says so and keeps
// the withdrawal queued; the gzip copy an earlier version archived is read as it is.
TEST_F(WithdrawSystemTest, ReadsTheArchivedCopyOfEitherKindAndSaysWhenItIsDamaged) {
  ACCROCHD_REQUIRE_OFFICIAL_XSD(xsd, "1.1.5");
  Configure("deposit: {schema: " + xsd + "}\n");
  std::string creation;
  const std::vector<std::string> ids = DepositAndAccept(creation);
  ASSERT_GE(ids.size(), 1u);
  const std::string name = fs::path(creation).filename().string();
  const std::string month = state_ + "/archive/" + name.substr(9, 4) + "/" + name.substr(13, 2);
  const std::string zst = month + "/" + name + ".zst";
  const std::string gz = month + "/" + name + ".gz";
  ASSERT_TRUE(fs::exists(zst));
  ASSERT_EQ(RunAccrochd({"passages", "--config", config_, "withdraw", ids[0]}).exit_code, 0);

  // Cut short: the cycle names the copy and what is wrong, writes no file, keeps the passage.
  const std::string whole = ReadFile(zst);
  WriteFile(zst + ".whole", whole);
  WriteFile(zst, whole.substr(0, whole.size() / 2));
  EXPECT_TRUE(Once().empty()) << out_;
  EXPECT_THAT(log_, HasSubstr(zst + " is cut short (a truncated zstd file)"));
  EXPECT_THAT(log_, HasSubstr("1 passage(s) queued for withdrawal stay queued"));
  // Not zstd at all (a file copied over it): the same, with zstd's own word for it.
  WriteFile(zst, "<cpf:flux>not compressed</cpf:flux>");
  EXPECT_TRUE(Once().empty()) << out_;
  EXPECT_THAT(log_, HasSubstr(zst + " is not a valid zstd file ("));
  EXPECT_THAT(log_, HasSubstr("1 passage(s) queued for withdrawal stay queued"));

  // The same file as an earlier version archived it (gzip), and no zstd copy: read as it is.
  ASSERT_EQ(RunProgram({"/bin/sh", "-c", "zstd -dcq \"$0\" | gzip -6 > \"$1\"", zst + ".whole", gz},
                       dir_ + "/gzip.log"),
            0)
      << ReadFile(dir_ + "/gzip.log");
  fs::remove(zst);
  std::vector<ListedFile> files = Once();
  ASSERT_EQ(files.size(), 1u) << out_ << log_;
  const std::string xml = ReadFile(files[0].path);
  EXPECT_EQ(ElementText(xml, "action"), "SUPPRESSION");
  const std::string identification =
      Between(PassageLine(ReadFile(creation), ids[0]), "<cpf:identificationTitulaire>",
              "</cpf:identificationTitulaire>");
  ASSERT_FALSE(identification.empty());
  EXPECT_EQ(PassageLine(xml, ids[0]), "<cpf:passageCertification><cpf:idTechnique>" + ids[0] +
                                          "</cpf:idTechnique>" + identification +
                                          "</cpf:passageCertification>");
}

}  // namespace
}  // namespace accrochd::testing
