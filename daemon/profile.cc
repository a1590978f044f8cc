// `accrochd profile`: what writing and fixing a mapping needs, from the real source through the
// real ODBC driver, in one screen per mapping. Reads every row of each mapping's query (the whole
// query: no cursor, no paging), streamed; records nothing, writes no file.
#include "mappings/profile.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "core/text.h"
#include "core/tz/timezone.h"
#include "daemon/commands.h"
#include "daemon/daemon.h"

namespace accrochd::daemon {
namespace {

using MappingRef = std::pair<const CertifierConfig*, const mappings::Mapping*>;

// Profiles one mapping; prints its block on ctx.out, or a problem on ctx.err and returns an
// exit code.
int ProfileOne(const CommandContext& ctx, const Config& config, Daemon& daemon,
               const CertifierConfig& certifier, const mappings::Mapping& mapping) {
  const auto fail = [&](const Error& e) {
    ctx.err << "accrochd profile: mapping \"" << mapping.name << "\": " << e.message() << "\n";
    return ExitCodeFor(e);
  };
  Result<TimeZone> tz = TimeZone::Named(certifier.timezone);  // checked at load
  if (!tz) return fail(tz.error());
  const Date today = tz->LocalDate(ctx.clock.Now());
  mappings::MappingProfile profile(mapping, config.schema_version, today);

  const auto started = std::chrono::steady_clock::now();
  source::Source& src = daemon.SourceNamed(mapping.source);
  auto stream = src.Query(source::QuerySpec{mapping.query, {}, mapping.page_size}, ctx.stop);
  if (!stream) return fail(stream.error());
  for (;;) {
    source::RowBatch batch;
    Result<bool> next = (*stream)->Next(batch);
    if (!next) return fail(next.error());
    if (!*next) break;
    if (ctx.stop.stop_requested()) return fail(Error(ErrorKind::kCancelled, "interrupted"));
    if (!profile.bound()) {
      if (auto bound = profile.Bind(*batch.columns); !bound) return fail(bound.error());
    }
    for (const source::SourceRow& row : batch.rows) profile.Add(row);
  }
  profile.Finish();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  char elapsed[32];
  std::snprintf(elapsed, sizeof(elapsed), "%.2f", seconds);

  ctx.out << "Mapping \"" << mapping.name << "\" (certifier \"" << certifier.name << "\", source \""
          << mapping.source << "\", schema " << mappings::SchemaVersionName(config.schema_version)
          << ", today " << FormatIsoDate(today) << ")\n"
          << "  " << mappings::GroupedCount(profile.rows())
          << (profile.rows() == 1 ? " row" : " rows") << " read in " << elapsed
          << " s: the whole query (cursor and paging ignored). Nothing was changed.\n";
  if (profile.rows() == 0) {
    ctx.out << "  The query returned no row: nothing to profile.\n";
    return kExitOk;
  }
  ctx.out << "\n" << profile.Render();
  return kExitOk;
}

}  // namespace

int RunProfile(const CommandContext& ctx) {
  auto config = LoadOrReport(ctx, "profile");
  if (!config) return kExitConfig;
  std::vector<MappingRef> chosen;
  std::string known;
  for (const CertifierConfig& certifier : config->certifiers) {
    for (const mappings::Mapping& mapping : certifier.mappings) {
      known += (known.empty() ? "" : ", ") + mapping.name;
      if (ctx.invocation.mapping.empty() || mapping.name == ctx.invocation.mapping) {
        chosen.emplace_back(&certifier, &mapping);
      }
    }
  }
  if (chosen.empty()) {
    ctx.err << "accrochd profile: "
            << (ctx.invocation.mapping.empty()
                    ? std::string("the configuration has no mapping")
                    : "no mapping named \"" + Shown(ctx.invocation.mapping, 128) +
                          "\" (mappings: " + known + ")")
            << "\n";
    return kExitConfig;
  }
  // No state store: the daemon only lends its sources.
  Daemon daemon(*config, ctx.logger, ctx.clock, ctx.files);
  int status = kExitOk;
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    if (i > 0) ctx.out << "\n";
    status =
        std::max(status, ProfileOne(ctx, *config, daemon, *chosen[i].first, *chosen[i].second));
    if (ctx.stop.stop_requested()) break;
  }
  return status;
}

}  // namespace accrochd::daemon
