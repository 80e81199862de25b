#include "ems/knowledge/graph.hpp"

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>

#include "ems/runtime/pg.hpp"

namespace ems::knowledge {

namespace {

const std::vector<runtime::pg::Migration>& migrations() {
  static const std::vector<runtime::pg::Migration> kMigrations = {{1, R"SQL(
CREATE TABLE graph.nodes (
  id text PRIMARY KEY,
  kind text NOT NULL,
  label text NOT NULL,
  source text NOT NULL,
  props jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX nodes_label ON graph.nodes (lower(label));
CREATE TABLE graph.edges (
  src text NOT NULL REFERENCES graph.nodes(id) ON DELETE CASCADE,
  dst text NOT NULL REFERENCES graph.nodes(id) ON DELETE CASCADE,
  kind text NOT NULL,
  props jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (src, dst, kind)
);
CREATE INDEX edges_dst ON graph.edges (dst);
CREATE TABLE graph.mentions (
  node_id text NOT NULL REFERENCES graph.nodes(id) ON DELETE CASCADE,
  chunk_id bigint NOT NULL REFERENCES knowledge.chunks(id) ON DELETE CASCADE,
  PRIMARY KEY (node_id, chunk_id)
);
CREATE INDEX mentions_chunk ON graph.mentions (chunk_id);
)SQL"}};
  return kMigrations;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string spaced(std::string s) {
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

std::string str(const nlohmann::json& j, const char* key, const std::string& fallback = {}) {
  if (j.is_object() && j.contains(key) && j[key].is_string()) return j[key].get<std::string>();
  return fallback;
}

// `term` occurs in `text` (both lower case) not inside a longer word or identifier.
bool contains_term(const std::string& text, const std::string& term) {
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (std::size_t pos = text.find(term); pos != std::string::npos;
       pos = text.find(term, pos + 1)) {
    const bool left = pos == 0 || !word(text[pos - 1]);
    const std::size_t end = pos + term.size();
    const bool right = end >= text.size() || !word(text[end]);
    if (left && right) return true;
  }
  return false;
}

void upsert_node(pqxx::work& txn, const std::string& id, const std::string& kind,
                 const std::string& label, const std::string& source,
                 const nlohmann::json& props = nlohmann::json::object()) {
  txn.exec_params(
      "INSERT INTO graph.nodes(id, kind, label, source, props) VALUES ($1,$2,$3,$4,$5::jsonb) "
      "ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, label = EXCLUDED.label, "
      "props = EXCLUDED.props, source = CASE WHEN graph.nodes.source = 'catalog' THEN 'catalog' "
      "ELSE EXCLUDED.source END",
      id, kind, label, source, props.dump());
}

void add_edge(pqxx::work& txn, const std::string& src, const std::string& dst,
              const std::string& kind, const nlohmann::json& props = nlohmann::json::object()) {
  txn.exec_params(
      "INSERT INTO graph.edges(src, dst, kind, props) VALUES ($1,$2,$3,$4::jsonb) "
      "ON CONFLICT DO NOTHING",
      src, dst, kind, props.dump());
}

GraphNode node_from(const pqxx::row& row) {
  return GraphNode{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                   row.size() > 3 ? row[3].as<int>() : 0};
}

}  // namespace

std::vector<std::string> find_standards(const std::string& text) {
  static const std::regex kStandard(R"((IEEE|IEC|CIGRE\s+TB|ISO|EN|UL)\s*(\d{2,5}(?:-\d{1,3})*))",
                                    std::regex::icase);
  std::set<std::string> found;
  for (std::sregex_iterator it(text.begin(), text.end(), kStandard), end; it != end; ++it) {
    std::string body = (*it)[1].str();
    std::string org;
    for (char c : body) {
      if (std::isspace(static_cast<unsigned char>(c))) {
        if (!org.empty() && org.back() != ' ') org.push_back(' ');
      } else {
        org.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
      }
    }
    found.insert(org + " " + (*it)[2].str());
  }
  return {found.begin(), found.end()};
}

GraphStore::GraphStore(std::string database_url) : database_url_(std::move(database_url)) {}
GraphStore::~GraphStore() = default;

void GraphStore::open() {
  std::scoped_lock lock(mutex_);
  conn_ = runtime::pg::connect_with_retry(database_url_);
  runtime::pg::run_migrations(*conn_, "graph", migrations());
}

std::size_t GraphStore::sync_topology(const nlohmann::json& dtm) {
  if (!dtm.is_object() || !dtm.contains("devices") || !dtm["devices"].is_object())
    throw GraphError("topology: expected a DTM object with a devices map");
  std::scoped_lock lock(mutex_);
  pqxx::work txn(*conn_);
  // Mentions of topology nodes survive the replacement: saved and restored by node id.
  auto saved = txn.exec(
      "SELECT m.node_id, m.chunk_id FROM graph.mentions m JOIN graph.nodes n ON n.id = m.node_id "
      "WHERE n.source = 'topology'");
  txn.exec("DELETE FROM graph.nodes WHERE source = 'topology'");
  const std::string site_id = str(dtm, "site_id", "site");
  std::size_t count = 0;
  upsert_node(txn, "site:" + site_id, "site", str(dtm, "site_display_name", site_id), "topology");
  ++count;
  const nlohmann::json templates = dtm.value("templates_used", nlohmann::json::object());
  for (const auto& [id, device] : dtm["devices"].items()) {
    upsert_node(txn, "device:" + id, "device", str(device, "display_name", id), "topology",
                {{"template", str(device, "template")}});
    ++count;
  }
  for (const auto& [id, device] : dtm["devices"].items()) {
    const std::string node = "device:" + id;
    const std::string parent = str(device, "parent");
    if (!parent.empty() && dtm["devices"].contains(parent))
      add_edge(txn, node, "device:" + parent, "part_of");
    else
      add_edge(txn, node, "site:" + site_id, "located_at");
    const std::string slug = str(device, "template");
    if (slug.empty()) continue;
    upsert_node(txn, "template:" + slug, "equipment_type", slug, "topology");
    add_edge(txn, node, "template:" + slug, "instance_of");
    std::set<std::string> measured;
    if (templates.contains(slug) && templates[slug].contains("measurements") &&
        templates[slug]["measurements"].is_object())
      for (const auto& [m, spec] : templates[slug]["measurements"].items()) {
        (void)spec;
        measured.insert(m);
      }
    if (device.contains("extra_measurements") && device["extra_measurements"].is_object())
      for (const auto& [m, spec] : device["extra_measurements"].items()) {
        (void)spec;
        measured.insert(m);
      }
    for (const auto& m : measured) {
      txn.exec_params(
          "INSERT INTO graph.nodes(id, kind, label, source) VALUES ($1, 'measurement', $2, "
          "'topology') ON CONFLICT DO NOTHING",
          "measurement:" + m, m);
      add_edge(txn, node, "measurement:" + m, "measures");
    }
  }
  if (dtm.contains("buses") && dtm["buses"].is_array()) {
    for (const auto& bus : dtm["buses"]) {
      const std::string id = str(bus, "bus_id");
      if (id.empty()) continue;
      upsert_node(txn, "bus:" + id, "bus", id, "topology", {{"type", str(bus, "type")}});
      ++count;
      if (!bus.contains("members") || !bus["members"].is_array()) continue;
      for (const auto& member : bus["members"]) {
        const std::string device = str(member, "device_id");
        if (!dtm["devices"].contains(device)) continue;
        add_edge(txn, "device:" + device, "bus:" + id, "connected_to",
                 {{"port", str(member, "port")}});
      }
    }
  }
  for (const auto& row : saved)
    txn.exec_params(
        "INSERT INTO graph.mentions(node_id, chunk_id) SELECT $1, $2 WHERE EXISTS "
        "(SELECT 1 FROM graph.nodes WHERE id = $1) ON CONFLICT DO NOTHING",
        row[0].as<std::string>(), row[1].as<std::int64_t>());
  txn.commit();
  return count;
}

std::size_t GraphStore::sync_catalog(const nlohmann::json& templates) {
  if (!templates.is_object()) throw GraphError("catalog: expected an object slug -> template");
  std::scoped_lock lock(mutex_);
  pqxx::work txn(*conn_);
  std::size_t count = 0;
  for (const auto& [slug, tpl] : templates.items()) {
    upsert_node(txn, "template:" + slug, "equipment_type", slug, "catalog",
                {{"description", str(tpl, "description")},
                 {"vendor", str(tpl, "vendor")},
                 {"model", str(tpl, "model")}});
    txn.exec_params("UPDATE graph.nodes SET source = 'catalog' WHERE id = $1", "template:" + slug);
    ++count;
    if (!tpl.contains("measurements") || !tpl["measurements"].is_object()) continue;
    for (const auto& [m, spec] : tpl["measurements"].items()) {
      txn.exec_params(
          "INSERT INTO graph.nodes(id, kind, label, source, props) VALUES ($1,'measurement',$2,"
          "'catalog',$3::jsonb) ON CONFLICT (id) DO UPDATE SET source = 'catalog'",
          "measurement:" + m, m,
          nlohmann::json{{"unit", str(spec, "unit")},
                         {"display_name", str(spec, "display_name_default")}}
              .dump());
      add_edge(txn, "template:" + slug, "measurement:" + m, "has_measurement");
    }
  }
  txn.commit();
  return count;
}

std::size_t GraphStore::link_mentions(const std::vector<ChunkRef>& chunks) {
  std::scoped_lock lock(mutex_);
  pqxx::work txn(*conn_);
  struct Term {
    std::string node, term;
  };
  std::vector<Term> terms;
  for (const auto& row :
       txn.exec("SELECT id, kind, label FROM graph.nodes WHERE kind IN ('device','equipment_type',"
                "'measurement','bus')")) {
    const std::string id = row[0].as<std::string>();
    const std::string name = id.substr(id.find(':') + 1);
    terms.push_back({id, lower(name)});
    if (row[1].as<std::string>() != "device" && name.find('_') != std::string::npos)
      terms.push_back({id, lower(spaced(name))});
    const std::string label = lower(row[2].as<std::string>());
    if (label != lower(name) && label.size() >= 6) terms.push_back({id, label});
  }
  txn.exec("DELETE FROM graph.mentions");
  txn.exec("DELETE FROM graph.nodes WHERE source = 'entity'");
  std::size_t stored = 0;
  for (const auto& chunk : chunks) {
    const std::string text = lower(chunk.text);
    std::set<std::string> nodes;
    for (const auto& t : terms)
      if (t.term.size() >= 3 && contains_term(text, t.term)) nodes.insert(t.node);
    for (const auto& standard : find_standards(chunk.text)) {
      upsert_node(txn, "standard:" + standard, "standard", standard, "entity");
      nodes.insert("standard:" + standard);
    }
    for (const auto& node : nodes) {
      txn.exec_params(
          "INSERT INTO graph.mentions(node_id, chunk_id) VALUES ($1,$2) ON CONFLICT DO NOTHING",
          node, chunk.id);
      ++stored;
    }
  }
  txn.commit();
  return stored;
}

std::string GraphStore::resolve_locked(pqxx::work& txn, const std::string& name) const {
  if (name.empty()) throw GraphError("node name is empty");
  auto exact = txn.exec_params("SELECT id FROM graph.nodes WHERE id = $1", name);
  if (!exact.empty()) return exact[0][0].as<std::string>();
  for (const char* prefix :
       {"device:", "bus:", "equipment_type:", "template:", "measurement:", "standard:", "site:"}) {
    auto r = txn.exec_params("SELECT id FROM graph.nodes WHERE id = $1", prefix + name);
    if (!r.empty()) return r[0][0].as<std::string>();
  }
  auto by_label = txn.exec_params(
      "SELECT id FROM graph.nodes WHERE lower(label) = lower($1) OR lower(id) = lower($1) "
      "OR lower(id) = 'standard:' || lower($1) ORDER BY kind = 'device' DESC, id LIMIT 1",
      name);
  if (!by_label.empty()) return by_label[0][0].as<std::string>();
  throw GraphError("unknown node '" + name +
                   "' (try a device id such as bess_rack_1, a bus, a "
                   "template slug, a measurement name or a standard)");
}

std::string GraphStore::resolve(const std::string& name) const {
  std::scoped_lock lock(mutex_);
  pqxx::work txn(*conn_);
  return resolve_locked(txn, name);
}

Neighbourhood GraphStore::neighbors(const std::string& node, int depth) const {
  if (depth < 1 || depth > 4) throw GraphError("depth must be 1..4");
  std::scoped_lock lock(mutex_);
  pqxx::work txn(*conn_);
  const std::string start = resolve_locked(txn, node);
  Neighbourhood out;
  auto rows = txn.exec_params(
      "WITH RECURSIVE und(a, b) AS (SELECT src, dst FROM graph.edges UNION ALL "
      "                             SELECT dst, src FROM graph.edges), "
      "walk(id, d) AS (SELECT $1::text, 0 UNION SELECT und.b, walk.d + 1 FROM walk "
      "                JOIN und ON und.a = walk.id WHERE walk.d < $2) "
      "SELECT n.id, n.kind, n.label, min(walk.d) AS d FROM walk JOIN graph.nodes n ON n.id = "
      "walk.id "
      "GROUP BY n.id, n.kind, n.label ORDER BY d, n.kind, n.id",
      start, depth);
  std::string ids = "{";
  for (const auto& row : rows) {
    out.nodes.push_back(node_from(row));
    ids += (ids.size() > 1 ? "," : "") + std::string("\"") + row[0].as<std::string>() + "\"";
  }
  ids += "}";
  for (const auto& row : txn.exec_params("SELECT src, dst, kind FROM graph.edges WHERE src = "
                                         "ANY($1::text[]) AND dst = ANY($1::text[]) "
                                         "ORDER BY src, dst, kind",
                                         ids))
    out.edges.push_back(
        GraphEdge{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>()});
  return out;
}

std::vector<GraphNode> GraphStore::path(const std::string& from, const std::string& to) const {
  std::scoped_lock lock(mutex_);
  pqxx::work txn(*conn_);
  const std::string a = resolve_locked(txn, from);
  const std::string b = resolve_locked(txn, to);
  // Breadth-first over undirected edges; a node is not revisited on one path; measurement,
  // template, standard and site nodes are not walked through (every device would be two hops
  // from every other through them).
  auto rows = txn.exec_params(
      "WITH RECURSIVE und(a, b) AS (SELECT src, dst FROM graph.edges UNION ALL "
      "                             SELECT dst, src FROM graph.edges), "
      "walk(id, path) AS (SELECT $1::text, ARRAY[$1::text] UNION ALL "
      "  SELECT und.b, walk.path || und.b FROM walk JOIN und ON und.a = walk.id "
      "  WHERE NOT und.b = ANY(walk.path) AND cardinality(walk.path) < 9 "
      "    AND walk.id <> $2 AND (walk.id = $1 OR walk.id NOT LIKE 'measurement:%' AND "
      "    walk.id NOT LIKE 'template:%' AND walk.id NOT LIKE 'standard:%' AND "
      "    walk.id NOT LIKE 'site:%')) "
      "SELECT path FROM walk WHERE id = $2 ORDER BY cardinality(path) LIMIT 1",
      a, b);
  std::vector<GraphNode> out;
  if (rows.empty()) return out;
  // The array comes back as text {a,b,c}: parsed with pqxx's array parser.
  auto parser = rows[0][0].as_array();
  int i = 0;
  for (auto item = parser.get_next(); item.first != pqxx::array_parser::done;
       item = parser.get_next()) {
    if (item.first != pqxx::array_parser::string_value) continue;
    auto n = txn.exec_params("SELECT id, kind, label FROM graph.nodes WHERE id = $1", item.second);
    if (n.empty()) continue;
    GraphNode node = node_from(n[0]);
    node.distance = i++;
    out.push_back(node);
  }
  return out;
}

std::vector<GraphNode> GraphStore::upstream(const std::string& device) const {
  std::scoped_lock lock(mutex_);
  pqxx::work txn(*conn_);
  const std::string start = resolve_locked(txn, device);
  auto rows = txn.exec_params(
      "WITH RECURSIVE up(id, d) AS (SELECT $1::text, 0 UNION "
      "  SELECT e.dst, up.d + 1 FROM up JOIN graph.edges e ON e.src = up.id "
      "  WHERE e.kind IN ('part_of', 'located_at') AND up.d < 16), "
      "buses(id, d) AS (SELECT e.dst, up.d + 1 FROM up JOIN graph.edges e ON e.src = up.id "
      "  WHERE e.kind = 'connected_to') "
      "SELECT n.id, n.kind, n.label, min(x.d) FROM (SELECT * FROM up WHERE d > 0 UNION ALL "
      "  SELECT * FROM buses) x JOIN graph.nodes n ON n.id = x.id "
      "GROUP BY n.id, n.kind, n.label ORDER BY min(x.d), n.kind <> 'device', n.kind, n.id",
      start);
  std::vector<GraphNode> out;
  for (const auto& row : rows) out.push_back(node_from(row));
  return out;
}

std::vector<EntityChunk> GraphStore::entity_chunks(const std::string& entity,
                                                   std::size_t limit) const {
  if (limit < 1 || limit > 100) throw GraphError("limit must be 1..100");
  std::scoped_lock lock(mutex_);
  pqxx::work txn(*conn_);
  const std::string node = resolve_locked(txn, entity);
  // The entity's own mentions first, then (for a device) those of its equipment type.
  auto rows = txn.exec_params(
      "WITH targets(id, rank) AS (SELECT $1::text, 0 UNION ALL "
      "  SELECT dst, 1 FROM graph.edges WHERE src = $1 AND kind = 'instance_of') "
      "SELECT DISTINCT ON (c.id) c.id, d.uri, c.title, c.section, c.text, t.id, t.rank, c.ordinal "
      "FROM targets t JOIN graph.mentions m ON m.node_id = t.id "
      "JOIN knowledge.chunks c ON c.id = m.chunk_id JOIN knowledge.documents d ON d.id = "
      "c.document_id "
      "ORDER BY c.id, t.rank",
      node);
  std::vector<std::pair<int, EntityChunk>> found;
  for (const auto& row : rows)
    found.push_back(
        {row[6].as<int>(), EntityChunk{row[0].as<std::int64_t>(), row[1].as<std::string>(),
                                       row[2].as<std::string>(), row[3].as<std::string>(),
                                       row[4].as<std::string>(), row[5].as<std::string>()}});
  std::stable_sort(found.begin(), found.end(), [](const auto& x, const auto& y) {
    if (x.first != y.first) return x.first < y.first;
    return x.second.document < y.second.document;
  });
  std::vector<EntityChunk> out;
  for (std::size_t i = 0; i < found.size() && i < limit; ++i) out.push_back(found[i].second);
  return out;
}

std::size_t GraphStore::node_count() const {
  std::scoped_lock lock(mutex_);
  pqxx::work txn(*conn_);
  return txn.exec1("SELECT count(*) FROM graph.nodes")[0].as<std::size_t>();
}

}  // namespace ems::knowledge
