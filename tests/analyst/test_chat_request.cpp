// The chat request parser (chat_request.hpp) without a server: valid bodies, and every malformed
// body answered with a 400 problem naming the member - never another exception (a 500).
#include <gtest/gtest.h>

#include <string>

#include "chat_request.hpp"
#include "ems/runtime/problem.hpp"

namespace ems::analyst {
namespace {

// The 400 problem parse_chat_request() throws for `body`; fails the test on any other outcome.
runtime::Problem problem_of(const std::string& body) {
  try {
    (void)parse_chat_request(body);
  } catch (const runtime::ProblemException& e) {
    return e.problem();
  }
  ADD_FAILURE() << "accepted: " << body;
  return {};
}

TEST(ChatRequest, ParsesMessagesAndStream) {
  const auto r = parse_chat_request(
      R"({"model":"x","messages":[{"role":"system","content":"s"},)"
      R"({"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}],)"
      R"("stream":true})");
  EXPECT_TRUE(r.stream);
  ASSERT_EQ(r.messages.size(), 2u);
  EXPECT_EQ(message_text(r.messages.back()["content"]), "ab");
  EXPECT_FALSE(parse_chat_request(R"({"messages":[{"role":"user","content":"q"}]})").stream);
}

TEST(ChatRequest, MalformedBodiesAre400WithThePointer) {
  EXPECT_EQ(problem_of("{").title, "Invalid JSON");
  EXPECT_EQ(problem_of("[]").errors.at(0).path, "");
  EXPECT_EQ(problem_of(R"({"messages":[]})").errors.at(0).path, "/messages");
  EXPECT_EQ(problem_of(R"({"messages":[{"role":7,"content":"q"}]})").errors.at(0).path,
            "/messages/0/role");
  EXPECT_EQ(problem_of(R"({"messages":[{"role":"user","content":1}]})").errors.at(0).path,
            "/messages/0/content");
  EXPECT_EQ(
      problem_of(R"({"messages":[{"role":"user","content":"q"}],"stream":1})").errors.at(0).path,
      "/stream");
  for (const auto& p : {problem_of("{"), problem_of("[]")}) EXPECT_EQ(p.status, 400);
}

// Regression: a content part whose "type" or "text" is not a string made message_text() throw
// nlohmann::json::type_error, so the route answered 500 instead of 400.
TEST(ChatRequest, NonStringPartMembersAreIgnoredNotThrown) {
  EXPECT_EQ(message_text(nlohmann::json::parse(R"([{"type":1,"text":"x"},{"type":"text","text":2},
                                                    {"type":"text","text":"ok"}])")),
            "ok");
  const auto p = problem_of(R"({"messages":[{"role":"user","content":[{"type":1,"text":"x"}]}]})");
  EXPECT_EQ(p.status, 400);
  EXPECT_EQ(p.errors.at(0).path, "/messages/0");
}

// Regression (found by fuzz_analyst_chat): a number too large for a double made json::parse throw
// out_of_range, which only parse_error was caught for, so the route answered 500.
TEST(ChatRequest, NumberOutOfRangeIsInvalidJson) {
  const auto p = problem_of(R"({"messages":[{"role":"user","content":"q"}],"temperature":1e999})");
  EXPECT_EQ(p.status, 400);
  EXPECT_EQ(p.title, "Invalid JSON");
}

}  // namespace
}  // namespace ems::analyst
