// Unit tests: document parsers, chunking, the hashed embedding, reciprocal rank fusion,
// standards extraction and the MCP argument validator.
#include <gtest/gtest.h>

#include <cmath>

#include "ems/knowledge/chunker.hpp"
#include "ems/knowledge/document.hpp"
#include "ems/knowledge/embedder.hpp"
#include "ems/knowledge/fusion.hpp"
#include "ems/knowledge/graph.hpp"
#include "mcp_protocol.hpp"
#include "template_documents.hpp"

using namespace ems::knowledge;

TEST(Documents, MarkdownSectionsKeepHeadingPathsAndIgnoreFencedHashes) {
  const auto doc = parse_markdown(
      "# Title\nintro\n## A\ntext a\n```\n# not a heading\n```\n### A1\ndeep\n## B\ntext b\n", "x");
  EXPECT_EQ(doc.title, "Title");
  ASSERT_EQ(doc.sections.size(), 4u);
  EXPECT_EQ(doc.sections[0].path_text(), "Title");
  EXPECT_EQ(doc.sections[1].path_text(), "Title > A");
  EXPECT_NE(doc.sections[1].text.find("# not a heading"), std::string::npos);
  EXPECT_EQ(doc.sections[2].path_text(), "Title > A > A1");
  EXPECT_EQ(doc.sections[3].path_text(), "Title > B");
}

TEST(Documents, HtmlDropsScriptsDecodesEntitiesAndOpensSectionsAtHeadings) {
  const auto doc = parse_html(
      "<html><head><title>Page &amp; more</title><style>p{}</style></head><body>"
      "<h1>Top</h1><p>one &lt;two&gt; &#65;&#x42;</p><script>var x = '<h2>';</script>"
      "<h2>Sub</h2><p>three</p></body></html>",
      "fallback");
  EXPECT_EQ(doc.title, "Page & more");
  ASSERT_EQ(doc.sections.size(), 2u);
  EXPECT_EQ(doc.sections[0].text, "one <two> AB");
  EXPECT_EQ(doc.sections[1].path_text(), "Top > Sub");
  EXPECT_EQ(doc.sections[1].text, "three");
}

TEST(Documents, TextTitleIsFirstLineAndBadPdfIsAClearError) {
  const auto doc = parse_text("\n  First line\nsecond\n", "f");
  EXPECT_EQ(doc.title, "First line");
  EXPECT_THROW(parse_pdf("not a pdf at all", "bad.pdf"), DocumentError);
  EXPECT_THROW(kind_for_path("x.docx"), DocumentError);
  EXPECT_EQ(kind_for_path("a/b.HTM"), DocumentKind::html);
}

TEST(Documents, PdfPagesBecomeSections) {
  // A minimal one-page PDF with the text "Hello PST" (uncompressed content stream).
  const std::string content = "BT /F1 12 Tf 72 712 Td (Hello PST) Tj ET";
  std::string pdf = "%PDF-1.4\n";
  std::vector<std::size_t> offsets;
  auto obj = [&](const std::string& body) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(offsets.size()) + " 0 obj\n" + body + "\nendobj\n";
  };
  obj("<< /Type /Catalog /Pages 2 0 R >>");
  obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
  obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << "
      "/F1 5 0 R >> >> >>");
  obj("<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream");
  obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  const std::size_t xref = pdf.size();
  pdf += "xref\n0 6\n0000000000 65535 f \n";
  for (auto o : offsets) {
    char line[32];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", o);
    pdf += line;
  }
  pdf += "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  const auto doc = parse_pdf(pdf, "hello");
  EXPECT_EQ(doc.title, "hello");
  ASSERT_EQ(doc.sections.size(), 1u);
  EXPECT_EQ(doc.sections[0].path_text(), "page 1");
  EXPECT_NE(doc.sections[0].text.find("Hello PST"), std::string::npos);
}

TEST(Chunker, ChunksStayInsideSectionsRespectTheSizeAndOverlap) {
  ParsedDocument doc;
  doc.title = "T";
  std::string long_text;
  for (int i = 0; i < 200; ++i) long_text += "word" + std::to_string(i) + " ";
  doc.sections.push_back({{"A"}, long_text});
  doc.sections.push_back({{"B"}, "short"});
  const auto chunks = chunk_document(doc, {300, 60});
  ASSERT_GT(chunks.size(), 3u);
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    EXPECT_LE(chunks[i].text.size(), 300u);
    EXPECT_EQ(chunks[i].ordinal, static_cast<int>(i));
  }
  EXPECT_EQ(chunks.back().section, "B");
  EXPECT_EQ(chunks.back().text, "short");
  // The second chunk starts with the end of the first.
  const std::string first_tail = chunks[0].text.substr(chunks[0].text.size() - 20);
  EXPECT_NE(chunks[1].text.find(first_tail), std::string::npos);
  EXPECT_THROW(chunk_document(doc, {100, 100}), std::invalid_argument);
}

TEST(Embedder, HashedNgramsAreDeterministicUnitVectorsCloserForRelatedText) {
  HashedNgramEmbedder e(256);
  const auto a = e.embed_text("battery state of charge");
  const auto b = e.embed_text("state of charge of the battery rack");
  const auto c = e.embed_text("phase shifting transformer tap");
  ASSERT_EQ(a.size(), 256u);
  double na = 0, ab = 0, ac = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    na += a[i] * a[i];
    ab += a[i] * b[i];
    ac += a[i] * c[i];
  }
  EXPECT_NEAR(na, 1.0, 1e-5);
  EXPECT_GT(ab, ac + 0.2);
  EXPECT_EQ(e.embed_text("battery state of charge"), a);
  EXPECT_EQ(e.model_id(), "hashed-ngram-v1-256");
}

TEST(Fusion, ReciprocalRankFusionRewardsAgreement) {
  const auto fused = reciprocal_rank_fusion({{1, 2, 3}, {3, 4, 1}});
  ASSERT_EQ(fused.size(), 4u);
  EXPECT_EQ(fused[0].id, 1);  // ranks 1 and 3
  EXPECT_EQ(fused[1].id, 3);  // ranks 3 and 1, ties broken by best rank then id
  EXPECT_NEAR(fused[0].score, 1.0 / 61 + 1.0 / 63, 1e-12);
  EXPECT_TRUE(reciprocal_rank_fusion({}).empty());
}

TEST(Graph, StandardsAreFoundAndNormalised) {
  const auto s = find_standards("rated by IEEE 738 and cigre  tb 601; see IEC 61850-7-4.");
  EXPECT_EQ(s, (std::vector<std::string>{"CIGRE TB 601", "IEC 61850-7-4", "IEEE 738"}));
}

TEST(Protocol, ArgumentValidationNamesTheArgument) {
  const ems::mcp::Json schema = {{"type", "object"},
                                 {"properties",
                                  {{"q", {{"type", "string"}, {"minLength", 1}}},
                                   {"k", {{"type", "integer"}, {"minimum", 1}}}}},
                                 {"required", {"q"}}};
  std::string path;
  EXPECT_EQ(ems::mcp::validate_arguments(schema, {{"q", "x"}, {"k", 2}}, path), "");
  EXPECT_NE(ems::mcp::validate_arguments(schema, {{"k", 2}}, path), "");
  EXPECT_EQ(path, "/q");
  EXPECT_NE(ems::mcp::validate_arguments(schema, {{"q", "x"}, {"k", "2"}}, path), "");
  EXPECT_EQ(path, "/k");
  EXPECT_NE(ems::mcp::validate_arguments(schema, {{"q", "x"}, {"k", 0}}, path), "");
  EXPECT_NE(ems::mcp::validate_arguments(schema, {{"q", "x"}, {"zz", 1}}, path), "");
  EXPECT_EQ(path, "/zz");
}

TEST(TemplateDocuments, RackTemplateNamesItsSetpointRegister) {
  const ems::mcp::Json tpl = {
      {"template", "bess_rack"},
      {"kind", "leaf"},
      {"description", "rack"},
      {"commands",
       {{"set_active_power",
         {{"verb", "set"},
          {"target", "active_power"},
          {"unit", "watts"},
          {"payload", "float"},
          {"binding", {{"protocol", "modbus_tcp"}, {"function_code", 16}, {"address", 50}}}}}}}};
  const auto doc = ems::mcp::render_template_document("bess_rack", tpl);
  ASSERT_EQ(doc.sections.size(), 2u);
  EXPECT_EQ(doc.sections[1].path_text(), "Commands > set_active_power");
  EXPECT_NE(doc.sections[1].text.find("register address 50"), std::string::npos);
  EXPECT_NE(doc.sections[1].text.find("active_power setpoint"), std::string::npos);
}
