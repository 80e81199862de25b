#pragma once
// The tools and resources ems-mcp serves (names and arguments agreed in the suite's interface
// list; every tool's JSON Schema is in tools/list):
//   search_knowledge {query, k?=5}           fused full-text + vector search of the documents
//   graph_neighbors {node, depth?=1}         nodes within `depth` hops and the edges between them
//   graph_path {from, to}                    shortest path in the site graph
//   upstream {device}                        parents, site and buses feeding a device
//   entity_chunks {entity}                   document chunks naming an entity
//   topology {device?}                       device-api GET /topology/view (one device's entry)
//   latest_telemetry {device}                historian GET /latest
//   telemetry_history {device, measurement, from?, to?, bucket?, agg?}  historian GET /samples
//   forecast {target, from?, to?}            analyst GET /forecast
// Upstream HTTP calls: 2 s connect, 10 s read; a non-200 answer becomes a tool error carrying
// the service's problem detail. Resources: one per ingested document, uri "ems://documents/<uri>",
// text/markdown.
#include <string>
#include <vector>

#include "ems/knowledge/graph.hpp"
#include "ems/knowledge/store.hpp"
#include "mcp_protocol.hpp"

namespace ems::mcp {

struct UpstreamUrls {
  std::string device_api = "http://127.0.0.1:8400";
  std::string historian = "http://127.0.0.1:8410";
  std::string analyst = "http://127.0.0.1:8420";
  // EMS_DEVICE_API_URL, EMS_HISTORIAN_URL, EMS_ANALYST_URL.
  static UpstreamUrls from_env();
};

std::vector<Tool> site_tools(const knowledge::KnowledgeStore& store,
                             const knowledge::GraphStore& graph, UpstreamUrls urls);

ResourceProvider document_resources(const knowledge::KnowledgeStore& store);

inline constexpr const char* kDocumentUriPrefix = "ems://documents/";

// "a b&c" -> "a%20b%26c" (RFC 3986 unreserved characters kept).
std::string url_encode(const std::string& s);

}  // namespace ems::mcp
