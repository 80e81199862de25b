#pragma once
// Documents as the knowledge store sees them: a title and a list of sections, each with its path
// of headings ("Line overload > Immediate actions") and its text. Parsers for the four formats
// the store ingests; pure functions over bytes (PDF included), no I/O but read_document().
//
// Errors: parse_pdf() and read_document() throw DocumentError with the source name and the
// reason (not a PDF, encrypted, unreadable file, unknown extension). The text parsers never
// throw: any bytes give a document (possibly with no sections).
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ems::knowledge {

class DocumentError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class DocumentKind { markdown, text, html, pdf };
std::string_view to_string(DocumentKind kind);

struct Section {
  std::vector<std::string> path;  // headings from the outermost in, empty before the first one
  std::string text;               // the body under that heading (no heading line)
  std::string path_text() const;  // headings joined by " > "
};

struct ParsedDocument {
  std::string title;  // first level-1 heading / <title> / PDF title / first line / file stem
  DocumentKind kind = DocumentKind::text;
  std::vector<Section> sections;  // in document order; sections with empty text are dropped
};

// Markdown: ATX headings (# .. ######) open sections; fenced code blocks are kept as text and
// never read as headings. Title: the first level-1 heading, else `fallback_title`.
ParsedDocument parse_markdown(std::string_view text, std::string_view fallback_title);
// Plain text: one section; title: the first non-empty line (trimmed, at most 120 characters).
ParsedDocument parse_text(std::string_view text, std::string_view fallback_title);
// HTML: tags removed, <script>/<style> dropped, <h1>..<h6> open sections, block elements end
// lines, the common entities decoded (&amp; &lt; &gt; &quot; &#39; &nbsp; &#NN; &#xNN;).
// Title: <title>, else the first <h1>, else `fallback_title`.
ParsedDocument parse_html(std::string_view text, std::string_view fallback_title);
// PDF (poppler-cpp): one section per page ("page N"); title from the document info, else
// `fallback_title`. Throws DocumentError for bytes poppler cannot open or a locked document.
ParsedDocument parse_pdf(const std::string& bytes, std::string_view fallback_title);

// By extension: .md/.markdown, .txt/.text, .html/.htm, .pdf. Throws DocumentError for another
// extension or an unreadable file.
DocumentKind kind_for_path(const std::filesystem::path& path);
ParsedDocument parse_bytes(DocumentKind kind, const std::string& bytes,
                           std::string_view fallback_title);
std::string read_file_bytes(const std::filesystem::path& path);

}  // namespace ems::knowledge
