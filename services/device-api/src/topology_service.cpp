#include "topology_service.hpp"

#include <fstream>
#include <sstream>

#include "api_error.hpp"
#include "ems/contract/asyncapi.hpp"
#include "ems/contract/json_yaml.hpp"
#include "ems/contract/semver.hpp"
#include "ems/contract/sld.hpp"
#include "ems/contract/view.hpp"
#include "ems/runtime/json_input.hpp"
#include "ems/runtime/log.hpp"

namespace ems::device_api {
namespace {

using nlohmann::json;

std::string site_of(const contract::Dtm& dtm, const std::string& fallback) {
  return dtm.site_id.value_or(fallback);
}

void check_if_match(const ChangeRequest& request, const std::optional<StoredTopology>& current) {
  if (!request.if_match || *request.if_match == "*") return;
  const std::string have = current ? "\"" + current->meta.version + "\"" : std::string("\"\"");
  if (*request.if_match != have)
    throw precondition_failed("If-Match " + *request.if_match +
                              " does not match the current version " + have);
}

bool is_newer(const std::string& a, const std::string& b) {
  return contract::parse_semver(a) > contract::parse_semver(b);
}

}  // namespace

Documents generate_documents(const contract::Dtm& dtm, const std::string& version,
                             const std::string& site_id) {
  Documents out;
  contract::AsyncApiOptions asyncapi;
  asyncapi.version = version;
  asyncapi.default_site_id = site_id;
  // Written straight to text: the same bytes as generate_asyncapi(...).dump() without the
  // Json tree, which for a 10,000-device site cost several times the 125 MB it serializes.
  out.asyncapi_json = contract::generate_asyncapi_text(dtm, asyncapi);
  out.asyncapi_json.shrink_to_fit();  // the writer reserves ahead; the cache keeps only the bytes
  contract::ViewOptions view;
  view.version = version;
  view.default_site_id = site_id;
  out.view_json = contract::topology_view(dtm, view).dump();
  out.sld_svg = contract::render_sld_svg(dtm);
  return out;
}

Snapshot::Snapshot(StoredTopology stored, contract::Dtm dtm, std::string site_id,
                   Documents documents)
    : stored_(std::move(stored)),
      dtm_(std::move(dtm)),
      site_id_(std::move(site_id)),
      documents_(std::move(documents)) {}

Snapshot::Snapshot(StoredTopology stored, contract::Dtm dtm, std::string site_id,
                   const contract::ContractError& why)
    : stored_(std::move(stored)),
      dtm_(std::move(dtm)),
      site_id_(std::move(site_id)),
      unservable_(why.issues()) {}

const Documents& Snapshot::documents() const {
  if (!documents_) {
    throw ApiError(500, "Stored Topology Cannot Be Served", unservable_,
                   "stored version " + version() +
                       " cannot be expressed as the documents device-api serves; POST a "
                       "corrected topology");
  }
  return *documents_;
}

const std::string& Snapshot::asyncapi_json() const {
  return documents().asyncapi_json;
}

const std::string& Snapshot::asyncapi_yaml() const {
  std::call_once(yaml_once_, [&] { yaml_ = contract::to_yaml(json::parse(asyncapi_json())); });
  return yaml_;
}

const std::string& Snapshot::view_json() const {
  return documents().view_json;
}

const std::string& Snapshot::sld_svg() const {
  return documents().sld_svg;
}

const std::string& Snapshot::topology_json() const {
  std::call_once(topology_once_, [&] {
    const auto& m = stored_.meta;
    json body = {{"version", m.version}, {"bump", m.bump},    {"reasons", m.reasons},
                 {"reason", m.reason},   {"actor", m.actor},  {"created_at", m.created_at},
                 {"site_id", site_id_},  {"dtm", stored_.dtm}};
    topology_ = body.dump();
  });
  return topology_;
}

TopologyService::TopologyService(TopologyStore& store, const contract::TemplateCatalog& catalog,
                                 std::string default_site_id, Announce announce)
    : store_(store),
      catalog_(catalog),
      default_site_id_(std::move(default_site_id)),
      announce_(std::move(announce)) {}

std::shared_ptr<const Snapshot> TopologyService::load_snapshot(StoredTopology stored) const {
  contract::Dtm dtm = contract::parse_dtm(stored.dtm, &catalog_);
  std::string site = site_of(dtm, default_site_id_);
  try {
    Documents documents = generate_documents(dtm, stored.meta.version, site);
    return std::make_shared<const Snapshot>(std::move(stored), std::move(dtm), std::move(site),
                                            std::move(documents));
  } catch (const contract::ContractError& e) {
    runtime::log::error("stored topology cannot be served; POST a corrected topology",
                        {{"version", stored.meta.version}, {"error", e.what()}});
    return std::make_shared<const Snapshot>(std::move(stored), std::move(dtm), std::move(site), e);
  }
}

void TopologyService::load() {
  auto latest = store_.latest();
  std::shared_ptr<const Snapshot> snap;
  if (latest) {
    try {
      snap = load_snapshot(std::move(*latest));
    } catch (const contract::ContractError& e) {
      // A stored version that today's catalog rejects stays stored (history is immutable), but
      // serving documents generated from it would break the contract: refuse to start, naming
      // the version, so the operator restores the catalog (EMS_TEMPLATE_DIR) it was stored with.
      runtime::log::error("stored topology no longer validates",
                          {{"version", latest->meta.version}, {"error", e.what()}});
      throw;
    }
  }
  std::lock_guard lock(mutex_);
  current_ = std::move(snap);
}

void TopologyService::boot_from_file(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error("BOOT_DTM_PATH " + path + " cannot be read (missing or unreadable)");
  std::stringstream buffer;
  buffer << in.rdbuf();
  json doc;
  try {
    doc = runtime::parse_json(buffer.str());
  } catch (const runtime::JsonInputError& e) {
    throw std::runtime_error("BOOT_DTM_PATH " + path + " is not valid JSON: " + e.what());
  }
  try {
    contract::parse_dtm(doc, &catalog_);
  } catch (const contract::ContractError& e) {
    throw std::runtime_error("BOOT_DTM_PATH " + path + " is not a valid DTM: " + e.what());
  }
  if (current()) {
    runtime::log::info("topology store already populated; boot DTM not seeded",
                       {{"path", path}, {"version", current()->version()}});
    return;
  }
  ChangeRequest request;
  request.actor = "boot";
  request.reason = "seeded from BOOT_DTM_PATH " + path;
  // Seeds only an empty store: if another instance seeded first, this is a checked no-op.
  ChangeResult result;
  try {
    result = apply(
        [&](const json* current) -> json {
          if (current) return *current;
          return doc;
        },
        request);
  } catch (const ApiError& e) {
    // unservable(): what() names the JSON paths.
    throw std::runtime_error("BOOT_DTM_PATH " + path + " is refused: " + e.what());
  }
  runtime::log::info("topology seeded", {{"path", path}, {"version", result.version}});
}

std::shared_ptr<const Snapshot> TopologyService::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

ChangeResult TopologyService::replace(const json& dtm, const ChangeRequest& request) {
  return apply([&](const json*) { return dtm; }, request);
}

ChangeResult TopologyService::edit(const std::function<void(json&)>& edit,
                                   const ChangeRequest& request) {
  return apply(
      [&](const json* current) {
        if (!current) throw not_found("", "no topology has been stored yet; POST /topology first");
        json doc = *current;
        edit(doc);
        return doc;
      },
      request);
}

ChangeResult TopologyService::apply(const std::function<json(const json* current)>& next_doc,
                                    const ChangeRequest& request) {
  ChangeResult result;
  std::shared_ptr<const Snapshot> cached = current();
  // What decide() prepared for the row it returns, so that the snapshot of the new version is
  // built without parsing or generating again.
  std::optional<contract::Dtm> next_dtm;
  std::optional<Documents> documents;
  std::string next_site;
  auto appended = store_.append_if(
      [&](const std::optional<StoredTopology>& latest) -> std::optional<NewVersion> {
        next_dtm.reset();
        documents.reset();
        check_if_match(request, latest);
        // The normalized form of what we store: defaults filled, one canonical shape.
        contract::Dtm next =
            contract::parse_dtm(next_doc(latest ? &latest->dtm : nullptr), &catalog_);
        NewVersion row;
        row.actor = request.actor;
        row.reason = request.reason;
        row.dtm = contract::to_json(next);
        if (!latest) {
          row.version = "1.0.0";
          row.bump = "initial";
          row.reasons = json::array({"initial topology"});
        } else {
          // The cached snapshot is the latest row unless another process wrote since.
          contract::Dtm before = (cached && cached->version() == latest->meta.version)
                                     ? cached->dtm()
                                     : contract::parse_dtm(latest->dtm, &catalog_);
          contract::ChangeReport report = contract::classify_change(before, next);
          if (report.bump == contract::Bump::none) {
            result.version = latest->meta.version;
            result.bump = "none";
            return std::nullopt;
          }
          row.version = contract::to_string(
              contract::next(contract::parse_semver(latest->meta.version), report.bump));
          row.bump = std::string(contract::to_string(report.bump));
          row.reasons = report.reasons;
        }
        // Never store what cannot be served (CONTRACT.md section 7): the documents are
        // generated from the candidate, as the version it will be, before the commit - a
        // failure aborts the transaction - and are the ones served once it is committed.
        next_site = site_of(next, default_site_id_);
        try {
          documents = generate_documents(next, row.version, next_site);
        } catch (const contract::ContractError& e) {
          throw unservable(e);
        }
        next_dtm = std::move(next);
        return row;
      });
  if (!appended) return result;
  auto snap = std::make_shared<const Snapshot>(std::move(*appended), std::move(*next_dtm),
                                               std::move(next_site), std::move(*documents));
  result.created = true;
  result.version = snap->version();
  result.bump = snap->stored().meta.bump;
  result.reasons = snap->stored().meta.reasons;
  {
    // Concurrent writers finish in any order; memory keeps the newest version.
    std::lock_guard lock(mutex_);
    if (!current_ || is_newer(snap->version(), current_->version())) current_ = snap;
  }
  runtime::log::info(
      "topology version stored",
      {{"version", result.version}, {"bump", result.bump}, {"actor", request.actor}});
  if (announce_) announce_(result.version);
  return result;
}

}  // namespace ems::device_api
