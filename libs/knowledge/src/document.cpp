#include "ems/knowledge/document.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <memory>
#include <sstream>

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-page.h>

namespace ems::knowledge {

namespace {

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Collects sections while headings arrive; drops sections whose text is blank.
class SectionBuilder {
 public:
  void heading(int level, std::string title) {
    flush();
    if (level < 1) level = 1;
    path_.resize(std::min<std::size_t>(path_.size(), static_cast<std::size_t>(level - 1)));
    while (path_.size() < static_cast<std::size_t>(level - 1)) path_.emplace_back();
    path_.push_back(std::move(title));
  }
  void text(std::string_view line) {
    text_.append(line);
    text_.push_back('\n');
  }
  std::vector<Section> finish() {
    flush();
    return std::move(sections_);
  }

 private:
  void flush() {
    std::string body = trim(text_);
    text_.clear();
    if (body.empty()) return;
    std::vector<std::string> path;
    for (const auto& p : path_)
      if (!p.empty()) path.push_back(p);
    sections_.push_back(Section{std::move(path), std::move(body)});
  }
  std::vector<std::string> path_;
  std::string text_;
  std::vector<Section> sections_;
};

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == text.size()) break;
    start = end + 1;
  }
  return lines;
}

std::string decode_entities(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out.push_back(s[i]);
      continue;
    }
    const std::size_t semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out.push_back('&');
      continue;
    }
    const std::string name(s.substr(i + 1, semi - i - 1));
    std::string repl;
    if (name == "amp")
      repl = "&";
    else if (name == "lt")
      repl = "<";
    else if (name == "gt")
      repl = ">";
    else if (name == "quot")
      repl = "\"";
    else if (name == "apos" || name == "#39")
      repl = "'";
    else if (name == "nbsp")
      repl = " ";
    else if (name.size() > 1 && name[0] == '#') {
      unsigned long code = 0;
      try {
        code = (name[1] == 'x' || name[1] == 'X') ? std::stoul(name.substr(2), nullptr, 16)
                                                  : std::stoul(name.substr(1));
      } catch (const std::exception&) {
        code = 0;
      }
      // UTF-8 encode (code points beyond U+10FFFF and surrogates become '?').
      if (code == 0 || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
        repl = "?";
      else if (code < 0x80)
        repl = std::string(1, static_cast<char>(code));
      else if (code < 0x800) {
        repl += static_cast<char>(0xC0 | (code >> 6));
        repl += static_cast<char>(0x80 | (code & 0x3F));
      } else if (code < 0x10000) {
        repl += static_cast<char>(0xE0 | (code >> 12));
        repl += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        repl += static_cast<char>(0x80 | (code & 0x3F));
      } else {
        repl += static_cast<char>(0xF0 | (code >> 18));
        repl += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
        repl += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        repl += static_cast<char>(0x80 | (code & 0x3F));
      }
    } else {
      out.push_back('&');
      continue;
    }
    out += repl;
    i = semi;
  }
  return out;
}

std::string collapse_spaces(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string_view to_string(DocumentKind kind) {
  switch (kind) {
    case DocumentKind::markdown:
      return "markdown";
    case DocumentKind::text:
      return "text";
    case DocumentKind::html:
      return "html";
    case DocumentKind::pdf:
      return "pdf";
  }
  return "text";
}

std::string Section::path_text() const {
  std::string out;
  for (const auto& p : path) {
    if (!out.empty()) out += " > ";
    out += p;
  }
  return out;
}

ParsedDocument parse_markdown(std::string_view text, std::string_view fallback_title) {
  ParsedDocument doc;
  doc.kind = DocumentKind::markdown;
  SectionBuilder builder;
  bool in_fence = false;
  std::string fence;
  for (std::string_view line : split_lines(text)) {
    const std::string trimmed = trim(line);
    if (trimmed.rfind("```", 0) == 0 || trimmed.rfind("~~~", 0) == 0) {
      const std::string marker = trimmed.substr(0, 3);
      if (!in_fence) {
        in_fence = true;
        fence = marker;
      } else if (marker == fence) {
        in_fence = false;
      }
      builder.text(line);
      continue;
    }
    if (!in_fence && !line.empty() && line[0] == '#') {
      std::size_t level = 0;
      while (level < line.size() && line[level] == '#') ++level;
      if (level <= 6 && (level == line.size() || line[level] == ' ')) {
        std::string title = trim(line.substr(level));
        while (!title.empty() && title.back() == '#') title.pop_back();
        title = trim(title);
        if (level == 1 && doc.title.empty()) doc.title = title;
        builder.heading(static_cast<int>(level), title);
        continue;
      }
    }
    builder.text(line);
  }
  doc.sections = builder.finish();
  if (doc.title.empty()) doc.title = std::string(fallback_title);
  return doc;
}

ParsedDocument parse_text(std::string_view text, std::string_view fallback_title) {
  ParsedDocument doc;
  doc.kind = DocumentKind::text;
  for (std::string_view line : split_lines(text)) {
    std::string t = trim(line);
    if (!t.empty()) {
      doc.title = t.substr(0, 120);
      break;
    }
  }
  if (doc.title.empty()) doc.title = std::string(fallback_title);
  std::string body = trim(text);
  if (!body.empty()) doc.sections.push_back(Section{{}, std::move(body)});
  return doc;
}

ParsedDocument parse_html(std::string_view html, std::string_view fallback_title) {
  ParsedDocument doc;
  doc.kind = DocumentKind::html;
  SectionBuilder builder;
  std::string line;       // text of the current line, entities not yet decoded
  std::string capture;    // text of the heading or <title> being read
  int heading_level = 0;  // > 0 inside <hN>
  bool in_title = false;
  std::string title_tag;
  auto end_line = [&] {
    std::string t = collapse_spaces(decode_entities(line));
    if (!t.empty()) builder.text(t);
    line.clear();
  };
  std::size_t i = 0;
  while (i < html.size()) {
    if (html[i] != '<') {
      if (heading_level > 0 || in_title)
        capture.push_back(html[i]);
      else
        line.push_back(html[i]);
      ++i;
      continue;
    }
    if (html.substr(i, 4) == "<!--") {
      const std::size_t end = html.find("-->", i + 4);
      i = end == std::string_view::npos ? html.size() : end + 3;
      continue;
    }
    const std::size_t close = html.find('>', i);
    if (close == std::string_view::npos) break;
    std::string tag = lower(html.substr(i + 1, close - i - 1));
    i = close + 1;
    const bool closing = !tag.empty() && tag[0] == '/';
    std::string name = tag.substr(closing ? 1 : 0);
    name = name.substr(0, name.find_first_of(" \t\r\n/"));
    if (!closing && (name == "script" || name == "style")) {
      const std::string end_tag = "</" + name;
      std::size_t end = i;
      while (true) {
        end = html.find('<', end);
        if (end == std::string_view::npos) break;
        if (lower(html.substr(end, end_tag.size())) == end_tag) break;
        ++end;
      }
      if (end == std::string_view::npos) break;
      const std::size_t gt = html.find('>', end);
      i = gt == std::string_view::npos ? html.size() : gt + 1;
      continue;
    }
    if (name == "title") {
      if (!closing) {
        in_title = true;
        capture.clear();
      } else if (in_title) {
        in_title = false;
        title_tag = collapse_spaces(decode_entities(capture));
        capture.clear();
      }
      continue;
    }
    if (name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6') {
      if (!closing) {
        end_line();
        heading_level = name[1] - '0';
        capture.clear();
      } else if (heading_level > 0) {
        std::string title = collapse_spaces(decode_entities(capture));
        if (heading_level == 1 && doc.title.empty()) doc.title = title;
        builder.heading(heading_level, title);
        heading_level = 0;
        capture.clear();
      }
      continue;
    }
    static const char* const kBlocks[] = {"p",  "div", "br",  "li",      "tr",      "table",
                                          "ul", "ol",  "pre", "section", "article", "blockquote"};
    if (std::find(std::begin(kBlocks), std::end(kBlocks), name) != std::end(kBlocks))
      end_line();
    else if (heading_level > 0 || in_title)
      capture.push_back(' ');
    else
      line.push_back(' ');
  }
  end_line();
  doc.sections = builder.finish();
  if (!title_tag.empty()) doc.title = title_tag;
  if (doc.title.empty()) doc.title = std::string(fallback_title);
  return doc;
}

ParsedDocument parse_pdf(const std::string& bytes, std::string_view fallback_title) {
  std::unique_ptr<poppler::document> pdf(
      poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
  if (!pdf) throw DocumentError("not a readable PDF: " + std::string(fallback_title));
  if (pdf->is_locked()) throw DocumentError("encrypted PDF: " + std::string(fallback_title));
  ParsedDocument doc;
  doc.kind = DocumentKind::pdf;
  const auto title = pdf->info_key("Title").to_utf8();
  doc.title = trim(std::string(title.begin(), title.end()));
  for (int p = 0; p < pdf->pages(); ++p) {
    std::unique_ptr<poppler::page> page(pdf->create_page(p));
    if (!page) continue;
    const auto utf8 = page->text().to_utf8();
    std::string text = trim(std::string(utf8.begin(), utf8.end()));
    if (text.empty()) continue;
    doc.sections.push_back(Section{{"page " + std::to_string(p + 1)}, std::move(text)});
  }
  if (doc.title.empty()) doc.title = std::string(fallback_title);
  return doc;
}

DocumentKind kind_for_path(const std::filesystem::path& path) {
  const std::string ext = lower(path.extension().string());
  if (ext == ".md" || ext == ".markdown") return DocumentKind::markdown;
  if (ext == ".txt" || ext == ".text") return DocumentKind::text;
  if (ext == ".html" || ext == ".htm") return DocumentKind::html;
  if (ext == ".pdf") return DocumentKind::pdf;
  throw DocumentError("unsupported document type '" + ext + "': " + path.string() +
                      " (expected .md, .txt, .html or .pdf)");
}

ParsedDocument parse_bytes(DocumentKind kind, const std::string& bytes,
                           std::string_view fallback_title) {
  switch (kind) {
    case DocumentKind::markdown:
      return parse_markdown(bytes, fallback_title);
    case DocumentKind::text:
      return parse_text(bytes, fallback_title);
    case DocumentKind::html:
      return parse_html(bytes, fallback_title);
    case DocumentKind::pdf:
      return parse_pdf(bytes, fallback_title);
  }
  return parse_text(bytes, fallback_title);
}

std::string read_file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DocumentError("cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace ems::knowledge
