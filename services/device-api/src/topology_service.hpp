#pragma once
// TopologyService: device-api's logic between HTTP and the store. It validates every change
// against the contract and the bundled catalog, classifies it (semver), generates the documents
// it will serve (AsyncAPI, view, single-line diagram) from the candidate DTM, and only then
// appends one version per accepted change and announces it - so it never stores a version it
// cannot serve (CONTRACT.md section 7). The documents generated before the commit are the ones
// served: each is generated once per version.

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ems/contract/catalog.hpp"
#include "ems/contract/dtm.hpp"
#include "topology_store.hpp"

namespace ems::device_api {

// The documents device-api serves for one version, generated together from its DTM.
struct Documents {
  std::string asyncapi_json;  // generate_asyncapi_text
  std::string view_json;      // topology_view(...).dump()
  std::string sld_svg;        // render_sld_svg
};

// Generates the three documents of `dtm` as version `version` of site `site_id`. Throws
// contract::ContractError (with the JSON Pointer of the offending DTM value) when the DTM,
// though valid, cannot be expressed - e.g. two poi_meter devices make {poi_meter_device_id}
// ambiguous, a module child lacks the measurement its parent rolls up.
Documents generate_documents(const contract::Dtm& dtm, const std::string& version,
                             const std::string& site_id);

// A version with its parsed DTM and its documents. The YAML and GET /topology bodies are derived
// lazily (they cannot fail). A snapshot loaded from the store whose documents cannot be
// generated (a version stored before this check existed, or a catalog that changed) keeps the
// reason: its document getters throw ApiError 500 naming the version and the JSON paths, while
// its DTM stays readable and a corrected topology can still be posted.
class Snapshot {
 public:
  Snapshot(StoredTopology stored, contract::Dtm dtm, std::string site_id, Documents documents);
  // Documents that could not be generated: `why` says why.
  Snapshot(StoredTopology stored, contract::Dtm dtm, std::string site_id,
           const contract::ContractError& why);
  const StoredTopology& stored() const { return stored_; }
  const contract::Dtm& dtm() const { return dtm_; }
  const std::string& version() const { return stored_.meta.version; }
  const std::string& site_id() const { return site_id_; }

  const std::string& asyncapi_json() const;
  const std::string& asyncapi_yaml() const;
  const std::string& view_json() const;
  const std::string& sld_svg() const;
  const std::string& topology_json() const;  // GET /topology body

 private:
  const Documents& documents() const;

  StoredTopology stored_;
  contract::Dtm dtm_;
  std::string site_id_;
  std::optional<Documents> documents_;
  std::vector<contract::Issue> unservable_;  // why documents_ is empty
  mutable std::once_flag yaml_once_, topology_once_;
  mutable std::string yaml_, topology_;
};

struct ChangeRequest {
  std::optional<std::string> if_match;  // ETag the client saw; "*" matches any
  std::string actor = "api";
  std::string reason;
};

struct ChangeResult {
  bool created = false;  // false: the change was identical to the current DTM
  std::string version;
  std::string bump;  // initial | patch | minor | major | none
  nlohmann::json reasons = nlohmann::json::array();
};

class TopologyService {
 public:
  // Called after each new version is committed (outside any lock); must not block - device-api
  // wakes its TopologyAnnouncer here.
  using Announce = std::function<void(const std::string& version)>;

  TopologyService(TopologyStore& store, const contract::TemplateCatalog& catalog,
                  std::string default_site_id, Announce announce);

  // Loads the latest version from the store into memory.
  void load();
  // BOOT_DTM_PATH semantics: the file must exist and be valid (else throws with a clear
  // message); it seeds only an empty store.
  void boot_from_file(const std::string& path);

  // nullptr while the store is empty.
  std::shared_ptr<const Snapshot> current() const;

  // Full replacement (POST /topology). Like edit(), throws contract::ContractError for an
  // invalid DTM and ApiError 400 "Topology Cannot Be Served" (with the JSON paths) when the
  // documents cannot be generated from the candidate; either way nothing is stored or announced.
  ChangeResult replace(const nlohmann::json& dtm, const ChangeRequest& request);
  // Any edit of the normalized DTM JSON (device CRUD, batches); validated as a whole afterwards.
  ChangeResult edit(const std::function<void(nlohmann::json&)>& edit, const ChangeRequest& request);

  const contract::TemplateCatalog& catalog() const { return catalog_; }

 private:
  ChangeResult apply(const std::function<nlohmann::json(const nlohmann::json* current)>& next_doc,
                     const ChangeRequest& request);
  // For a version read from the store: parses and generates (see Snapshot).
  std::shared_ptr<const Snapshot> load_snapshot(StoredTopology stored) const;

  TopologyStore& store_;
  const contract::TemplateCatalog& catalog_;
  std::string default_site_id_;
  Announce announce_;
  mutable std::mutex mutex_;
  std::shared_ptr<const Snapshot> current_;
};

}  // namespace ems::device_api
