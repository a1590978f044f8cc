# Every dependency comes from Debian 12 packages (scripts/deps lists them).

find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)

# SOCI 4.0.3 ships neither a CMake config nor a pkg-config file; its headers need Boost's.
find_package(ODBC REQUIRED)
find_package(Boost 1.74 REQUIRED COMPONENTS program_options)
find_path(SOCI_INCLUDE_DIR soci/soci.h REQUIRED)
find_library(SOCI_CORE_LIBRARY soci_core REQUIRED)
find_library(SOCI_ODBC_LIBRARY soci_odbc REQUIRED)
find_library(ODBCINST_LIBRARY odbcinst REQUIRED)  # unixODBC's odbc.ini/odbcinst.ini reader
add_library(SOCI::odbc INTERFACE IMPORTED)
target_include_directories(SOCI::odbc SYSTEM INTERFACE ${SOCI_INCLUDE_DIR})
target_link_libraries(SOCI::odbc INTERFACE ${SOCI_ODBC_LIBRARY} ${SOCI_CORE_LIBRARY} ODBC::ODBC
                                           Boost::headers)
# The state store: SQLite through SOCI's sqlite3 backend.
find_library(SOCI_SQLITE3_LIBRARY soci_sqlite3 REQUIRED)
find_package(SQLite3 REQUIRED)
add_library(SOCI::sqlite3 INTERFACE IMPORTED)
target_include_directories(SOCI::sqlite3 SYSTEM INTERFACE ${SOCI_INCLUDE_DIR})
target_link_libraries(SOCI::sqlite3 INTERFACE ${SOCI_SQLITE3_LIBRARY} ${SOCI_CORE_LIBRARY}
                                              SQLite::SQLite3 Boost::headers)

find_package(LibXml2 REQUIRED)
find_package(OpenSSL REQUIRED)             # SHA-256 of deposit files
find_package(yaml-cpp REQUIRED)            # Debian 0.7 exports the target `yaml-cpp`
find_package(date REQUIRED)                # date::date-tz, Howard Hinnant's tz library
find_package(CURL REQUIRED)                # the alert channels: SMTP and webhooks
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
pkg_check_modules(UTF8PROC REQUIRED IMPORTED_TARGET libutf8proc)  # NFC (core/unicode)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)  # the archive's copies, read and written
# The executable's allocator (daemon/CMakeLists.txt says why). AddressSanitizer brings its own.
if(ACCROCHD_JEMALLOC AND NOT ACCROCHD_SANITIZE)
  pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
endif()

find_program(SQLITE3_EXECUTABLE sqlite3 REQUIRED)   # builds the demo database
find_program(SCDOC_EXECUTABLE scdoc)                # builds the man pages

if(ACCROCHD_BUILD_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()
