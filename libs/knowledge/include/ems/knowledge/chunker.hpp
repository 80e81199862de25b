#pragma once
// Chunking: a parsed document cut into overlapping pieces small enough to embed and to show as
// a search result, each remembering its document title and section path.
//
// Rules: a chunk never spans two sections (a section path is one place in the document). Inside
// a section, paragraphs (blank-line separated) are packed up to `max_chars`; a paragraph longer
// than that is cut at word boundaries. Each chunk after the first of a section starts with the
// last `overlap_chars` (rounded to a word boundary) of the chunk before, so a sentence cut at a
// boundary is whole in one of the two. Pure; never throws for valid options
// (std::invalid_argument when overlap_chars >= max_chars or max_chars == 0).
#include <string>
#include <vector>

#include "ems/knowledge/document.hpp"

namespace ems::knowledge {

struct ChunkOptions {
  std::size_t max_chars = 1200;
  std::size_t overlap_chars = 200;
};

struct Chunk {
  int ordinal = 0;      // 0.. in document order
  std::string section;  // Section::path_text()
  std::string text;
};

std::vector<Chunk> chunk_document(const ParsedDocument& doc, const ChunkOptions& options = {});

}  // namespace ems::knowledge
