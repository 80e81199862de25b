#include "ems/knowledge/chunker.hpp"

#include <stdexcept>
#include <string_view>

namespace ems::knowledge {

namespace {

std::vector<std::string> paragraphs(const std::string& text) {
  std::vector<std::string> out;
  std::string current;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    const bool blank = line.find_first_not_of(" \t\r") == std::string_view::npos;
    if (blank) {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
    } else {
      if (!current.empty()) current.push_back('\n');
      current.append(line);
    }
    if (end == text.size()) break;
    start = end + 1;
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

// Cuts `text` into pieces of at most `max` characters at spaces (a word longer than `max` is cut).
std::vector<std::string> split_long(const std::string& text, std::size_t max) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (text.size() - pos <= max) {
      out.push_back(text.substr(pos));
      break;
    }
    std::size_t cut = text.rfind(' ', pos + max);
    if (cut == std::string::npos || cut <= pos) cut = pos + max;
    out.push_back(text.substr(pos, cut - pos));
    pos = cut;
    while (pos < text.size() && text[pos] == ' ') ++pos;
  }
  return out;
}

// The last ~`n` characters of `text`, starting at a word boundary.
std::string tail(const std::string& text, std::size_t n) {
  if (n == 0) return {};
  if (text.size() <= n) return text;
  std::size_t start = text.size() - n;
  const std::size_t space = text.find_first_of(" \n", start);
  if (space != std::string::npos && space + 1 < text.size()) start = space + 1;
  return text.substr(start);
}

}  // namespace

std::vector<Chunk> chunk_document(const ParsedDocument& doc, const ChunkOptions& options) {
  if (options.max_chars == 0 || options.overlap_chars >= options.max_chars)
    throw std::invalid_argument("chunk options: need 0 <= overlap_chars < max_chars");
  std::vector<Chunk> chunks;
  int ordinal = 0;
  const std::size_t body_max = options.max_chars - options.overlap_chars;
  for (const Section& section : doc.sections) {
    const std::string path = section.path_text();
    std::vector<std::string> pieces;
    std::string current;
    for (const std::string& para : paragraphs(section.text)) {
      for (const std::string& part : split_long(para, body_max)) {
        if (!current.empty() && current.size() + 2 + part.size() > body_max) {
          pieces.push_back(std::move(current));
          current.clear();
        }
        if (!current.empty()) current += "\n\n";
        current += part;
      }
    }
    if (!current.empty()) pieces.push_back(std::move(current));
    std::string previous;
    for (std::string& piece : pieces) {
      // The overlap and its separating space fit in overlap_chars: a chunk is <= max_chars.
      const std::string head =
          tail(previous, options.overlap_chars > 0 ? options.overlap_chars - 1 : 0);
      std::string text = head.empty() ? piece : head + " " + piece;
      previous = piece;
      chunks.push_back(Chunk{ordinal++, path, std::move(text)});
    }
  }
  return chunks;
}

}  // namespace ems::knowledge
