// Where a problem is in a file the administrator wrote, and what it is.
//
// Loaders (configuration, mappings) collect every problem they find rather than stopping at the
// first, so one `accrochd check` shows them all, each as `file:line:col: message` -- the form
// compilers use, which editors and terminals turn into links.
#ifndef ACCROCHD_CORE_DIAGNOSTIC_H_
#define ACCROCHD_CORE_DIAGNOSTIC_H_

#include <string>
#include <vector>

namespace accrochd {

// A position in a text file. Lines and columns count from 1; 0 means unknown.
struct Location {
  std::string file;
  int line = 0;
  int column = 0;

  // "file:line:col", "file:line" or "file", depending on what is known.
  std::string ToString() const;
};

struct Diagnostic {
  Location location;
  std::string message;

  std::string ToString() const { return location.ToString() + ": " + message; }
};

using Diagnostics = std::vector<Diagnostic>;

// All diagnostics, one per line, in the order found.
std::string FormatDiagnostics(const Diagnostics& diagnostics);

}  // namespace accrochd

#endif  // ACCROCHD_CORE_DIAGNOSTIC_H_
