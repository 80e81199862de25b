#pragma once
// Validation issues and the one error type the contract library throws.
//
// Convention for the whole suite: pure functions that check input collect every problem they
// find as an Issue (JSON Pointer path + readable message) and throw ContractError at the
// boundary. Services turn a ContractError into an application/problem+json response.

#include <stdexcept>
#include <string>
#include <vector>

namespace ems::contract {

struct Issue {
  std::string path;     // RFC 6901 JSON Pointer into the offending document, "" = the document
  std::string message;  // what is wrong, readable by an operator
  bool operator==(const Issue&) const = default;
};

// Thrown by parse/validate functions. what() joins the issues; issues() lists them all.
class ContractError : public std::runtime_error {
 public:
  explicit ContractError(std::vector<Issue> issues);
  ContractError(std::string path, std::string message);
  const std::vector<Issue>& issues() const noexcept { return issues_; }

 private:
  std::vector<Issue> issues_;
};

// Appends a reference token to a JSON Pointer, escaping '~' and '/'.
std::string json_pointer_append(const std::string& base, const std::string& token);

}  // namespace ems::contract
