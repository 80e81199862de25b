// The knowledge store's parsers and chunker on arbitrary bytes: Markdown, plain text and HTML
// parsing never throw, and chunking any parsed document respects its size bound. PDF bytes
// either parse or throw DocumentError - never crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ems/knowledge/chunker.hpp"
#include "ems/knowledge/document.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ems::knowledge;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const ChunkOptions options{200, 50};
  for (const auto& doc :
       {parse_markdown(bytes, "f"), parse_text(bytes, "f"), parse_html(bytes, "f")}) {
    for (const auto& chunk : chunk_document(doc, options)) {
      if (chunk.text.empty() || chunk.text.size() > options.max_chars) std::abort();
    }
  }
  if (size >= 4 && bytes.compare(0, 4, "%PDF") == 0) {
    try {
      (void)parse_pdf(bytes, "f");
    } catch (const DocumentError&) {
    }
  }
  return 0;
}
