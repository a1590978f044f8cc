// Withdrawals (schema 1.1.5): the SUPPRESSION files of a deposit cut, and the checks of
// `accrochd passages withdraw` and `passages correct`.
//
// A SUPPRESSION names what the CDC holds (the official SUPPRESSION example): the certification,
// the idTechnique the CDC knows and the identificationTitulaire -- taken from the archived copy
// of the CREATION file the CDC accepted the passage in, never from the source (which may have
// changed) nor from the state store (which holds no personal data). Its files go through the
// same session as CREATION files: XSD-checked, recorded before they reach the outbox, archived.
#ifndef ACCROCHD_DAEMON_WITHDRAWALS_H_
#define ACCROCHD_DAEMON_WITHDRAWALS_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/deposit/publisher.h"
#include "connectors/store/state_store.h"
#include "connectors/xml/xsd_validator.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "core/tz/timezone.h"
#include "daemon/config.h"

namespace accrochd::daemon {

// The archived copy of deposit file `file_name` (<state>/archive/YYYY/MM/NAME.xml.zst, or the
// NAME.xml.gz of an earlier version), looked for through `files`.
std::string ArchivedCopyOf(const Config& config, FileSystem& files, const std::string& file_name);

// Why a passage cannot be withdrawn (nullopt: it can): the schema version, or the archived copy
// of its CREATION file missing. Files are looked at through `files`.
std::optional<std::string> WithdrawalObstacle(const Config& config, FileSystem& files,
                                              const store::PassageRecord& passage);
// Why no passage can be withdrawn under this configuration (schema 1.1.2), or nullopt.
std::optional<std::string> WithdrawalsUnsupported(const Config& config);

// Writes the SUPPRESSION files of `certifier`'s passages queued for withdrawal, and appends
// what was published to `files`. A passage whose archived CREATION does not hold it stays
// queued, logged with what to do.
Result<void> DepositWithdrawals(const Config& config, const CertifierConfig& certifier,
                                store::StateStore& store, deposit::Publisher& publisher,
                                std::shared_ptr<const xml::XsdSchema> schema, const TimeZone& zone,
                                Clock& clock, Logger& logger,
                                std::vector<deposit::PublishedFile>& files);

}  // namespace accrochd::daemon

#endif  // ACCROCHD_DAEMON_WITHDRAWALS_H_
