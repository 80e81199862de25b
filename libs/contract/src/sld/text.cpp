// Label text for the SLD: glyph counting, wrapping and truncation on UTF-8 without splitting a
// code point. Widths are glyph counts because the diagram uses a monospace font.
#include <cctype>

#include "ems/contract/sld.hpp"

namespace ems::contract {
namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // U+2026

// Length in bytes of the UTF-8 sequence starting with byte c (1 for stray continuation bytes,
// so that malformed input still advances).
std::size_t sequence_length(unsigned char c) {
  if (c >= 0xF0) return 4;
  if (c >= 0xE0) return 3;
  if (c >= 0xC0) return 2;
  return 1;
}

// East Asian wide and emoji ranges: drawn two monospace cells wide.
bool is_wide(char32_t cp) {
  return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
         (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
         (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
         (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1FAFF) ||
         (cp >= 0x20000 && cp <= 0x3FFFD);
}

char32_t decode(std::string_view seq) {
  const auto lead = static_cast<unsigned char>(seq[0]);
  if (seq.size() == 1) return lead;
  char32_t cp = lead & (0x7F >> seq.size());
  for (std::size_t i = 1; i < seq.size(); ++i) {
    cp = (cp << 6) | (static_cast<unsigned char>(seq[i]) & 0x3F);
  }
  return cp;
}

struct Glyph {
  std::string_view bytes;
  int width = 1;
};

std::vector<Glyph> glyphs_of(std::string_view s) {
  std::vector<Glyph> out;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    const auto n = std::min(sequence_length(c), s.size() - i);
    const auto seq = s.substr(i, n);
    out.push_back({seq, is_wide(decode(seq)) ? 2 : 1});
    i += n;
  }
  return out;
}

int width_of(const std::vector<Glyph>& glyphs) {
  int w = 0;
  for (const auto& g : glyphs) w += g.width;
  return w;
}

std::string join(const std::vector<Glyph>& glyphs) {
  std::string out;
  for (const auto& g : glyphs) out += g.bytes;
  return out;
}

}  // namespace

int glyph_count(std::string_view utf8) {
  return width_of(glyphs_of(utf8));
}

std::string humanize(std::string_view slug) {
  std::string out(slug);
  for (auto& c : out) {
    if (c == '_') c = ' ';
  }
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

FittedText fit_text(std::string_view text, int max_chars, int max_lines) {
  FittedText fitted;
  if (max_chars < 2 || max_lines < 1) return fitted;
  // Words are separated by spaces; a word wider than a line is broken at the line width.
  std::vector<std::vector<Glyph>> words(1);
  for (const auto& g : glyphs_of(text)) {
    if (g.bytes == " " || g.bytes == "\t" || g.bytes == "\n") {
      if (!words.back().empty()) words.emplace_back();
    } else if (g.bytes.size() == 1 && static_cast<unsigned char>(g.bytes[0]) < 0x20) {
      continue;  // control characters are not drawn
    } else {
      words.back().push_back(g);
    }
  }
  if (words.back().empty()) words.pop_back();

  std::vector<std::vector<Glyph>> lines;
  std::vector<Glyph> line;
  for (auto& word : words) {
    const int need = width_of(line) + (line.empty() ? 0 : 1) + width_of(word);
    if (!line.empty() && need <= max_chars) {
      line.push_back({" ", 1});
      line.insert(line.end(), word.begin(), word.end());
      continue;
    }
    if (!line.empty()) lines.push_back(std::move(line));
    line.clear();
    for (const auto& g : word) {
      if (width_of(line) + g.width > max_chars) {
        lines.push_back(std::move(line));
        line.clear();
      }
      line.push_back(g);
    }
  }
  if (!line.empty()) lines.push_back(std::move(line));

  if (static_cast<int>(lines.size()) > max_lines) {
    lines.resize(static_cast<std::size_t>(max_lines));
    auto& last = lines.back();
    while (!last.empty() && (width_of(last) + 1 > max_chars || last.back().bytes == " ")) {
      last.pop_back();
    }
    last.push_back({kEllipsis, 1});
    fitted.truncated = true;
  }
  for (const auto& l : lines) fitted.lines.push_back(join(l));
  return fitted;
}

}  // namespace ems::contract
