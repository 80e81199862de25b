// The single-line diagram: element ids, XML well-formedness and escaping, determinism, label
// geometry (no overlap) on the demo site and on a generated 200-device site, symbol choice.
#include <cctype>
#include <fstream>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "ems/contract/sld.hpp"

namespace ems::contract {
namespace {

Template make_template(const std::string& slug, TemplateKind kind = TemplateKind::leaf,
                       std::vector<std::string> iec_refs = {}) {
  Template t;
  t.slug = slug;
  t.kind = kind;
  int i = 0;
  for (const auto& ref : iec_refs) {
    Measurement m;
    m.unit = Unit::watts;
    m.iec_61850_ref = ref;
    m.publisher = "gateway";
    t.measurements["m" + std::to_string(i++)] = m;
  }
  return t;
}

void add_device(Dtm& dtm, const std::string& id, const std::string& slug,
                std::optional<std::string> parent = std::nullopt,
                std::optional<std::string> name = std::nullopt) {
  Device d;
  d.device_id = id;
  d.template_slug = slug;
  d.parent = std::move(parent);
  d.display_name = std::move(name);
  dtm.devices[id] = d;
  if (!dtm.templates_used.count(slug)) dtm.templates_used[slug] = make_template(slug);
}

void add_bus(Dtm& dtm, const std::string& id, BusType type, std::vector<std::string> members) {
  Bus bus;
  bus.bus_id = id;
  bus.type = type;
  for (auto& m : members) bus.members.push_back({std::move(m), "p"});
  dtm.buses.push_back(bus);
}

// The structure of deploy/demo/dtm.json: line -> PST -> POI -> switchgear -> site bus ->
// PV, BESS (with its DC bus) and the compute container's racks; modules and producers on no bus.
Dtm demo_site() {
  Dtm dtm;
  dtm.deployment_uuid = "6f1c2a7e-3b4d-4e8f-9a1b-2c3d4e5f6a7b";
  dtm.site_id = "demo_site";
  dtm.site_display_name = "Demo Site";
  dtm.templates_used["pst"] = make_template("pst", TemplateKind::leaf, {"YPSH.TapPos.stVal"});
  dtm.templates_used["bess_rack"] =
      make_template("bess_rack", TemplateKind::leaf, {"MMTR.SupWh", "ZBAT.BatChaSt"});
  add_device(dtm, "grid_module_1", "grid_module", std::nullopt, "Grid Interconnect");
  add_device(dtm, "poi_meter_1", "poi_meter", "grid_module_1", "POI Revenue Meter");
  add_device(dtm, "switchgear_1", "switchgear", "grid_module_1", "Main MV Switchgear");
  add_device(dtm, "protective_relay_1", "protective_relay", "grid_module_1",
             "Feeder Protection Relay");
  add_device(dtm, "pv_inverter_1", "pv_inverter", "grid_module_1", "PV Inverter 1");
  add_device(dtm, "operating_envelope", "operating_envelope", std::nullopt,
             "Utility Operating Envelope");
  add_device(dtm, "bess_module_1", "bess_module", std::nullopt, "Battery Storage");
  add_device(dtm, "bess_rack_1", "bess_rack", "bess_module_1", "Megapack 1");
  add_device(dtm, "bess_rack_2", "bess_rack", "bess_module_1", "Megapack 2");
  add_device(dtm, "bess_bms_1", "bess_bms", "bess_rack_1", "Megapack 1 BMS");
  add_device(dtm, "compute_module_1", "compute_module", std::nullopt, "Compute Container");
  for (int i = 1; i <= 4; ++i) {
    add_device(dtm, "gpu_node_" + std::to_string(i), "gpu_node", "compute_module_1",
               "GPU Node " + std::to_string(i));
  }
  add_device(dtm, "pdu_1", "pdu", "compute_module_1", "Rack PDU A");
  add_device(dtm, "pdu_2", "pdu", "compute_module_1", "Rack PDU B");
  add_device(dtm, "cdu_1", "cdu", "compute_module_1", "Coolant Distribution Unit");
  add_device(dtm, "network_switch_1", "network_switch", "compute_module_1", "ToR Switch");
  add_device(dtm, "dlr_line_1", "dlr_line", std::nullopt, "Feeder Line 1 (DLR)");
  add_device(dtm, "dlr_weather_station_1", "dlr_weather_station", "dlr_line_1",
             "Line Weather Station");
  add_device(dtm, "conductor_sensor_1", "conductor_sensor", "dlr_line_1",
             "Conductor Monitor Span 7");
  add_device(dtm, "line_meter_1", "line_meter", "dlr_line_1", "Feeder Line Meter");
  add_device(dtm, "pst_1", "pst", std::nullopt, "Phase-Shifting Transformer");
  add_bus(dtm, "line_bus", BusType::ac, {"line_meter_1", "conductor_sensor_1", "pst_1"});
  add_bus(dtm, "grid_bus", BusType::ac, {"pst_1", "poi_meter_1", "switchgear_1"});
  add_bus(dtm, "site_bus", BusType::ac,
          {"switchgear_1", "protective_relay_1", "pv_inverter_1", "bess_rack_1", "bess_rack_2",
           "pdu_1", "pdu_2"});
  add_bus(dtm, "rack_power_bus", BusType::ac,
          {"pdu_1", "pdu_2", "gpu_node_1", "gpu_node_2", "gpu_node_3", "gpu_node_4", "cdu_1",
           "network_switch_1"});
  add_bus(dtm, "bess_rack_1_dc_bus", BusType::dc, {"bess_rack_1", "bess_bms_1"});
  return dtm;
}

// 200 devices: POI -> main transformer -> MV bus with PV, BESS and four LV transformers, each
// LV bus carrying 40 loads (some with very long names); modules and CDUs on no bus.
Dtm big_site() {
  Dtm dtm;
  dtm.deployment_uuid = "00000000-0000-4000-8000-000000000200";
  dtm.site_id = "big_site";
  add_device(dtm, "poi_meter_1", "poi_meter");
  add_device(dtm, "main_tx", "main_transformer", std::nullopt, "Main transformer 33/11 kV");
  std::vector<std::string> mv = {"main_tx"};
  for (int i = 1; i <= 3; ++i) {
    add_device(dtm, "pv_inverter_" + std::to_string(i), "pv_inverter");
    add_device(dtm, "bess_" + std::to_string(i), "bess");
    mv.push_back("pv_inverter_" + std::to_string(i));
    mv.push_back("bess_" + std::to_string(i));
  }
  for (int k = 1; k <= 4; ++k) {
    const std::string ks = std::to_string(k);
    add_device(dtm, "compute_module_" + ks, "compute_module");
    add_device(dtm, "lv_tx_" + ks, "lv_transformer", std::nullopt, "LV transformer " + ks);
    mv.push_back("lv_tx_" + ks);
    std::vector<std::string> lv = {"lv_tx_" + ks};
    for (int i = 1; i <= 40; ++i) {
      const std::string id = "gpu_node_" + ks + "_" + std::to_string(i);
      std::optional<std::string> name;
      if (i % 7 == 0) {
        name = "GPU node with an extraordinarily long descriptive display name, rack " + ks +
               " slot " + std::to_string(i);
      } else if (i % 5 == 0) {
        name = "Node" + std::string(40, 'X');  // one long word: hard-broken
      }
      add_device(dtm, id, "gpu_node", "compute_module_" + ks, name);
      lv.push_back(id);
    }
    for (int j = 1; j <= 6; ++j) {
      add_device(dtm, "cdu_" + ks + "_" + std::to_string(j), "cdu", "compute_module_" + ks);
    }
    add_bus(dtm, "lv_bus_" + ks, BusType::ac, lv);
  }
  add_bus(dtm, "poi_bus", BusType::ac, {"poi_meter_1", "main_tx"});
  add_bus(dtm, "mv_bus", BusType::ac, mv);
  return dtm;
}

// A small well-formedness checker: one root element, balanced tags, quoted attributes, only
// the five predefined entities or character references, no raw '<' in text.
::testing::AssertionResult well_formed(const std::string& xml) {
  std::vector<std::string> stack;
  int roots = 0;
  auto entity_ok = [&](std::size_t i) {
    for (const char* e : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"}) {
      if (xml.compare(i, std::char_traits<char>::length(e), e) == 0) return true;
    }
    if (xml.compare(i, 2, "&#") == 0) {
      const auto end = xml.find(';', i);
      return end != std::string::npos && end > i + 2 && end - i < 12;
    }
    return false;
  };
  std::size_t i = 0;
  while (i < xml.size()) {
    if (xml[i] == '&' && !entity_ok(i)) return ::testing::AssertionFailure() << "bad & at " << i;
    if (xml[i] != '<') {
      if (stack.empty() && !std::isspace(static_cast<unsigned char>(xml[i]))) {
        return ::testing::AssertionFailure() << "text outside the root at " << i;
      }
      ++i;
      continue;
    }
    if (xml.compare(i, 2, "<?") == 0) {
      i = xml.find("?>", i);
      if (i == std::string::npos) return ::testing::AssertionFailure() << "unterminated <?";
      i += 2;
      continue;
    }
    if (xml.compare(i, 4, "<!--") == 0) {
      i = xml.find("-->", i);
      if (i == std::string::npos) return ::testing::AssertionFailure() << "unterminated comment";
      i += 3;
      continue;
    }
    const bool closing = xml.compare(i, 2, "</") == 0;
    std::size_t j = i + (closing ? 2 : 1);
    std::string name;
    while (j < xml.size() && (std::isalnum(static_cast<unsigned char>(xml[j])) || xml[j] == '-' ||
                              xml[j] == ':' || xml[j] == '_')) {
      name += xml[j++];
    }
    if (name.empty()) return ::testing::AssertionFailure() << "bad tag at " << i;
    if (closing) {
      if (j >= xml.size() || xml[j] != '>') return ::testing::AssertionFailure() << "bad </";
      if (stack.empty() || stack.back() != name) {
        return ::testing::AssertionFailure() << "unbalanced </" << name << "> at " << i;
      }
      stack.pop_back();
      i = j + 1;
      continue;
    }
    // Attributes: name="value" with no '<' in the value.
    bool self_closing = false;
    std::set<std::string> attrs;
    while (true) {
      while (j < xml.size() && std::isspace(static_cast<unsigned char>(xml[j]))) ++j;
      if (j >= xml.size()) return ::testing::AssertionFailure() << "unterminated tag " << name;
      if (xml[j] == '>') break;
      if (xml.compare(j, 2, "/>") == 0) {
        self_closing = true;
        ++j;
        break;
      }
      std::string attr;
      while (j < xml.size() && xml[j] != '=' && !std::isspace(static_cast<unsigned char>(xml[j])))
        attr += xml[j++];
      if (attr.empty() || j + 1 >= xml.size() || xml[j] != '=' || xml[j + 1] != '"') {
        return ::testing::AssertionFailure() << "bad attribute in <" << name << "> at " << j;
      }
      if (!attrs.insert(attr).second) {
        return ::testing::AssertionFailure() << "duplicate attribute " << attr;
      }
      const auto end = xml.find('"', j + 2);
      if (end == std::string::npos) return ::testing::AssertionFailure() << "unterminated value";
      for (std::size_t k = j + 2; k < end; ++k) {
        if (xml[k] == '<') return ::testing::AssertionFailure() << "'<' in attribute " << attr;
        if (xml[k] == '&' && !entity_ok(k))
          return ::testing::AssertionFailure() << "bad & in value";
      }
      j = end + 1;
    }
    if (stack.empty()) ++roots;
    if (!self_closing) stack.push_back(name);
    i = j + 1;
  }
  if (!stack.empty()) return ::testing::AssertionFailure() << "unclosed <" << stack.back() << ">";
  if (roots != 1) return ::testing::AssertionFailure() << roots << " root elements";
  return ::testing::AssertionSuccess();
}

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

void expect_ids(const Dtm& dtm, const std::string& svg) {
  for (const auto& [id, d] : dtm.devices) {
    EXPECT_EQ(count(svg, "id=\"device-" + id + "\""), 1u) << id;
  }
  for (const auto& bus : dtm.buses) {
    EXPECT_EQ(count(svg, "id=\"bus-" + bus.bus_id + "\""), 1u) << bus.bus_id;
  }
  EXPECT_EQ(count(svg, " id=\"device-"), dtm.devices.size());
  EXPECT_EQ(count(svg, " id=\"bus-"), dtm.buses.size());
}

// Labels never overlap each other or a symbol, and everything lies inside the viewBox.
void expect_clean_geometry(const SldLayout& layout) {
  const auto labels = layout.label_boxes();
  const auto symbols = layout.symbol_boxes();
  auto str = [](const SldRect& r) {
    return std::to_string(r.x) + "," + std::to_string(r.y) + " " + std::to_string(r.w) + "x" +
           std::to_string(r.h);
  };
  std::size_t overlaps = 0;
  for (std::size_t a = 0; a < labels.size(); ++a) {
    for (std::size_t b = a + 1; b < labels.size(); ++b) {
      if (labels[a].intersects(labels[b]) && ++overlaps < 5) {
        ADD_FAILURE() << "labels overlap: " << str(labels[a]) << " / " << str(labels[b]);
      }
    }
    for (const auto& s : symbols) {
      if (labels[a].intersects(s) && ++overlaps < 5) {
        ADD_FAILURE() << "label over a symbol: " << str(labels[a]) << " / " << str(s);
      }
    }
  }
  for (std::size_t a = 0; a < symbols.size(); ++a) {
    for (std::size_t b = a + 1; b < symbols.size(); ++b) {
      if (symbols[a].intersects(symbols[b]) && ++overlaps < 5) {
        ADD_FAILURE() << "symbols overlap: " << str(symbols[a]) << " / " << str(symbols[b]);
      }
    }
  }
  EXPECT_EQ(overlaps, 0u);
  for (const auto& r : labels) {
    EXPECT_TRUE(r.x >= 0 && r.y >= 0 && r.right() <= layout.width && r.bottom() <= layout.height)
        << str(r);
    EXPECT_GT(r.w, 0);
    EXPECT_GT(r.h, 0);
  }
  for (const auto& r : symbols) {
    EXPECT_TRUE(r.x >= 0 && r.y >= 0 && r.right() <= layout.width && r.bottom() <= layout.height)
        << str(r);
  }
}

TEST(Sld, EveryDeviceAndBusHasOneElement) {
  for (const Dtm& dtm : {demo_site(), big_site()}) {
    const std::string svg = render_sld_svg(dtm);
    expect_ids(dtm, svg);
    const SldLayout layout = layout_sld(dtm);
    std::set<std::string> placed;
    for (const auto& d : layout.devices) EXPECT_TRUE(placed.insert(d.device_id).second);
    EXPECT_EQ(placed.size(), dtm.devices.size());
    EXPECT_EQ(layout.buses.size(), dtm.buses.size());
  }
  EXPECT_EQ(big_site().devices.size(), 200u);
}

TEST(Sld, EveryBusMembershipIsWired) {
  for (const Dtm& dtm : {demo_site(), big_site()}) {
    const SldLayout layout = layout_sld(dtm);
    std::set<std::pair<std::string, std::string>> wired;
    for (const auto& w : layout.wires) wired.insert({w.bus_id, w.device_id});
    for (const auto& bus : dtm.buses) {
      for (const auto& m : bus.members) {
        EXPECT_TRUE(wired.count({bus.bus_id, m.device_id})) << bus.bus_id << " " << m.device_id;
      }
    }
  }
}

TEST(Sld, SvgIsWellFormed) {
  for (const Dtm& dtm : {demo_site(), big_site(), Dtm{}}) {
    const std::string svg = render_sld_svg(dtm);
    EXPECT_TRUE(well_formed(svg));
    EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  }
  // The checker itself rejects what it must.
  EXPECT_FALSE(well_formed("<a><b></a></b>"));
  EXPECT_FALSE(well_formed("<a>x & y</a>"));
  EXPECT_FALSE(well_formed("<a t=\"<\"/>"));
  EXPECT_FALSE(well_formed("<a/><b/>"));
  EXPECT_TRUE(well_formed("<a t=\"&amp;\">&lt;<b/></a>"));
}

TEST(Sld, EscapesDisplayNames) {
  Dtm dtm = demo_site();
  dtm.devices["pdu_1"].display_name = "A <&> \"B\" 'c'";
  dtm.site_display_name = "R&D <lab>";
  const std::string svg = render_sld_svg(dtm);
  EXPECT_TRUE(well_formed(svg));
  EXPECT_NE(svg.find("A &lt;&amp;&gt; &quot;B&quot; &apos;c&apos;"), std::string::npos);
  EXPECT_NE(svg.find("R&amp;D &lt;lab&gt;"), std::string::npos);
  EXPECT_EQ(svg.find("<&>"), std::string::npos);
  EXPECT_EQ(svg.find("<lab>"), std::string::npos);
}

TEST(Sld, ViewBoxIsSizedToContent) {
  const SldLayout layout = layout_sld(demo_site());
  const std::string svg = to_svg(layout);
  EXPECT_NE(svg.find("viewBox=\"0 0 " + std::to_string(layout.width) + " " +
                     std::to_string(layout.height) + "\""),
            std::string::npos);
  int max_right = 0, max_bottom = 0;
  for (const auto& r : layout.label_boxes()) {
    max_right = std::max(max_right, r.right());
    max_bottom = std::max(max_bottom, r.bottom());
  }
  for (const auto& g : layout.groups) max_bottom = std::max(max_bottom, g.frame.bottom());
  EXPECT_LE(layout.width - max_right, 40);  // a margin, not empty space
  EXPECT_LE(layout.height - max_bottom, 40);
}

TEST(Sld, IsDeterministic) {
  const Dtm a = demo_site();
  // The same site built in another order: maps sort, so the bytes must not change.
  Dtm b;
  b.deployment_uuid = a.deployment_uuid;
  b.site_id = a.site_id;
  b.site_display_name = a.site_display_name;
  b.buses = a.buses;
  for (auto it = a.devices.rbegin(); it != a.devices.rend(); ++it) b.devices.insert(*it);
  for (auto it = a.templates_used.rbegin(); it != a.templates_used.rend(); ++it) {
    b.templates_used.insert(*it);
  }
  const std::string first = render_sld_svg(a);
  EXPECT_EQ(first, render_sld_svg(a));
  EXPECT_EQ(first, render_sld_svg(b));
  EXPECT_EQ(render_sld_svg(big_site()), render_sld_svg(big_site()));
  // And it depends on the DTM.
  Dtm c = a;
  c.devices["pdu_1"].display_name = "Other";
  EXPECT_NE(first, render_sld_svg(c));
}

TEST(Sld, LabelsNeverOverlapOnTheDemoSite) {
  expect_clean_geometry(layout_sld(demo_site()));
}

TEST(Sld, LabelsNeverOverlapOn200Devices) {
  const SldLayout layout = layout_sld(big_site());
  expect_clean_geometry(layout);
  EXPECT_LE(layout.width, SldOptions{}.max_width);
  // 40 loads wrap into rows: the LV bus bar repeats.
  const auto lv = std::find_if(layout.buses.begin(), layout.buses.end(),
                               [](const SldBusBar& b) { return b.bus_id == "lv_bus_1"; });
  ASSERT_NE(lv, layout.buses.end());
  int bars = 0;
  for (const auto& s : lv->segments) bars += s.a.y == s.b.y ? 1 : 0;
  EXPECT_GE(bars, 4);
}

TEST(Sld, NarrowWidthStillHasNoOverlap) {
  SldOptions narrow;
  narrow.max_width = 500;
  for (const Dtm& dtm : {demo_site(), big_site()}) {
    const SldLayout layout = layout_sld(dtm, narrow);
    expect_clean_geometry(layout);
  }
}

TEST(Sld, GridIsAtTheTopAndChildBusesBelowTheirFeeders) {
  const SldLayout layout = layout_sld(demo_site());
  ASSERT_EQ(layout.infeeds.size(), 1u);
  EXPECT_EQ(layout.infeeds[0].bus_id, "line_bus");
  std::map<std::string, int> bar_y;
  for (const auto& b : layout.buses) bar_y[b.bus_id] = b.segments.front().a.y;
  EXPECT_EQ(layout.buses.front().bus_id, "line_bus");
  EXPECT_LT(layout.infeeds[0].center.y, bar_y["line_bus"]);
  EXPECT_LT(bar_y["line_bus"], bar_y["grid_bus"]);
  EXPECT_LT(bar_y["grid_bus"], bar_y["site_bus"]);
  EXPECT_LT(bar_y["site_bus"], bar_y["rack_power_bus"]);
  EXPECT_LT(bar_y["site_bus"], bar_y["bess_rack_1_dc_bus"]);
  std::map<std::string, const SldDevice*> dev;
  for (const auto& d : layout.devices) dev[d.device_id] = &d;
  // The PST feeds the grid bus: drawn between the line bus and the grid bus.
  EXPECT_GT(dev["pst_1"]->center.y, bar_y["line_bus"]);
  EXPECT_LT(dev["pst_1"]->center.y, bar_y["grid_bus"]);
  // Devices on no bus are framed under their parent (or the site).
  EXPECT_EQ(dev["dlr_weather_station_1"]->group, "dlr_line_1");
  EXPECT_EQ(dev["compute_module_1"]->group, kSldSiteGroup);
  EXPECT_EQ(dev["gpu_node_1"]->bus_id, "rack_power_bus");
}

Dtm demo_file() {
  std::ifstream in(std::string(EMS_SOURCE_ROOT) + "/deploy/demo/dtm.json");
  EXPECT_TRUE(in.good()) << "deploy/demo/dtm.json is missing";
  return parse_dtm(Json::parse(in));
}

TEST(Sld, DemoDtmFile) {
  const Dtm dtm = demo_file();
  ASSERT_FALSE(dtm.devices.empty());
  ASSERT_FALSE(dtm.buses.empty());
  const SldLayout layout = layout_sld(dtm);
  expect_clean_geometry(layout);
  const std::string svg = to_svg(layout);
  expect_ids(dtm, svg);
  EXPECT_TRUE(well_formed(svg));
  EXPECT_EQ(svg, render_sld_svg(demo_file()));
  ASSERT_EQ(layout.infeeds.size(), 1u);  // the grid is drawn above the root bus
  EXPECT_LT(layout.infeeds[0].center.y, layout.buses.front().segments.front().a.y);
}

TEST(Sld, PicksAPoiBusWhenNoLineIsModelled) {
  const SldLayout layout = layout_sld(big_site());
  EXPECT_EQ(layout.buses.front().bus_id, "poi_bus");
  ASSERT_EQ(layout.infeeds.size(), 1u);
}

TEST(Sld, LongNamesAreTruncatedWithTheFullNameInTitle) {
  Dtm dtm = demo_site();
  const std::string name =
      "A remarkably long display name for a rack power distribution unit in hall seven";
  dtm.devices["pdu_1"].display_name = name;
  const SldLayout layout = layout_sld(dtm);
  const auto it = std::find_if(layout.devices.begin(), layout.devices.end(),
                               [](const SldDevice& d) { return d.device_id == "pdu_1"; });
  ASSERT_NE(it, layout.devices.end());
  EXPECT_TRUE(it->label.truncated);
  EXPECT_EQ(it->label.lines.size(), 2u);
  EXPECT_EQ(it->label.lines.back().substr(it->label.lines.back().size() - 3), "\xE2\x80\xA6");
  EXPECT_NE(to_svg(layout).find("<title>" + name + " (pdu_1, pdu)</title>"), std::string::npos);
  expect_clean_geometry(layout);
}

TEST(Sld, EmptyDtmRendersAnEmptyDiagram) {
  const SldLayout layout = layout_sld(Dtm{});
  EXPECT_TRUE(layout.devices.empty());
  EXPECT_GE(layout.width, 100);
  EXPECT_TRUE(well_formed(to_svg(layout)));
}

TEST(Sld, DevicesOnNoBusAreGroupedByParent) {
  Dtm dtm;
  add_device(dtm, "module_a", "compute_module");
  add_device(dtm, "node_2", "gpu_node", "module_a");
  add_device(dtm, "node_10", "gpu_node", "module_a");
  add_device(dtm, "orphan", "gpu_node", "missing_parent");
  const SldLayout layout = layout_sld(dtm);
  ASSERT_EQ(layout.groups.size(), 2u);
  EXPECT_EQ(layout.groups[0].id, kSldSiteGroup);
  EXPECT_EQ(layout.groups[1].id, "module_a");
  std::map<std::string, const SldDevice*> dev;
  for (const auto& d : layout.devices) dev[d.device_id] = &d;
  EXPECT_EQ(dev["orphan"]->group, kSldSiteGroup);
  EXPECT_EQ(dev["node_2"]->group, "module_a");
  EXPECT_LT(dev["node_2"]->center.x, dev["node_10"]->center.x);  // natural order
  expect_clean_geometry(layout);
}

TEST(Sld, MeshMembershipsGetDashedLinks) {
  Dtm dtm;
  add_device(dtm, "tie_breaker", "breaker");
  add_device(dtm, "a", "gpu_node");
  add_device(dtm, "b", "gpu_node");
  add_device(dtm, "c", "gpu_node");
  // A ring: bus_x - bus_y - bus_z - bus_x.
  add_bus(dtm, "bus_x", BusType::ac, {"a", "tie_breaker"});
  add_bus(dtm, "bus_y", BusType::ac, {"tie_breaker", "b"});
  add_bus(dtm, "bus_z", BusType::ac, {"b", "c", "a"});
  const SldLayout layout = layout_sld(dtm);
  EXPECT_TRUE(std::any_of(layout.wires.begin(), layout.wires.end(),
                          [](const SldWire& w) { return w.dashed; }));
  expect_clean_geometry(layout);
  expect_ids(dtm, render_sld_svg(dtm));
}

TEST(SldText, FitTextWrapsAndTruncates) {
  EXPECT_EQ(fit_text("GPU Node 1", 17, 2).lines, (std::vector<std::string>{"GPU Node 1"}));
  EXPECT_EQ(fit_text("Coolant Distribution Unit", 17, 2).lines,
            (std::vector<std::string>{"Coolant", "Distribution Unit"}));
  const auto hard = fit_text("ABCDEFGHIJ", 4, 3);
  EXPECT_EQ(hard.lines, (std::vector<std::string>{"ABCD", "EFGH", "IJ"}));
  EXPECT_FALSE(hard.truncated);
  const auto cut = fit_text("one two three four five six", 9, 2);
  EXPECT_TRUE(cut.truncated);
  ASSERT_EQ(cut.lines.size(), 2u);
  EXPECT_EQ(cut.lines[1], "three\xE2\x80\xA6");
  for (const auto& line : fit_text(std::string(100, 'w'), 17, 2).lines) {
    EXPECT_LE(glyph_count(line), 17);
  }
  EXPECT_TRUE(fit_text("", 17, 2).lines.empty());
}

TEST(SldText, Utf8IsNeverSplit) {
  // "é" is 2 bytes, "漢" is 3 bytes and two cells wide.
  const std::string accents = "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9";
  EXPECT_EQ(glyph_count(accents), 5);
  EXPECT_EQ(fit_text(accents, 2, 3).lines,
            (std::vector<std::string>{"\xC3\xA9\xC3\xA9", "\xC3\xA9\xC3\xA9", "\xC3\xA9"}));
  const std::string han = "\xE6\xBC\xA2\xE6\xBC\xA2\xE6\xBC\xA2";
  EXPECT_EQ(glyph_count(han), 6);
  const auto fitted = fit_text(han, 4, 1);
  ASSERT_EQ(fitted.lines.size(), 1u);
  EXPECT_LE(glyph_count(fitted.lines[0]), 4);
  EXPECT_TRUE(fitted.truncated);
  EXPECT_EQ(glyph_count("\xE2\x80\xA6"), 1);
}

TEST(SldText, Humanize) {
  EXPECT_EQ(humanize("pdu_3"), "Pdu 3");
  EXPECT_EQ(humanize("gpu_node_10"), "Gpu node 10");
  EXPECT_EQ(humanize(""), "");
}

TEST(SldSymbols, ChosenFromDataNotVendors) {
  const std::vector<std::pair<std::string, SldSymbol>> by_slug = {
      {"poi_meter", SldSymbol::meter},
      {"revenue_meter", SldSymbol::meter},
      {"line_meter", SldSymbol::meter},
      {"switchgear", SldSymbol::breaker},
      {"circuit_breaker", SldSymbol::breaker},
      {"main_transformer", SldSymbol::transformer},
      {"pst", SldSymbol::pst},
      {"pv_inverter", SldSymbol::inverter},
      {"bess_rack", SldSymbol::battery},
      {"bess_bms", SldSymbol::battery},
      {"bess_module", SldSymbol::battery},
      {"gpu_node", SldSymbol::load},
      {"network_switch", SldSymbol::load},
      {"cdu", SldSymbol::load},
      {"compute_module", SldSymbol::load},
      {"protective_relay", SldSymbol::relay},
      {"grid_module", SldSymbol::grid},
      {"diesel_generator", SldSymbol::generator},
      {"operating_envelope", SldSymbol::generic},
      {"pdu", SldSymbol::generic},
  };
  for (const auto& [slug, symbol] : by_slug) {
    EXPECT_EQ(symbol_for(slug, nullptr), symbol) << slug;
  }
  // Slugs that say nothing fall back to IEC 61850 logical nodes, in table order.
  const Template tap = make_template("unit_a", TemplateKind::leaf, {"YPTR.OilTmp", "YPSH.PhsAng"});
  EXPECT_EQ(symbol_for("unit_a", &tap), SldSymbol::pst);
  const Template cb = make_template("unit_b", TemplateKind::leaf, {"XCBR.Pos.stVal"});
  EXPECT_EQ(symbol_for("unit_b", &cb), SldSymbol::breaker);
  const Template store = make_template("unit_c", TemplateKind::leaf, {"MMTR.SupWh", "ZBAT.Vol"});
  EXPECT_EQ(symbol_for("unit_c", &store), SldSymbol::battery);
  const Template plain = make_template("unit_d", TemplateKind::leaf, {"MMXU.W"});
  EXPECT_EQ(symbol_for("unit_d", &plain), SldSymbol::generic);
  EXPECT_EQ(abbreviation_for("pdu"), "PDU");
  EXPECT_EQ(abbreviation_for("operating_envelope"), "OE");
  EXPECT_EQ(abbreviation_for("dlr_weather_station"), "DWS");
  EXPECT_EQ(to_string(SldSymbol::transformer), "transformer");
}

}  // namespace
}  // namespace ems::contract
