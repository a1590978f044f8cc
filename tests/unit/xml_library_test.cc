// libxml2's own error output goes through the logger, never bare to stderr (xml_library.h).
#include "connectors/xml/xml_library.h"

#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libxml/parser.h>

#include "tests/support/capture_logger.h"

namespace accrochd::xml {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A document libxml2 refuses, with a name in it that must not reach the log.
constexpr char kBroken[] = "<passage><nom>DUPONT Jeanne</nom></passages>";

void ParseWithoutCapture() {
  xmlDocPtr doc = xmlReadMemory(kBroken, static_cast<int>(sizeof(kBroken) - 1), "broken.xml",
                                nullptr, XML_PARSE_NONET);
  if (doc != nullptr) xmlFreeDoc(doc);
}

TEST(LibraryErrorsTest, LibxmlErrorsGoToTheLoggerNotStderr) {
  testing::CaptureLogger logger;
  {
    const LibraryErrors routed(logger);
    ::testing::internal::CaptureStderr();
    ParseWithoutCapture();
    const std::string err = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(err, "");
  }
  const std::string text = logger.Text();
  EXPECT_THAT(text, HasSubstr("libxml2 (parser error "));
  EXPECT_THAT(text, HasSubstr("Opening and ending tag mismatch"));
  EXPECT_THAT(text, Not(HasSubstr("DUPONT")));  // no excerpt of the document
  for (const auto& e : logger.events()) EXPECT_EQ(e.level, LogLevel::kWarning);
}

TEST(LibraryErrorsTest, ThreadsStartedAfterAreCoveredToo) {
  testing::CaptureLogger logger;
  {
    const LibraryErrors routed(logger);
    ::testing::internal::CaptureStderr();
    std::thread worker(ParseWithoutCapture);
    worker.join();
    EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  }
  EXPECT_THAT(logger.Text(), HasSubstr("Opening and ending tag mismatch"));
}

TEST(LibraryErrorsTest, MessagesAreOneClippedLine) {
  testing::CaptureLogger logger;
  {
    const LibraryErrors routed(logger);
    // An element name of 5,000 characters ends up in libxml2's message.
    std::string long_name(5000, 'x');
    const std::string doc = "<" + long_name + "></y>";
    ::testing::internal::CaptureStderr();
    xmlDocPtr parsed = xmlReadMemory(doc.data(), static_cast<int>(doc.size()), "long.xml", nullptr,
                                     XML_PARSE_NONET);
    if (parsed != nullptr) xmlFreeDoc(parsed);
    EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  }
  ASSERT_FALSE(logger.events().empty());
  for (const auto& e : logger.events()) {
    EXPECT_LE(e.message.size(), 300u) << e.message.substr(0, 80);
    EXPECT_EQ(e.message.find('\n'), std::string::npos);
  }
}

}  // namespace
}  // namespace accrochd::xml
