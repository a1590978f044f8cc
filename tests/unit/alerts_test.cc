// Alerts: what is announced, to whom, once; the daily summary; the queue's retries. A real state
// store and the built-in templates; the sender records what it is given and answers what the
// test says (the channels themselves are tested against real servers in
// tests/integration/alert_channel_test.cc).

#include "daemon/alerts.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "connectors/store/state_store.h"
#include "daemon/config.h"
#include "tests/support/capture_logger.h"
#include "tests/support/fake_clock.h"
#include "tests/support/real_files.h"
#include "tests/support/run_binary.h"

namespace accrochd::daemon {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono;
using Kind = alert::DeliveryOutcome::Kind;
using testing::Occurrences;

constexpr const char* kBcr = "DEMO0001";

Date D(int y, unsigned m, unsigned d) { return Date{year(y), month(m), day(d)}; }

// 06:00 UTC, 07:00 in Paris: before the daily summary (08:00).
const TimePoint kStart = sys_days(D(2026, 3, 2)) + hours(6);

class AlertsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = testing::MakeTempDir(std::string("alerts_test/") + info->name());
    fs::create_directories(dir_ + "/state");
    config_ = Load();
    OpenStore();
  }

  Config Load(const std::string& extra = "") {
    const std::string demo = std::string(ACCROCHD_SOURCE_DIR) + "/demo/mappings/";
    const fs::path path = fs::path(dir_) / "accrochd.yaml";
    std::ofstream(path)
        << "state_directory: state\n"
        << "alerts:\n  email: {server: \"smtp://127.0.0.1:1\", from: "
           "accrochd@exemple.fr}\n  webhooks:\n    equipe: {url: "
           "\"http://127.0.0.1:1/hook\"}\n"
        << extra
        << "sources:\n  ecole:\n    connection: \"Driver=SQLite3;Database=/x.db;\"\n"
           "certifiers:\n  institut-exemple:\n    id_client: \""
        << kBcr << "\"\n    id_contrat: \"MCFCER009999\"\n    mappings:\n      - " << demo
        << "accueil-handicap.yaml\n    alerts:\n"
           "      - {email: scolarite@exemple.fr}\n"
           "      - {email: direction@exemple.fr, severity: urgent}\n"
           "      - {webhook: equipe, severity: urgent}\n";
    auto config = LoadConfig(path.string(), Environment{});
    EXPECT_TRUE(config.has_value()) << FormatDiagnostics(config.error());
    return config.has_value() ? std::move(*config) : Config{};
  }

  void OpenStore() {
    store_.reset();
    auto opened =
        store::StateStore::Open(dir_ + "/state", clock_, ::accrochd::testing::RealFiles());
    ASSERT_TRUE(opened.has_value()) << opened.error().message();
    store_ = std::move(*opened);
  }

  void See(const std::string& id, Date delivery, bool quarantined = false) {
    store::Observation o;
    o.certifier = kBcr;
    o.id_technique = id;
    o.mapping = "accueil-handicap";
    o.certification_type = "RS";
    o.certification_code = "RS6521";
    o.delivery = delivery;
    o.content_hash = "h-" + id;
    o.quarantined = quarantined;
    if (quarantined) o.reasons.push_back({"sexe", "required", "sexe : champ obligatoire"});
    ASSERT_TRUE(store_->passages().Observe({o}).has_value());
  }

  // One cycle's alerts: plan, then deliver. Returns what was sent, in order.
  std::vector<store::QueuedAlert> Cycle(const std::map<std::string, std::string>& failing = {}) {
    sent_.clear();
    Alerter alerter(config_, *store_, logger_, clock_,
                    [this](const Config&, const store::QueuedAlert& q) {
                      sent_.push_back(q);
                      return alert::DeliveryOutcome{
                          answer_, answer_ == Kind::kDelivered ? "250 OK" : "451 try later"};
                    });
    auto planned = alerter.Plan(failing);
    EXPECT_TRUE(planned.has_value()) << planned.error().message();
    auto delivered = alerter.Deliver();
    EXPECT_TRUE(delivered.has_value()) << delivered.error().message();
    return sent_;
  }

  std::string dir_;
  testing::FakeClock clock_{kStart};
  Config config_;
  std::unique_ptr<store::StateStore> store_;
  testing::CaptureLogger logger_;
  std::vector<store::QueuedAlert> sent_;
  Kind answer_ = Kind::kDelivered;
};

TEST_F(AlertsTest, ADigestAnnouncesWhatIsNewOnceToEachRecipientBySeverity) {
  See("OVERDUE", D(2025, 11, 20));     // deadline 20/02: overdue
  See("WEEK", D(2025, 12, 5));         // 05/03: 3 days left, band 7
  See("MONTH", D(2026, 1, 20));        // 20/04: 49 days: beyond every threshold
  See("QUAR", D(2025, 12, 25), true);  // 25/03: 23 days, band 30; quarantined
  std::vector<store::QueuedAlert> sent = Cycle();
  ASSERT_EQ(sent.size(), 2u);  // one e-mail, one webhook
  const store::QueuedAlert& email = sent[0];
  EXPECT_EQ(email.channel, "email");
  EXPECT_EQ(email.kind, "digest");
  EXPECT_EQ(email.severity, "urgent");
  EXPECT_EQ(email.recipients, "scolarite@exemple.fr,direction@exemple.fr");
  EXPECT_THAT(email.subject, HasSubstr("institut-exemple — URGENT — nouvelles alertes"));
  EXPECT_THAT(email.text, HasSubstr("ÉCHÉANCE DÉPASSÉE — 1 passage(s)"));
  EXPECT_THAT(email.text, HasSubstr("  OVERDUE  RS RS6521  en attente de dépôt  échéance "
                                    "20/02/2026, dépassée de 10 jour(s)"));
  EXPECT_THAT(email.text, HasSubstr("Échéance dans 7 jour(s) ou moins — 1 passage(s) :\n"
                                    "  WEEK  RS RS6521  en attente de dépôt  échéance 05/03/2026, "
                                    "dans 3 jour(s)"));
  EXPECT_THAT(email.text, HasSubstr("Échéance dans 30 jour(s) ou moins — 1 passage(s)"));
  EXPECT_THAT(email.text, HasSubstr("En quarantaine"));
  EXPECT_THAT(email.text, HasSubstr("  QUAR  RS RS6521  échéance 25/03/2026, dans 23 jour(s)\n"
                                    "    sexe : champ obligatoire"));
  EXPECT_THAT(email.text, Not(HasSubstr("MONTH")));
  EXPECT_THAT(email.html, HasSubstr("<td>OVERDUE</td>"));
  EXPECT_EQ(sent[1].channel, "webhook:equipe");
  EXPECT_THAT(sent[1].payload, HasSubstr("\"id_technique\": \"OVERDUE\""));
  EXPECT_THAT(sent[1].payload, HasSubstr("\"kind\": \"digest\""));

  // The next cycle, nothing new: nothing sent.
  clock_.Advance(minutes(15));
  EXPECT_TRUE(Cycle().empty());
  // A restart changes nothing: the marks are in the store.
  OpenStore();
  EXPECT_TRUE(Cycle().empty());
}

// Only the parts a certifier's channels read are rendered: each channel alone still gets its
// whole message -- the Slack payload is made from the text, which no e-mail asked for here.
TEST_F(AlertsTest, EachChannelAloneGetsItsWholeMessage) {
  See("OVERDUE", D(2025, 11, 20));
  config_.alerts.webhooks.at("equipe").format = WebhookConfig::Format::kSlack;
  std::erase_if(config_.certifiers[0].alerts,
                [](const AlertRecipient& r) { return r.kind == AlertRecipient::Kind::kEmail; });
  std::vector<store::QueuedAlert> sent = Cycle();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].channel, "webhook:equipe");
  EXPECT_THAT(sent[0].payload, HasSubstr("{\"text\": \"*[accrochd] institut-exemple — URGENT"));
  EXPECT_THAT(sent[0].payload, HasSubstr("ÉCHÉANCE DÉPASSÉE — 1 passage(s)"));
  EXPECT_THAT(sent[0].payload, HasSubstr("  OVERDUE  RS RS6521  en attente de dépôt"));
  EXPECT_TRUE(sent[0].text.empty());

  See("LATE", D(2025, 11, 21));  // the next cycle: an e-mail alone
  config_ = Load();
  std::erase_if(config_.certifiers[0].alerts,
                [](const AlertRecipient& r) { return r.kind == AlertRecipient::Kind::kWebhook; });
  clock_.Advance(minutes(15));
  sent = Cycle();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].channel, "email");
  EXPECT_THAT(sent[0].text, HasSubstr("  LATE  RS RS6521  en attente de dépôt"));
  EXPECT_THAT(sent[0].html, HasSubstr("<td>LATE</td>"));
  EXPECT_TRUE(sent[0].payload.empty());
}

TEST_F(AlertsTest, OverdueIsRepeatedDailyAndEachThresholdOnce) {
  config_ = Load("  daily_summary: \"off\"\n");
  See("OVERDUE", D(2025, 11, 20));
  See("MONTH", D(2026, 1, 4));  // deadline 04/04: 33 days, beyond 30
  ASSERT_EQ(Cycle().size(), 2u);
  clock_.Advance(hours(24));  // 3 March: OVERDUE again; MONTH at 32 days
  std::vector<store::QueuedAlert> sent = Cycle();
  ASSERT_FALSE(sent.empty());
  EXPECT_THAT(sent[0].text, HasSubstr("OVERDUE"));
  EXPECT_THAT(sent[0].text, Not(HasSubstr("MONTH")));
  clock_.Advance(hours(24) * 3);  // 6 March: MONTH at 29 days crosses 30
  sent = Cycle();
  ASSERT_FALSE(sent.empty());
  EXPECT_THAT(sent[0].text, HasSubstr("Échéance dans 30 jour(s) ou moins — 1 passage(s) :\n"
                                      "  MONTH"));
  clock_.Advance(minutes(15));
  EXPECT_TRUE(Cycle().empty());
}

TEST_F(AlertsTest, ANonUrgentDigestGoesOnlyToInfoRecipients) {
  See("MONTH", D(2026, 1, 1));  // deadline 01/04: 30 days, band 30 (urgent is 14)
  std::vector<store::QueuedAlert> sent = Cycle();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].channel, "email");
  EXPECT_EQ(sent[0].severity, "info");
  EXPECT_EQ(sent[0].recipients, "scolarite@exemple.fr");
  EXPECT_THAT(sent[0].subject, Not(HasSubstr("URGENT")));
}

TEST_F(AlertsTest, TheDailySummarySaysEverythingOnceADayAtItsHour) {
  See("MONTH", D(2026, 1, 1));
  ASSERT_EQ(Cycle().size(), 1u);  // 07:00: the digest
  clock_.Advance(minutes(45));    // 07:45: nothing new, not yet 08:00
  EXPECT_TRUE(Cycle().empty());
  clock_.Advance(minutes(15));  // 08:00 in Paris
  std::vector<store::QueuedAlert> sent = Cycle();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].kind, "daily");
  EXPECT_THAT(sent[0].subject, HasSubstr("résumé du jour"));
  EXPECT_THAT(sent[0].text, HasSubstr("MONTH"));  // already announced, summarised again
  clock_.Advance(hours(3));
  EXPECT_TRUE(Cycle().empty());
}

TEST_F(AlertsTest, RetryLaterIsSentAgainWithBackoffThenGivenUp) {
  config_ = Load(
      "  retry: {initial_delay: 1min, max_delay: 1h, give_up_after: 3min}\n"
      "  daily_summary: \"off\"\n");
  See("MONTH", D(2026, 1, 1));
  answer_ = Kind::kRetryLater;
  ASSERT_EQ(Cycle().size(), 1u);  // attempt 1: retry in 1 min
  clock_.Advance(seconds(30));
  EXPECT_TRUE(Cycle().empty());  // not yet due
  clock_.Advance(seconds(30));
  ASSERT_EQ(Cycle().size(), 1u);  // attempt 2: retry in 2 min
  OpenStore();                    // a restart keeps the queue
  clock_.Advance(minutes(2));
  ASSERT_EQ(Cycle().size(), 1u);  // attempt 3, 3 min after queueing: given up
  clock_.Advance(hours(1));
  EXPECT_TRUE(Cycle().empty());
  auto all = store_->alerts().All();
  ASSERT_TRUE(all.has_value());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].state, "failed");
  EXPECT_EQ((*all)[0].attempts, 3);
  EXPECT_EQ((*all)[0].last_detail, "451 try later");
  EXPECT_THAT(logger_.Text(), HasSubstr("given up after 3 attempt(s): 451 try later"));
}

// The queue keeps what was sent for a month, then only the record that it went: the state store
// does not grow with every digest's text.
TEST_F(AlertsTest, DeliveredMessagesKeepTheirTextForAMonthThenOnlyTheirRecord) {
  config_ = Load("  daily_summary: \"off\"\n");
  See("MONTH", D(2026, 1, 1));
  ASSERT_EQ(Cycle().size(), 1u);
  clock_.Advance(hours(24 * 30));
  (void)Cycle();
  auto kept = store_->alerts().All();
  ASSERT_TRUE(kept.has_value());
  ASSERT_FALSE(kept->empty());
  EXPECT_THAT((*kept)[0].text, HasSubstr("MONTH"));
  clock_.Advance(hours(24 * 2));  // 32 days after it was delivered
  (void)Cycle();
  auto pruned = store_->alerts().All();
  ASSERT_TRUE(pruned.has_value());
  ASSERT_FALSE(pruned->empty());
  EXPECT_EQ((*pruned)[0].state, "delivered");
  EXPECT_EQ((*pruned)[0].channel, "email");
  EXPECT_EQ((*pruned)[0].recipients, "scolarite@exemple.fr");
  EXPECT_TRUE((*pruned)[0].text.empty());
  EXPECT_TRUE((*pruned)[0].html.empty());
  EXPECT_TRUE((*pruned)[0].attachment.empty());
  EXPECT_FALSE((*pruned)[0].subject.empty());  // what it was about, without identifiers
}

TEST_F(AlertsTest, ARetryAtEachCycleKeepsGoingForDaysUntilGiveUpAfter) {
  config_ = Load("  daily_summary: \"off\"\n");  // defaults: 1 min doubling to 1 h, 7 days
  See("MONTH", D(2026, 1, 1));
  answer_ = Kind::kRetryLater;
  int sends = 0;
  for (int cycle = 0; cycle < 4 * 24 * 2; ++cycle) {  // two days of 15-minute cycles
    sends += static_cast<int>(Cycle().size());
    clock_.Advance(minutes(15));
  }
  EXPECT_GT(sends, 40);  // an hour apart at most, once the backoff is at its cap
  answer_ = Kind::kDelivered;
  clock_.Advance(hours(1));
  ASSERT_EQ(Cycle().size(), 1u);  // the receiver is back: the digest arrives
  EXPECT_EQ((*store_->alerts().All())[0].state, "delivered");
}

TEST_F(AlertsTest, APermanentFailureIsNotRetried) {
  config_ = Load("  daily_summary: \"off\"\n");
  See("MONTH", D(2026, 1, 1));
  answer_ = Kind::kPermanentFailure;
  ASSERT_EQ(Cycle().size(), 1u);
  clock_.Advance(hours(2));
  EXPECT_TRUE(Cycle().empty());
  auto all = store_->alerts().All();
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ((*all)[0].state, "failed");
  EXPECT_EQ((*all)[0].attempts, 1);
}

TEST_F(AlertsTest, AFailingSourceIsAnnouncedOnceADayWhileItLasts) {
  config_ = Load("  daily_summary: \"off\"\n");
  const std::map<std::string, std::string> failing = {
      {"institut-exemple", "source \"ecole\" unreachable after 5 attempts: connection refused"}};
  std::vector<store::QueuedAlert> sent = Cycle(failing);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].severity, "urgent");
  EXPECT_THAT(sent[0].text, HasSubstr("LA BASE DE DONNÉES SOURCE N'A PAS PU ÊTRE LUE"));
  EXPECT_THAT(sent[0].text, HasSubstr("connection refused"));
  EXPECT_THAT(sent[1].payload, HasSubstr("\"cycle_failed\": [\"source \\\"ecole\\\" unreachable"));
  clock_.Advance(minutes(15));
  EXPECT_TRUE(Cycle(failing).empty());
  clock_.Advance(hours(24));
  EXPECT_EQ(Cycle(failing).size(), 2u);
  clock_.Advance(hours(24));
  EXPECT_TRUE(Cycle().empty());  // recovered: nothing more
}

// After an accusé de traitement: a file rejected whole is announced at once; a passage the
// receipt did not mention, once the receipt is older than alerts.receipt_after.
TEST_F(AlertsTest, AFileRejectedWholeAndPassagesWithoutVerdictAreAnnounced) {
  config_ = Load("  daily_summary: \"off\"\n  receipt_after: 2d\n");
  See("LATER1", D(2026, 2, 20));  // deadlines in May: beyond every threshold
  See("LATER2", D(2026, 2, 21));
  See("LATER3", D(2026, 2, 22));
  auto first = store_->deposits().Begin(kBcr, "DEMO0001_20260302T060000Z_001.xml", "flux-1",
                                        {"LATER1", "LATER2"});
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(store_->deposits().MarkPublished(*first, std::string(64, 'a')).has_value());
  auto second =
      store_->deposits().Begin(kBcr, "DEMO0001_20260302T060000Z_002.xml", "flux-2", {"LATER3"});
  ASSERT_TRUE(second.has_value());
  ASSERT_TRUE(store_->deposits().MarkPublished(*second, std::string(64, 'b')).has_value());
  ASSERT_FALSE(Cycle().empty());  // the two files waiting in the outbox
  store::ReceiptFacts verdicts;
  verdicts.sha256 = std::string(64, '1');
  verdicts.name = "AT1.xml";
  verdicts.deposit_id = *first;
  verdicts.status = "traite";
  verdicts.verdicts = {{"LATER1", true, ""}};  // LATER2 not mentioned
  ASSERT_TRUE(store_->deposits().ApplyReceipt(verdicts).has_value());
  store::ReceiptFacts whole;
  whole.sha256 = std::string(64, '2');
  whole.name = "AT2.xml";
  whole.deposit_id = *second;
  whole.file_rejected = true;
  whole.file_error = "cvc-complex-type.2.4.a : contenu non valide";
  ASSERT_TRUE(store_->deposits().ApplyReceipt(whole).has_value());

  clock_.Advance(minutes(15));
  std::vector<store::QueuedAlert> sent = Cycle();
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(sent[0].severity, "urgent");
  EXPECT_THAT(sent[0].text, HasSubstr("FICHIER REJETÉ EN ENTIER PAR LA CDC — 1 fichier(s)"));
  EXPECT_THAT(sent[0].text, HasSubstr("DEMO0001_20260302T060000Z_002.xml  1 passage(s)"));
  EXPECT_THAT(sent[0].text, HasSubstr("« cvc-complex-type.2.4.a : contenu non valide »"));
  EXPECT_THAT(sent[0].text, Not(HasSubstr("Absents de l'accusé")));  // not yet 2 days

  clock_.Advance(hours(49));
  sent = Cycle();
  ASSERT_FALSE(sent.empty());
  EXPECT_THAT(sent[0].text, HasSubstr("Absents de l'accusé de traitement de leur fichier — 1 "
                                      "passage(s)"));
  EXPECT_THAT(sent[0].text, HasSubstr("  LATER2  RS RS6521  fichier "
                                      "DEMO0001_20260302T060000Z_001.xml"));
  EXPECT_THAT(sent[0].text, Not(HasSubstr("FICHIER REJETÉ")));  // announced once
  clock_.Advance(minutes(15));
  EXPECT_TRUE(Cycle().empty());
}

TEST_F(AlertsTest, WithoutRecipientsOnlyTheJournalHears) {
  config_ = Load();
  config_.certifiers[0].alerts.clear();
  See("OVERDUE", D(2025, 11, 20));
  EXPECT_TRUE(Cycle().empty());
  EXPECT_THAT(logger_.Text(), HasSubstr("alert digest for certifier \"institut-exemple\" "
                                        "(urgent): 1 overdue"));
  EXPECT_THAT(logger_.Text(), HasSubstr("no recipient configured: journal only"));
}

// Counts the lines of `text` that start with `prefix`.
std::size_t LinesStartingWith(const std::string& text, const std::string& prefix) {
  std::size_t n = 0, start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    if (text.compare(start, prefix.size(), prefix) == 0) ++n;
    start = end + 1;
  }
  return n;
}

std::string Id(const std::string& prefix, int n) {
  return prefix + (n < 10 ? "0" : "") + std::to_string(n);
}

// The backfill case: more newly overdue passages than alerts.list_limit. Every one is named (by
// certification in the body, each in the attachment and the webhook); the next day, the newly
// overdue come first and the cap shortens only the repeats, saying how many it left out.
TEST_F(AlertsTest, EveryNewlyOverduePassageIsNamedHoweverManyAndOnlyRepeatsAreCut) {
  config_ = Load("  daily_summary: \"off\"\n  list_limit: 5\n");
  for (int i = 1; i <= 12; ++i) See(Id("LATE", i), D(2025, 11, static_cast<unsigned>(i)));
  for (int i = 1; i <= 3; ++i) See(Id("TODAY", i), D(2025, 12, 2));  // deadline 02/03: today
  std::vector<store::QueuedAlert> sent = Cycle();
  ASSERT_EQ(sent.size(), 2u);
  const store::QueuedAlert& email = sent[0];
  EXPECT_THAT(email.text, HasSubstr("ÉCHÉANCE DÉPASSÉE — 12 passage(s) à faire parvenir"));
  EXPECT_THAT(email.text, HasSubstr("  RS RS6521 — 12 passage(s) :\n    LATE12, LATE11, LATE10,"));
  for (int i = 1; i <= 12; ++i) {
    EXPECT_THAT(email.text, HasSubstr(Id("LATE", i))) << i;
    EXPECT_THAT(email.attachment, HasSubstr("overdue\t" + Id("LATE", i) + "\tRS RS6521\tpending\t"))
        << i;
    EXPECT_THAT(sent[1].payload, HasSubstr("\"id_technique\": \"" + Id("LATE", i) + "\"")) << i;
  }
  EXPECT_EQ(email.attachment_name, "accrochd-DEMO0001-20260302-0700.txt");
  EXPECT_EQ(LinesStartingWith(email.attachment, "overdue\t"), 12u);
  EXPECT_EQ(LinesStartingWith(email.attachment, "within:1\t"), 3u);
  EXPECT_THAT(email.text, HasSubstr("pièce jointe accrochd-DEMO0001-20260302-0700.txt"));
  EXPECT_THAT(email.text, Not(HasSubstr("Déjà signalé")));
  EXPECT_EQ(Occurrences(sent[1].payload, "\"new\": true"), 15u);
  EXPECT_THAT(sent[1].payload, HasSubstr("\"version\": 3"));
  EXPECT_THAT(sent[1].payload, HasSubstr("\"generated_at\": \"2026-03-02T07:00:00+01:00\""));
  // The webhook's payload is not an e-mail: no attachment there.
  EXPECT_TRUE(sent[1].attachment.empty());

  clock_.Advance(hours(24));  // 3 March: the three TODAY are overdue; the twelve repeated
  sent = Cycle();
  ASSERT_EQ(sent.size(), 2u);
  const std::string& text = sent[0].text;
  EXPECT_THAT(text, HasSubstr("ÉCHÉANCE DÉPASSÉE — 15 passage(s) (dont 3 nouveau(x)) à faire"));
  // New first (one a line), then two repeats (the cap is 5), then the count of the rest.
  const std::size_t today = text.find("  TODAY01  RS RS6521");
  const std::size_t already = text.find("  Déjà signalé(s) :\n  LATE12  RS RS6521");
  ASSERT_NE(today, std::string::npos) << text;
  ASSERT_NE(already, std::string::npos) << text;
  EXPECT_LT(today, already);
  EXPECT_THAT(text, HasSubstr("\n  LATE11  RS RS6521"));
  EXPECT_THAT(text, Not(HasSubstr("\n  LATE10  ")));
  EXPECT_THAT(text, HasSubstr("  … et 10 autre(s) déjà signalé(s) : voir la pièce jointe"));
  EXPECT_EQ(LinesStartingWith(sent[0].attachment, "overdue\t"), 15u);
  EXPECT_EQ(Occurrences(sent[0].attachment, "\tnouveau\n"), 3u);
  EXPECT_EQ(Occurrences(sent[1].payload, "\"new\": true"), 3u);
  EXPECT_EQ(Occurrences(sent[1].payload, "\"new\": false"), 12u);  // complete in the webhook
  clock_.Advance(minutes(15));
  EXPECT_TRUE(Cycle().empty());
}

// A passage whose file was uploaded stays watched until the CDC accepts it: each threshold and
// its deadline are announced with its state, then nothing once accepted.
TEST_F(AlertsTest, ADepositedPassageIsWatchedUntilTheCdcAcceptsIt) {
  config_ = Load("  daily_summary: \"off\"\n  receipt_after: 30d\n");
  See("SENT", D(2025, 12, 4));  // deadline 04/03: 2 days left
  auto deposit =
      store_->deposits().Begin(kBcr, "DEMO0001_20260301T060000Z_001.xml", "flux-1", {"SENT"});
  ASSERT_TRUE(deposit.has_value());
  ASSERT_TRUE(store_->deposits().MarkPublished(*deposit, std::string(64, 'a')).has_value());
  ASSERT_TRUE(store_->deposits().MarkUploaded("DEMO0001_20260301T060000Z_001.xml").has_value());
  std::vector<store::QueuedAlert> sent = Cycle();
  ASSERT_FALSE(sent.empty());
  EXPECT_THAT(sent[0].text, HasSubstr("Échéance dans 7 jour(s) ou moins — 1 passage(s) :\n"
                                      "  SENT  RS RS6521  déposé le 02/03/2026, accusé de "
                                      "traitement attendu  échéance 04/03/2026, dans 2 jour(s)"));
  EXPECT_THAT(sent[1].payload, HasSubstr("\"status\": \"deposited\""));
  clock_.Advance(hours(24));  // 1 day left: band 1
  sent = Cycle();
  ASSERT_FALSE(sent.empty());
  EXPECT_THAT(sent[0].text, HasSubstr("Échéance dans 1 jour(s) ou moins — 1 passage(s) :\n"
                                      "  SENT  "));
  clock_.Advance(hours(48));  // 5 March: overdue, still no receipt
  sent = Cycle();
  ASSERT_FALSE(sent.empty());
  EXPECT_THAT(sent[0].text, HasSubstr("ÉCHÉANCE DÉPASSÉE — 1 passage(s) à faire parvenir à la "
                                      "CDC sans attendre :\n  SENT  RS RS6521  déposé le "
                                      "02/03/2026, accusé de traitement attendu"));
  ASSERT_TRUE(
      store_->deposits()
          .RecordVerdicts("DEMO0001_20260301T060000Z_001.xml", "traite", {{"SENT", true, ""}})
          .has_value());
  clock_.Advance(hours(24));
  EXPECT_TRUE(Cycle().empty());  // accepted: never again
}

// Files without their accusé de traitement: the new ones first, and how many others there are.
TEST_F(AlertsTest, FilesWithoutReceiptNameTheNewOnesFirstAndCountTheOthers) {
  config_ = Load("  daily_summary: \"off\"\n  receipt_after: 1d\n  list_limit: 2\n");
  auto upload = [this](int n) {
    const std::string id = Id("LATER", n);
    See(id, D(2026, 2, 20));  // deadline in May: beyond every threshold
    const std::string file = "DEMO0001_20260302T0600" + Id("", n) + "Z_001.xml";
    auto deposit = store_->deposits().Begin(kBcr, file, "flux-" + id, {id});
    ASSERT_TRUE(deposit.has_value());
    ASSERT_TRUE(store_->deposits().MarkPublished(*deposit, std::string(64, 'a')).has_value());
    ASSERT_TRUE(store_->deposits().MarkUploaded(file).has_value());
  };
  for (int n = 1; n <= 3; ++n) upload(n);
  EXPECT_TRUE(Cycle().empty());  // uploaded today: not yet late
  clock_.Advance(hours(25));
  std::vector<store::QueuedAlert> sent = Cycle();
  ASSERT_FALSE(sent.empty());
  // Three new: all named although the cap is 2.
  EXPECT_THAT(sent[0].text, HasSubstr("Dépôts sans accusé de traitement depuis plus de 1 jour(s) "
                                      "— 3 fichier(s) :"));
  for (int n = 1; n <= 3; ++n) EXPECT_THAT(sent[0].text, HasSubstr("T0600" + Id("", n) + "Z"));
  upload(4);
  clock_.Advance(hours(25));
  sent = Cycle();
  ASSERT_FALSE(sent.empty());
  EXPECT_THAT(sent[0].text, HasSubstr("— 4 fichier(s) (dont 1 nouveau(x)) :\n"
                                      "  DEMO0001_20260302T060004Z_001.xml  1 passage(s)"));
  EXPECT_THAT(sent[0].text, HasSubstr("  … et 3 autre(s) déjà signalé(s) : voir la pièce jointe"));
  EXPECT_EQ(LinesStartingWith(sent[0].attachment, "without_receipt\t"), 4u);
  EXPECT_THAT(sent[1].payload, HasSubstr("\"without_receipt\": 3"));  // not_listed
}

// The digest opens with what to do, in words the staff can act on, then a table of counts by
// certification and band, then the lists. No command for the staff to run.
TEST_F(AlertsTest, ADigestOpensWithWhatToDoThenCountsByCertificationAndBand) {
  config_ = Load("  daily_summary: \"off\"\n");
  See("OVERDUE", D(2025, 11, 20));
  See("WEEK", D(2025, 12, 5));
  See("QUAR", D(2025, 12, 25), true);
  auto deposit = store_->deposits().Begin(kBcr, "DEMO0001_20260302T060000Z_001.xml", "flux-1",
                                          {"OVERDUE", "WEEK"});
  ASSERT_TRUE(deposit.has_value());
  ASSERT_TRUE(store_->deposits().MarkPublished(*deposit, std::string(64, 'a')).has_value());
  std::vector<store::QueuedAlert> sent = Cycle();
  ASSERT_FALSE(sent.empty());
  const std::string& text = sent[0].text;
  const std::size_t todo = text.find(
      "À FAIRE :\n  - Déposer sur le portail de la CDC 1 fichier(s)"
      " prêt(s) (2 passage(s)), dans " +
      dir_ + "/state/outbox");
  const std::size_t correct =
      text.find("  - Corriger dans la base de l'organisme 1 passage(s) : 1 en quarantaine");
  const std::size_t table = text.find(
      "PASSAGES NON ENCORE ACCEPTÉS PAR LA CDC, par certification et par échéance :\n"
      "  Certification  En retard    ≤ 1 j    ≤ 7 j   ≤ 14 j   ≤ 30 j\n"
      "  RS RS6521              1        0        1        0        1\n");
  const std::size_t list = text.find("ÉCHÉANCE DÉPASSÉE");
  ASSERT_NE(todo, std::string::npos) << text;
  ASSERT_NE(correct, std::string::npos) << text;
  ASSERT_NE(table, std::string::npos) << text;
  EXPECT_LT(todo, correct);
  EXPECT_LT(correct, table);
  EXPECT_LT(table, list);
  EXPECT_THAT(text, Not(HasSubstr("mark-uploaded")));
  EXPECT_THAT(sent[0].html, Not(HasSubstr("mark-uploaded")));
  EXPECT_LT(sent[0].html.find("<h2>À faire</h2>"), sent[0].html.find("Échéance dépassée"));
  EXPECT_THAT(sent[1].payload, HasSubstr("\"files_to_upload\": 1"));
  EXPECT_THAT(sent[1].payload,
              HasSubstr("{\"certification\": \"RS RS6521\", \"overdue\": 1, \"within\": "
                        "[{\"days\": 1, \"passages\": 0}, {\"days\": 7, \"passages\": 1}"));
}

// The daily summary carries everything: counts, and the full lists in the attachment.
TEST_F(AlertsTest, TheDailySummaryAttachesTheFullLists) {
  config_ = Load("  list_limit: 2\n");
  for (int i = 1; i <= 4; ++i) See(Id("LATE", i), D(2025, 11, static_cast<unsigned>(i)));
  ASSERT_FALSE(Cycle().empty());  // 07:00: the digest
  clock_.Advance(hours(1));       // 08:00: the daily summary
  std::vector<store::QueuedAlert> sent = Cycle();
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(sent[0].kind, "daily");
  EXPECT_EQ(LinesStartingWith(sent[0].attachment, "overdue\t"), 4u);
  EXPECT_EQ(Occurrences(sent[0].attachment, "\trappel\n"), 4u);
  EXPECT_THAT(sent[0].text, HasSubstr("… et 2 autre(s) déjà signalé(s) : voir la pièce jointe"));
  EXPECT_EQ(Occurrences(sent[1].payload, "\"id_technique\": \"LATE"), 4u);
}

}  // namespace
}  // namespace accrochd::daemon
