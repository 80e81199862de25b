// The catalog's Redfish bindings are servable: every (uri, json_pointer) of the real gpu_node
// and cdu templates is built into a RedfishService and read back through the client; every
// Redfish command target is writable by PATCH.
#include <gtest/gtest.h>

#include "ems/contract/catalog.hpp"
#include "ems/protocols/redfish/uri.hpp"
#include "site.hpp"

using namespace redfish_test;
using rf::Json;

namespace {

struct Bound {
  std::string name;
  std::string uri;
  std::string pointer;
};

std::vector<Bound> redfish_bindings(const ems::contract::Template& t) {
  std::vector<Bound> out;
  for (const auto& [name, m] : t.measurements)
    if (const auto* r = m.binding ? m.binding->as<ems::contract::RedfishBinding>() : nullptr)
      out.push_back({name, r->uri, r->json_pointer});
  return out;
}

std::vector<Bound> redfish_commands(const ems::contract::Template& t) {
  std::vector<Bound> out;
  for (const auto& [name, c] : t.commands)
    if (const auto* r = c.binding ? c.binding->as<ems::contract::RedfishBinding>() : nullptr)
      out.push_back({name, r->uri, r->json_pointer});
  return out;
}

}  // namespace

class CatalogBindings : public ::testing::TestWithParam<const char*> {};

TEST_P(CatalogBindings, EveryRedfishBindingIsServedAndReadBack) {
  const auto catalog =
      ems::contract::TemplateCatalog::load(std::string(EMS_SOURCE_ROOT) + "/templates");
  const auto* tmpl = catalog.find(GetParam());
  ASSERT_NE(tmpl, nullptr) << GetParam();
  const auto bindings = redfish_bindings(*tmpl);
  ASSERT_FALSE(bindings.empty());

  rf::RedfishService service;
  // A distinct value per binding proves each pointer reads its own property.
  std::map<std::string, Json> expected;
  double next = 1.5;
  for (const auto& b : bindings) {
    const bool text = tmpl->measurements.at(b.name).type == ems::contract::ValueType::Enum;
    const Json value = text ? Json("Enabled") : Json(next += 1.0);
    service.add_binding(b.uri, b.pointer, value);
    expected[b.name] = value;
  }
  for (const auto& c : redfish_commands(*tmpl)) service.set_writable(c.uri, c.pointer);
  service.start();

  rf::RedfishClient client(client_config(service));
  std::vector<std::string> uris;
  for (const auto& b : bindings) uris.push_back(b.uri);
  const auto cycle = client.fetch_many(uris);
  for (const auto& b : bindings) {
    const auto& outcome = cycle.at(b.uri);
    ASSERT_TRUE(outcome.ok()) << b.name << ": " << outcome.error->what();
    const auto value = rf::extract_scalar(outcome.resource->body, b.uri, b.pointer);
    if (expected[b.name].is_string())
      EXPECT_EQ(value, rf::ScalarValue(expected[b.name].get<std::string>())) << b.name;
    else
      EXPECT_EQ(value, rf::ScalarValue(expected[b.name].get<double>())) << b.name;
    // And one request per value works as well.
    EXPECT_EQ(client.read_value(b.uri, b.pointer), value) << b.name;
  }
  // Each resource is also a well-formed Redfish resource reachable from the service root.
  for (const auto& [uri, outcome] : cycle)
    EXPECT_EQ(outcome.resource->body["@odata.id"], rf::normalize_uri(uri));

  for (const auto& c : redfish_commands(*tmpl)) {
    client.patch_value(c.uri, c.pointer, 555.0);
    EXPECT_EQ(client.read_value(c.uri, c.pointer), rf::ScalarValue(555.0)) << c.name;
  }
}

INSTANTIATE_TEST_SUITE_P(Templates, CatalogBindings, ::testing::Values("gpu_node", "cdu"));
