// POST /models/train's body parser without a server: bad JSON is a 400 problem, never a 500.
#include <gtest/gtest.h>

#include <string>

#include "ems/runtime/problem.hpp"
#include "http_api.hpp"

namespace ems::analyst {
namespace {

// Regression (same fuzzer finding as the chat request): a number beyond double makes
// json::parse throw out_of_range, not parse_error.
TEST(TrainRequest, BadJsonIncludingANumberBeyondDoubleIs400) {
  for (const char* body : {R"({"target":"load","backtest_days":1e999})", "1e999", "{"}) {
    try {
      (void)parse_train_request(body);
      ADD_FAILURE() << "accepted: " << body;
    } catch (const runtime::ProblemException& e) {
      EXPECT_EQ(e.problem().status, 400) << body;
      EXPECT_EQ(e.problem().title, "Invalid JSON") << body;
    }
  }
  EXPECT_EQ(parse_train_request(R"({"target":"load"})").target, "load");
}

}  // namespace
}  // namespace ems::analyst
