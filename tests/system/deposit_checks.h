// What the deposit system tests check in a state directory, with tools independent of accrochd:
// xmllint for the official XSD, sha256sum for the digests, zstd for the archive.
#ifndef ACCROCHD_TESTS_SYSTEM_DEPOSIT_CHECKS_H_
#define ACCROCHD_TESTS_SYSTEM_DEPOSIT_CHECKS_H_

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <sys/wait.h>

namespace accrochd::testing {

inline const std::string kDemoConfigPath = std::string(ACCROCHD_BINARY_DIR) + "/demo/accrochd.yaml";
inline const std::string kXmllint = ACCROCHD_XMLLINT;
// "DEMO0001_20261127T013012Z_001.xml": the demo certifier's BCR, a UTC stamp, a sequence number.
inline const std::regex kDepositName(R"(DEMO0001_[0-9]{8}T[0-9]{6}Z_[0-9]{3}\.xml)");

struct ShellResult {
  int exit_code = -1;  // -1: did not exit normally
  std::string out;     // stdout and stderr together
};

// Runs `command` with /bin/sh, capturing what it prints on stdout and stderr.
inline ShellResult Shell(const std::string& command) {
  ShellResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen failed: " + command);
  char buffer[65536];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) result.out.append(buffer, n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// `text` as one shell word.
inline std::string Quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The demo configuration (its source and mappings) with its state directory moved to `state`,
// `top_level` keys added (e.g. "deposit: {max_passages_per_file: 50}\n") and, if `database` is
// given, another SQLite database read in place of the demo's.
inline std::string DemoConfigWith(const std::string& state, const std::string& top_level,
                                  const std::string& database = "") {
  std::string text = ReadFile(kDemoConfigPath);
  static const std::regex kState(R"((^|\n)state_directory: [^\n]*)");
  static const std::regex kDatabase(R"(Database=[^;"]*;)");
  if (!std::regex_search(text, kState)) throw std::runtime_error("no state_directory in the demo");
  text = std::regex_replace(text, kState, "$1state_directory: " + state);
  if (!database.empty()) {
    if (!std::regex_search(text, kDatabase)) throw std::runtime_error("no Database= in the demo");
    text = std::regex_replace(text, kDatabase, "Database=" + database + ";");
  }
  return top_level + text;
}

// The "N valid" of `accrochd once`'s summary line; throws if the line is missing.
inline std::uint64_t ValidCount(const std::string& once_output) {
  static const std::regex kSummary(R"(Read [0-9]+ rows over ODBC in [0-9.]+ s: ([0-9]+) valid, )");
  std::smatch m;
  if (!std::regex_search(once_output, m, kSummary)) {
    throw std::runtime_error("no summary line in:\n" + once_output);
  }
  return std::stoull(m[1].str());
}

// The passages `accrochd once` left for later because they are not due yet (delivered in the
// future): they stay pending in the state store. 0 when the summary does not mention any.
inline std::uint64_t NotDueCount(const std::string& once_output) {
  static const std::regex kNotDue(
      R"(Read [0-9]+ rows over ODBC in [0-9.]+ s: [0-9]+ valid, ([0-9]+) not due yet)");
  std::smatch m;
  if (!std::regex_search(once_output, m, kNotDue)) return 0;
  return std::stoull(m[1].str());
}

// One deposit file as `accrochd once` lists it.
struct ListedFile {
  std::string path;
  std::uint64_t passages = 0;
  std::string id_flux;
  std::string sha256;
};

inline std::vector<ListedFile> ListedFiles(const std::string& once_output) {
  static const std::regex kLine(
      R"(  (/[^ ]+\.xml)  ([0-9]+) passages?, [0-9.]+ [kMG]?B, idFlux ([0-9a-f-]{36}), )"
      R"(sha256 ([0-9a-f]{64}))");
  std::vector<ListedFile> files;
  std::istringstream in(once_output);
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (!std::regex_match(line, m, kLine)) continue;
    files.push_back({m[1].str(), std::stoull(m[2].str()), m[3].str(), m[4].str()});
  }
  return files;
}

// One line of archive/manifest.tsv.
struct ManifestLine {
  std::string published_at, file, id_flux, sha256, passages, certificateur;
};

// The manifest's lines after its header. A line that is not complete (six fields, ending with a
// newline) is reported in `malformed`.
inline std::vector<ManifestLine> ReadManifest(const std::string& path,
                                              std::vector<std::string>& malformed) {
  std::vector<ManifestLine> lines;
  if (!std::filesystem::exists(path)) return lines;
  const std::string text = ReadFile(path);
  static const std::regex kLine(
      R"(([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)\t([^\t\n]+)\t([0-9a-f-]{36})\t)"
      R"(([0-9a-f]{64})\t([0-9]+)\t([^\t\n]+))");
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end == std::string::npos ? end : end - start);
    start = end == std::string::npos ? text.size() : end + 1;
    if (line == "# published_at\tfile\tidFlux\tsha256\tpassages\tcertificateur" && lines.empty()) {
      continue;
    }
    std::smatch m;
    if (end == std::string::npos || !std::regex_match(line, m, kLine)) {
      malformed.push_back(line);
      continue;
    }
    lines.push_back({m[1].str(), m[2].str(), m[3].str(), m[4].str(), m[5].str(), m[6].str()});
  }
  return lines;
}

// Where the manifest says the compressed copy of a file is: archive/YYYY/MM of its publication.
inline std::string ArchivePathFor(const std::string& state, const ManifestLine& line) {
  return state + "/archive/" + line.published_at.substr(0, 4) + "/" +
         line.published_at.substr(5, 2) + "/" + line.file + ".zst";
}

// The SHA-256 of each file, by sha256sum.
inline std::map<std::string, std::string> Sha256Sums(const std::vector<std::string>& files) {
  std::map<std::string, std::string> sums;
  if (files.empty()) return sums;
  std::string command = "sha256sum";
  for (const std::string& f : files) command += " " + Quote(f);
  ShellResult r = Shell(command);
  if (r.exit_code != 0) throw std::runtime_error(command + " failed:\n" + r.out);
  std::istringstream in(r.out);
  std::string sum, path;
  while (in >> sum >> path) sums[path] = sum;
  return sums;
}

// xmllint --noout --schema XSD FILES...; exit 0 only if every file is valid.
inline ShellResult Xmllint(const std::string& xsd, const std::vector<std::string>& files) {
  std::string command = Quote(kXmllint) + " --noout --schema " + Quote(xsd);
  for (const std::string& f : files) command += " " + Quote(f);
  return Shell(command);
}

// Whether xmllint, a test prerequisite found when the build was configured, is there.
inline bool HaveXmllint() { return std::filesystem::exists(kXmllint); }
inline const char* kNoXmllint =
    "xmllint was not found when the build was configured: install libxml2-utils and run cmake "
    "again";

inline std::size_t CountPassages(const std::string& xml) {
  std::size_t count = 0;
  for (std::size_t at = xml.find("<cpf:passageCertification>"); at != std::string::npos;
       at = xml.find("<cpf:passageCertification>", at + 1)) {
    ++count;
  }
  return count;
}

// The text of the first <cpf:NAME> element, or "" when there is none.
inline std::string ElementText(const std::string& xml, const std::string& name) {
  const std::string open = "<cpf:" + name + ">";
  const std::size_t start = xml.find(open);
  if (start == std::string::npos) return "";
  const std::size_t end = xml.find("</cpf:" + name + ">", start);
  if (end == std::string::npos) return "";
  return xml.substr(start + open.size(), end - start - open.size());
}

// The permission bits of a file or directory, e.g. 0600; -1 when it does not exist.
inline int Mode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 07777);
}

inline std::string Octal(int mode) {
  char text[16];
  std::snprintf(text, sizeof(text), "%04o", static_cast<unsigned>(mode));
  return text;
}

// Every file under `dir` whose name is hidden and ends with ".partial".
inline std::vector<std::string> PartialFiles(const std::string& dir) {
  std::vector<std::string> found;
  if (!std::filesystem::exists(dir)) return found;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.ends_with(".partial")) found.push_back(entry.path().string());
  }
  return found;
}

}  // namespace accrochd::testing

#endif  // ACCROCHD_TESTS_SYSTEM_DEPOSIT_CHECKS_H_
