#include "ems/runtime/problem.hpp"

#include <httplib.h>

namespace ems::runtime {

nlohmann::json Problem::to_json() const {
  nlohmann::json j = {{"type", type.empty() ? "about:blank" : type},
                      {"title", title.empty() ? std::string(status_title(status)) : title},
                      {"status", status}};
  if (!detail.empty()) j["detail"] = detail;
  if (!errors.empty()) {
    auto& list = j["errors"] = nlohmann::json::array();
    for (const auto& e : errors) list.push_back({{"path", e.path}, {"message", e.message}});
  }
  return j;
}

void problem(httplib::Response& res, const Problem& p) {
  res.status = p.status;
  res.set_content(p.to_json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  std::string(kProblemContentType).c_str());
}

void problem(httplib::Response& res, int status, std::string_view title, std::string_view detail,
             const std::vector<ProblemError>& errors) {
  problem(res, Problem{status, std::string(title), std::string(detail), errors});
}

std::string_view status_title(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Range Not Satisfiable";
    case 422:
      return "Unprocessable Content";
    case 428:
      return "Precondition Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Error";
  }
}

ProblemException::ProblemException(Problem p)
    : std::runtime_error(p.detail.empty() ? p.title : p.detail), problem_(std::move(p)) {}

ProblemException::ProblemException(int status, std::string title, std::string detail,
                                   std::vector<ProblemError> errors)
    : ProblemException(Problem{status, std::move(title), std::move(detail), std::move(errors)}) {}

}  // namespace ems::runtime
