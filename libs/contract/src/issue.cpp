#include "ems/contract/issue.hpp"

namespace ems::contract {
namespace {
std::string join(const std::vector<Issue>& issues) {
  std::string out;
  for (const auto& i : issues) {
    if (!out.empty()) out += "; ";
    out += (i.path.empty() ? std::string("/") : i.path) + ": " + i.message;
  }
  return out.empty() ? "invalid input" : out;
}
}  // namespace

ContractError::ContractError(std::vector<Issue> issues)
    : std::runtime_error(join(issues)), issues_(std::move(issues)) {}

ContractError::ContractError(std::string path, std::string message)
    : ContractError(std::vector<Issue>{{std::move(path), std::move(message)}}) {}

std::string json_pointer_append(const std::string& base, const std::string& token) {
  std::string out = base;
  out += '/';
  for (char c : token) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

}  // namespace ems::contract
