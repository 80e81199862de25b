#pragma once
// GraphStore: the site as a graph in PostgreSQL schema `graph`, queried by recursive SQL.
//
// Nodes (id "<kind>:<name>"):
//   site:<site_id>, device:<device_id>, bus:<bus_id>            source "topology" (from the DTM)
//   template:<slug> (equipment type), measurement:<name>         source "catalog" (templates)
//   standard:<name> ("standard:IEEE 738", "standard:IEC 61850")  source "entity" (from text)
// Edges (directed src -> dst):
//   device -part_of-> device (its parent), device -located_at-> site (root devices),
//   device -instance_of-> template, device -connected_to-> bus (props.port),
//   device -measures-> measurement, template -has_measurement-> measurement
// Mentions: node <-> knowledge chunk, for every chunk whose text names the node (a device id,
// a template slug or its words "bess rack", a measurement name or its words, a standard).
//
// sync_topology() replaces the topology part in one transaction (a new DTM version from the
// topology follower); sync_catalog() upserts templates and their measurements; link_mentions()
// recomputes every mention from the chunks given. Queries resolve a node from its id, its bare
// name ("bess_rack_2" -> device:bess_rack_2) or its label (case-insensitive).
//
// Errors: GraphError for an unknown node (message names it) or a bad argument (depth outside
// 1..4); pqxx errors for the database. Threading: every public method is thread-safe (one
// connection behind a mutex).
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

namespace ems::knowledge {

class GraphError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct GraphNode {
  std::string id, kind, label;
  int distance = 0;  // hops from the query's node (neighbours, upstream)
};

struct GraphEdge {
  std::string src, dst, kind;
};

struct Neighbourhood {
  std::vector<GraphNode> nodes;  // the start node first (distance 0)
  std::vector<GraphEdge> edges;  // every edge between the nodes listed
};

struct EntityChunk {
  std::int64_t chunk_id = 0;
  std::string document, title, section, text;
  std::string via;  // the node whose mention matched (the entity, or a device's template)
};

class GraphStore {
 public:
  explicit GraphStore(std::string database_url);
  ~GraphStore();

  // Connects (with retry) and applies the `graph` migrations (needs the `knowledge` schema).
  void open();

  // `dtm`: a DTM (CONTRACT.md section 5) as JSON. Returns the number of topology nodes.
  std::size_t sync_topology(const nlohmann::json& dtm);
  // `templates`: slug -> template JSON (`description`, `measurements`).
  std::size_t sync_catalog(const nlohmann::json& templates);

  struct ChunkRef {
    std::int64_t id;
    std::string text;  // what to look for names in (title, section and body)
  };
  // Returns the number of mentions stored.
  std::size_t link_mentions(const std::vector<ChunkRef>& chunks);

  std::string resolve(const std::string& name) const;
  Neighbourhood neighbors(const std::string& node, int depth = 1) const;
  // Shortest undirected path (at most 8 hops) as its nodes, through devices and buses only
  // (the ends may be any node); empty when none.
  std::vector<GraphNode> path(const std::string& from, const std::string& to) const;
  // The parent chain (distance 1, 2, ...), the site, and the buses of the device and of each
  // ancestor (distance of that device + 1): what feeds or contains it. Nearest first, devices
  // before buses at one distance.
  std::vector<GraphNode> upstream(const std::string& device) const;
  std::vector<EntityChunk> entity_chunks(const std::string& entity, std::size_t limit = 10) const;

  std::size_t node_count() const;

 private:
  std::string resolve_locked(pqxx::work& txn, const std::string& name) const;
  std::string database_url_;
  mutable std::mutex mutex_;
  std::unique_ptr<pqxx::connection> conn_;
};

// Standards named in a text ("IEEE 738", "IEC 61850", "CIGRE TB 601", "IEEE 1547"), normalised.
std::vector<std::string> find_standards(const std::string& text);

}  // namespace ems::knowledge
