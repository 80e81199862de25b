#pragma once
// Word splitting shared by the embedder and the entity matcher: lower-cased ASCII words and
// digits; snake_case identifiers give the whole identifier and each part; common English
// function words are dropped.
#include <string>
#include <vector>

namespace ems::knowledge::detail {

std::vector<std::string> content_words(const std::string& text);

}  // namespace ems::knowledge::detail
