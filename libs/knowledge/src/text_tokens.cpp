#include "text_tokens.hpp"

#include <cctype>
#include <string_view>
#include <unordered_set>

namespace ems::knowledge::detail {

namespace {

bool stop_word(const std::string& w) {
  static const std::unordered_set<std::string> kStop = {
      "a",    "an",  "the",  "and",  "or",    "of",  "to",    "in",    "on",     "at",
      "by",   "for", "with", "is",   "are",   "was", "be",    "it",    "its",    "this",
      "that", "as",  "from", "what", "which", "how", "when",  "where", "who",    "does",
      "do",   "if",  "then", "than", "not",   "no",  "can",   "will",  "should", "has",
      "have", "i",   "we",   "you",  "our",   "my",  "there", "into",  "about",  "s"};
  return kStop.count(w) != 0;
}

}  // namespace

std::vector<std::string> content_words(const std::string& text) {
  std::vector<std::string> out;
  std::string word;
  auto flush = [&] {
    while (!word.empty() && word.back() == '_') word.pop_back();
    std::size_t b = 0;
    while (b < word.size() && word[b] == '_') ++b;
    word = word.substr(b);
    if (word.empty()) return;
    if (word.find('_') != std::string::npos) {
      out.push_back(word);
      std::size_t start = 0;
      while (start < word.size()) {
        std::size_t end = word.find('_', start);
        if (end == std::string::npos) end = word.size();
        std::string part = word.substr(start, end - start);
        if (!part.empty() && !stop_word(part)) out.push_back(part);
        start = end + 1;
      }
    } else if (!stop_word(word)) {
      out.push_back(word);
    }
    word.clear();
  };
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '_')
      word.push_back(static_cast<char>(std::tolower(c)));
    else
      flush();
  }
  flush();
  return out;
}

}  // namespace ems::knowledge::detail
