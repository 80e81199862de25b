#pragma once
// RFC 9457 problem details (`application/problem+json`): the one error body every HTTP API of
// the suite returns.
//
//   {"type":"about:blank","title":"Invalid DTM","status":422,
//    "detail":"2 problems","errors":[{"path":"/devices/3/template","message":"unknown"}]}
//
// `errors` carries the JSON Pointer of each offending input (the contract's Issue{path,
// message} maps onto it one to one); it is omitted when empty. Handlers either call problem()
// or throw ProblemException, which HttpServer renders.
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace httplib {
struct Response;
}

namespace ems::runtime {

struct ProblemError {
  std::string path;  // JSON Pointer into the request body ("" = the whole body)
  std::string message;
};

struct Problem {
  int status = 500;
  std::string title;
  std::string detail;
  std::vector<ProblemError> errors;
  std::string type = "about:blank";

  nlohmann::json to_json() const;
};

inline constexpr std::string_view kProblemContentType = "application/problem+json";

// Sets status, Content-Type and the body.
void problem(httplib::Response& res, int status, std::string_view title,
             std::string_view detail = {}, const std::vector<ProblemError>& errors = {});
void problem(httplib::Response& res, const Problem& p);

// The reason phrase for a status ("Not Found"); "Error" for unknown codes.
std::string_view status_title(int status);

// Thrown by handlers to answer with a problem; what() is the detail.
class ProblemException : public std::runtime_error {
 public:
  explicit ProblemException(Problem p);
  ProblemException(int status, std::string title, std::string detail = {},
                   std::vector<ProblemError> errors = {});
  const Problem& problem() const { return problem_; }

 private:
  Problem problem_;
};

}  // namespace ems::runtime
