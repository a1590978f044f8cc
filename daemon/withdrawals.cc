#include "daemon/withdrawals.h"

#include <map>
#include <set>

#include "connectors/deposit/deposit_session.h"
#include "connectors/xml/accepted_reader.h"

namespace accrochd::daemon {
namespace {

LogField Field(std::string_view name, std::string value) {
  return {std::string(name), std::move(value)};
}

}  // namespace

std::string ArchivedCopyOf(const Config& config, FileSystem& files,
                           const std::string& file_name) {
  return deposit::ArchivedCopyPath(files, config.state_directory, file_name);
}

std::optional<std::string> WithdrawalsUnsupported(const Config& config) {
  if (config.schema_version == mappings::SchemaVersion::k115) return std::nullopt;
  return "schema_version is " + std::string(mappings::SchemaVersionName(config.schema_version)) +
         ": a withdrawal is a SUPPRESSION file (cpf:action), which only schema 1.1.5 has; "
         "nothing was queued";
}

std::optional<std::string> WithdrawalObstacle(const Config& config, FileSystem& files,
                                              const store::PassageRecord& passage) {
  if (auto why = WithdrawalsUnsupported(config)) return why;
  if (passage.deposit_file.empty()) {
    return "the deposit file the CDC accepted it in is not recorded; a SUPPRESSION must name "
           "what that file held";
  }
  const std::string archived = ArchivedCopyOf(config, files, passage.deposit_file);
  if (!files.Exists(archived)) {
    return "the archived copy of its deposit file, " + archived +
           ", is missing; a SUPPRESSION must name exactly what the CDC holds (its "
           "identificationTitulaire): put that file back (from a backup of " +
           config.state_directory + "/archive) and ask again";
  }
  return std::nullopt;
}

Result<void> DepositWithdrawals(const Config& config, const CertifierConfig& certifier,
                                store::StateStore& store, deposit::Publisher& publisher,
                                std::shared_ptr<const xml::XsdSchema> schema, const TimeZone& zone,
                                Clock& clock, Logger& logger,
                                std::vector<deposit::PublishedFile>& files) {
  auto queued = store.passages().QueuedWithdrawals(certifier.id_client);
  if (!queued) return std::unexpected(queued.error());
  if (queued->empty()) return {};
  const LogField bcr = Field(kFieldCertificateur, certifier.id_client);
  if (auto why = WithdrawalsUnsupported(config)) {
    logger.Error(
        std::to_string(queued->size()) + " passage(s) queued for withdrawal stay queued: " + *why,
        {bcr});
    return {};
  }
  // The passages by the CREATION file the CDC accepted them in: each archived copy read once.
  std::map<std::string, std::vector<const store::WithdrawalRecord*>> by_file;
  for (const store::WithdrawalRecord& w : *queued) by_file[w.creation_file].push_back(&w);

  deposit::SessionSettings settings;
  settings.version = config.schema_version;
  settings.schema = std::move(schema);
  settings.max_passages = config.deposit.max_passages;
  settings.max_bytes = config.deposit.max_bytes;
  settings.emetteur = certifier.emetteur;
  settings.certificateur = certifier.id_client;
  settings.id_contrat = certifier.id_contrat;
  settings.certifier = certifier.name;
  settings.action = "SUPPRESSION";
  const std::string id_client = certifier.id_client;
  settings.hooks.before = [&store, id_client](const std::string& name, const std::string& id_flux,
                                              const std::vector<std::string>& ids) {
    return store.deposits().BeginWithdrawal(id_client, name, id_flux, ids);
  };
  settings.hooks.after = [&store](std::int64_t id, const deposit::PublishedFile& file) {
    return store.deposits().MarkPublished(id, file.sha256);
  };
  settings.hooks.abandoned = [&store, &logger](std::int64_t id, const std::string& why) {
    if (auto r = store.deposits().Abandon(id, why); !r) logger.Error(r.error().message());
  };
  deposit::DepositSession session(settings, publisher, zone, clock, logger);
  for (const auto& [file, passages] : by_file) {
    const std::string archived =
        file.empty() ? "" : ArchivedCopyOf(config, publisher.files(), file);
    std::map<std::string, xml::AcceptedPassage> accepted;
    if (!file.empty() && publisher.files().Exists(archived)) {
      std::set<std::string> wanted;
      for (const store::WithdrawalRecord* w : passages) wanted.insert(w->cdc_id_technique);
      auto read = xml::ReadAcceptedPassages(archived, wanted);
      if (!read) {
        logger.Error(read.error().message() + "; its " + std::to_string(passages.size()) +
                         " passage(s) queued for withdrawal stay queued",
                     {bcr, Field(kFieldDeposit, file)});
        continue;
      }
      accepted = std::move(*read);
    }
    for (const store::WithdrawalRecord* w : passages) {
      auto it = accepted.find(w->cdc_id_technique);
      if (it == accepted.end()) {
        logger.Error(
            "passage " + w->id_technique + " stays queued for withdrawal: " +
                (file.empty() ? std::string("the deposit file the CDC accepted it in is "
                                            "not recorded")
                 : !publisher.files().Exists(archived)
                     ? "the archived copy " + archived + " is missing; put it back from a backup"
                     : "the archived copy " + archived + " does not hold idTechnique " +
                           w->cdc_id_technique) +
                " (a SUPPRESSION names exactly what the CDC holds)",
            {bcr, Field(kFieldIdTechnique, w->id_technique)});
        continue;
      }
      if (auto r = session.AddSerialized(it->second.certification, it->second.nature_deposant,
                                         w->id_technique,
                                         xml::SerializeSuppression(w->cdc_id_technique, it->second),
                                         "withdrawal", "archive " + file);
          !r) {
        for (deposit::PublishedFile& f : session.Abandon().files) files.push_back(std::move(f));
        return r;
      }
    }
  }
  auto outcome = session.Finish();
  if (!outcome) {
    for (deposit::PublishedFile& f : session.Outcome().files) files.push_back(std::move(f));
    return std::unexpected(outcome.error());
  }
  for (const mappings::Rejection& r : outcome->rejections) {
    // What the CDC accepted once, written back as it was: the XSD configured now refuses it.
    logger.Error("passage " + r.id_technique + " stays queued for withdrawal: " + r.message,
                 {bcr, Field(kFieldIdTechnique, r.id_technique)});
  }
  for (deposit::PublishedFile& f : outcome->files) files.push_back(std::move(f));
  return {};
}

}  // namespace accrochd::daemon
