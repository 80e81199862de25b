#pragma once
// TopologyService: device-api's logic between HTTP and the store. It validates every change
// against the contract and the bundled catalog, classifies it (semver), appends one version per
// accepted change, announces it, and serves the documents generated from the current version
// (AsyncAPI JSON/YAML, view, single-line diagram), each generated once per version.

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "ems/contract/catalog.hpp"
#include "ems/contract/dtm.hpp"
#include "topology_store.hpp"

namespace ems::device_api {

// The current version with its parsed DTM and lazily generated documents.
class Snapshot {
 public:
  Snapshot(StoredTopology stored, contract::Dtm dtm, std::string site_id);
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
  StoredTopology stored_;
  contract::Dtm dtm_;
  std::string site_id_;
  mutable std::once_flag asyncapi_once_, yaml_once_, view_once_, svg_once_, topology_once_;
  mutable std::string asyncapi_, yaml_, view_, svg_, topology_;
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

  // Full replacement (POST /topology).
  ChangeResult replace(const nlohmann::json& dtm, const ChangeRequest& request);
  // Any edit of the normalized DTM JSON (device CRUD, batches); validated as a whole afterwards.
  ChangeResult edit(const std::function<void(nlohmann::json&)>& edit, const ChangeRequest& request);

  const contract::TemplateCatalog& catalog() const { return catalog_; }

 private:
  ChangeResult apply(const std::function<nlohmann::json(const nlohmann::json* current)>& next_doc,
                     const ChangeRequest& request);
  std::shared_ptr<const Snapshot> make_snapshot(StoredTopology stored) const;

  TopologyStore& store_;
  const contract::TemplateCatalog& catalog_;
  std::string default_site_id_;
  Announce announce_;
  mutable std::mutex mutex_;
  std::shared_ptr<const Snapshot> current_;
};

}  // namespace ems::device_api
