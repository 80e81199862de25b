// layout_sld: places buses, devices, labels and wires on an integer grid (conventions in
// sld.hpp). Every map is iterated in sorted order and every coordinate is an int, so the layout
// of a DTM is always the same.
#include <algorithm>
#include <array>
#include <cctype>
#include <deque>
#include <map>
#include <set>

#include "ems/contract/sld.hpp"

namespace ems::contract {
namespace {

// Geometry, in px. A column holds one device: symbol on the left, label on its right.
constexpr int kMargin = 20;
constexpr int kTop = 44;      // first band, under the diagram title
constexpr int kIndent = 40;   // a child bus band is indented under its parent
constexpr int kCol = 184;     // column pitch
constexpr int kRiserDx = 8;   // bus riser and bar start, from the band's left edge
constexpr int kCellCx = 28;   // symbol centre, from the column's left edge
constexpr int kSymHalf = 16;  // symbols are 32x32
constexpr int kLabelDx = 24;  // label left edge, from the symbol centre
constexpr int kLabelMaxW = kCol - kCellCx - kLabelDx - 12;  // 12 px free before the next column
constexpr int kNameLineH = 14;
constexpr int kSubLineH = 12;
constexpr int kNameLines = 2;
constexpr int kLabelMaxH = kNameLines * kNameLineH + kSubLineH;
constexpr int kDrop = 20;                           // bar to symbol top
constexpr int kRowPitch = kDrop + kLabelMaxH + 24;  // bar to the next row's bar
constexpr int kExtDy = 10;       // feeder zone: parent extension line, from the band top
constexpr int kFeedSymTop = 26;  // feeder zone: symbol top, from the band top
constexpr int kFeedZone = kFeedSymTop + kLabelMaxH + 18;  // band top to the child's bar
constexpr int kBusLabelGap = 8;
constexpr int kGroupPad = 10;
constexpr int kGroupHead = 32;  // frame top to the first row of symbols
constexpr int kGroupRow = kLabelMaxH + 22;
constexpr int kGroupGap = 16;
constexpr int kTitleLineH = 16;

int text_width(std::string_view text, int advance10) {
  return (glyph_count(text) * advance10 + 9) / 10;
}

// "gpu_node_2" < "gpu_node_10": digit runs compare by value.
bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const bool da = std::isdigit(static_cast<unsigned char>(a[i])) != 0;
    const bool db = std::isdigit(static_cast<unsigned char>(b[j])) != 0;
    if (da && db) {
      std::size_t ie = i, je = j;
      while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
      while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
      std::string_view na(a.data() + i, ie - i), nb(b.data() + j, je - j);
      while (na.size() > 1 && na.front() == '0') na.remove_prefix(1);
      while (nb.size() > 1 && nb.front() == '0') nb.remove_prefix(1);
      if (na.size() != nb.size()) return na.size() < nb.size();
      if (na != nb) return na < nb;
      i = ie;
      j = je;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  if (a.size() - i != b.size() - j) return a.size() - i < b.size() - j;
  return a < b;
}

SldLabel make_label(const std::string& text, const std::string& sub, int x, int y) {
  SldLabel label;
  const auto name = fit_text(text, kLabelMaxW * 10 / kSldNameAdvance10, kNameLines);
  label.lines = name.lines;
  label.full = text;
  label.truncated = name.truncated;
  int w = 0;
  for (const auto& line : label.lines) w = std::max(w, text_width(line, kSldNameAdvance10));
  int h = static_cast<int>(label.lines.size()) * kNameLineH;
  if (!sub.empty()) {
    const auto fitted = fit_text(sub, kLabelMaxW * 10 / kSldSubAdvance10, 1);
    if (!fitted.lines.empty()) {
      label.sub = fitted.lines.front();
      label.truncated = label.truncated || fitted.truncated;
      w = std::max(w, text_width(label.sub, kSldSubAdvance10));
      h += kSubLineH;
    }
  }
  label.box = {x, y, w, h};
  return label;
}

// A one-line label in the title font (diagram and group titles), at most max_w wide.
SldLabel make_title(const std::string& text, int x, int y, int max_w) {
  SldLabel label;
  const auto fitted = fit_text(text, std::max(2, max_w * 10 / kSldTitleAdvance10), 1);
  label.lines = fitted.lines;
  label.full = text;
  label.truncated = fitted.truncated;
  const int w = label.lines.empty() ? 0 : text_width(label.lines.front(), kSldTitleAdvance10);
  label.box = {x, y, w, label.lines.empty() ? 0 : kTitleLineH};
  return label;
}

struct TreeNode {
  std::string bus_id;
  std::vector<std::string> feeders;  // devices drawn between the parent bus and this bar
  std::vector<std::size_t> children;
  std::optional<std::size_t> parent;
  bool infeed = false;  // draw the implicit grid infeed above this bar
};

struct BarGeometry {
  int x1 = 0, x2 = 0, y = 0;  // row 0 of the bar
  int riser_x = 0, riser_bottom = 0;
  std::size_t index = 0;  // into layout.buses
};

class Builder {
 public:
  Builder(const Dtm& dtm, const SldOptions& options) : dtm_(dtm), options_(options) {
    for (const auto& bus : dtm_.buses) {
      if (!buses_.emplace(bus.bus_id, &bus).second) continue;  // duplicate id: first wins
      auto& members = members_[bus.bus_id];
      std::set<std::string> seen;
      for (const auto& m : bus.members) {
        if (!dtm_.devices.count(m.device_id)) continue;  // unresolved: nothing to draw
        if (!seen.insert(m.device_id).second) continue;
        members.push_back(m.device_id);
        buses_of_[m.device_id].push_back(bus.bus_id);
      }
    }
    for (auto& [device, list] : buses_of_) std::sort(list.begin(), list.end());
  }

  SldLayout build() {
    const std::string title = options_.title           ? *options_.title
                              : dtm_.site_display_name ? *dtm_.site_display_name
                              : dtm_.site_id           ? humanize(*dtm_.site_id)
                                                       : std::string("Site");
    out_.title = make_title(title, kMargin, 14, options_.max_width - 2 * kMargin);
    build_trees();
    int cursor = kTop;
    for (std::size_t root : roots_) {
      layout_bus(root, kMargin, cursor);
      cursor += 12;
    }
    add_dashed_links();
    layout_groups(cursor);
    size_to_content();
    return std::move(out_);
  }

 private:
  const Template* template_of(const Device& d) const {
    const auto it = dtm_.templates_used.find(d.template_slug);
    return it == dtm_.templates_used.end() ? nullptr : &it->second;
  }

  SldSymbol symbol_of(const std::string& device_id) const {
    const auto& d = dtm_.devices.at(device_id);
    return symbol_for(d.template_slug, template_of(d));
  }

  // Resolvable members of a bus, each once, in the DTM's order.
  const std::vector<std::string>& members_of(const std::string& bus_id) const {
    return members_.at(bus_id);
  }

  bool in_bus(const std::string& bus_id, const std::string& device_id) const {
    const auto& list = buses_of_.at(device_id);
    return std::find(list.begin(), list.end(), bus_id) != list.end();
  }

  // The grid connection: see sld.hpp.
  std::string pick_root(const std::set<std::string>& remaining) const {
    std::string best;
    std::array<int, 5> best_key{};
    for (const auto& id : remaining) {
      bool grid = false, meter = false, poi = false;
      std::set<std::string> neighbours;
      for (const auto& m : members_of(id)) {
        const auto symbol = symbol_of(m);
        grid = grid || symbol == SldSymbol::grid;
        meter = meter || symbol == SldSymbol::meter;
        const auto& slug = dtm_.devices.at(m).template_slug;
        poi = poi || slug.find("poi") != std::string::npos || m.find("poi") != std::string::npos;
        for (const auto& other : buses_of_.at(m)) {
          if (other != id) neighbours.insert(other);
        }
      }
      const bool end = neighbours.size() <= 1;
      const std::array<int, 5> key = {grid, end && meter, poi, meter,
                                      -static_cast<int>(neighbours.size())};
      if (best.empty() || key > best_key) {
        best = id;
        best_key = key;
      }
    }
    return best;
  }

  void build_trees() {
    std::set<std::string> remaining;
    for (const auto& [id, bus] : buses_) remaining.insert(id);
    while (!remaining.empty()) {
      const std::string root_id = pick_root(remaining);
      const std::size_t root = add_node(root_id, std::nullopt);
      remaining.erase(root_id);
      // A grid device on the root bus is drawn as the feeder from above.
      for (const auto& m : members_of(root_id)) {
        if (symbol_of(m) == SldSymbol::grid && !claimed_.count(m)) {
          nodes_[root].feeders.push_back(m);
          claimed_.insert(m);
          break;
        }
      }
      if (nodes_[root].feeders.empty() && roots_.empty()) {
        for (const auto& m : members_of(root_id)) {
          nodes_[root].infeed = nodes_[root].infeed || symbol_of(m) == SldSymbol::meter;
        }
      }
      roots_.push_back(root);
      std::deque<std::size_t> queue = {root};
      while (!queue.empty()) {
        const std::size_t p = queue.front();
        queue.pop_front();
        const std::string parent_id = nodes_[p].bus_id;
        for (const auto& m : members_of(parent_id)) {
          for (const auto& child_id : buses_of_.at(m)) {
            if (!remaining.count(child_id)) continue;
            remaining.erase(child_id);
            const std::size_t c = add_node(child_id, p);
            for (const auto& shared : members_of(parent_id)) {
              if (in_bus(child_id, shared) && !claimed_.count(shared)) {
                nodes_[c].feeders.push_back(shared);
                claimed_.insert(shared);
              }
            }
            queue.push_back(c);
          }
        }
      }
    }
  }

  std::size_t add_node(const std::string& bus_id, std::optional<std::size_t> parent) {
    nodes_.push_back({bus_id, {}, {}, parent, false});
    const std::size_t index = nodes_.size() - 1;
    if (parent) nodes_[*parent].children.push_back(index);
    return index;
  }

  std::string label_text(const Device& d) const {
    return d.display_name && !d.display_name->empty() ? *d.display_name : humanize(d.device_id);
  }

  // Places one device symbol with its label; the symbol's centre is (cx, top + kSymHalf).
  void place_device(const std::string& id, int cx, int top, const std::string& bus_id,
                    const std::string& group) {
    const auto& d = dtm_.devices.at(id);
    SldDevice dev;
    dev.device_id = id;
    dev.template_slug = d.template_slug;
    dev.symbol = symbol_of(id);
    dev.abbreviation = abbreviation_for(d.template_slug);
    dev.center = {cx, top + kSymHalf};
    dev.symbol_box = {cx - kSymHalf, top, 2 * kSymHalf, 2 * kSymHalf};
    dev.label = make_label(label_text(d), d.template_slug, cx + kLabelDx, top);
    dev.bus_id = bus_id;
    dev.group = group;
    placed_.emplace(id, out_.devices.size());
    out_.devices.push_back(std::move(dev));
  }

  void add_wire(const std::string& bus_id, const std::string& device_id, SldPoint a, SldPoint b,
                bool dashed = false) {
    out_.wires.push_back({bus_id, device_id, {a, b}, dashed});
    drawn_.insert({bus_id, device_id});
  }

  void layout_bus(std::size_t n, int x_left, int& cursor) {
    const TreeNode node = nodes_[n];
    const Bus& bus = *buses_.at(node.bus_id);
    const int band_top = cursor;
    const int bar_x = x_left + kRiserDx;
    const bool has_top = !node.feeders.empty() || node.infeed;
    const int bar_y = band_top + (has_top ? kFeedZone : 24);

    SldBusBar bar;
    bar.bus_id = node.bus_id;
    bar.type = bus.type;
    const std::size_t bar_index = out_.buses.size();
    out_.buses.push_back(bar);

    // Feeder zone: devices shared with the parent bus hang from the parent's extension line.
    const int ext_y = band_top + kExtDy;
    const int sym_top = band_top + kFeedSymTop;
    int top_cols = 0;
    if (node.infeed) {
      const int cx = bar_x + kCellCx;
      SldInfeed infeed;
      infeed.bus_id = node.bus_id;
      infeed.center = {cx, sym_top + kSymHalf};
      infeed.symbol_box = {cx - kSymHalf, sym_top, 2 * kSymHalf, 2 * kSymHalf};
      infeed.label = make_label("Utility grid", "", cx + kLabelDx, sym_top);
      out_.infeeds.push_back(infeed);
      add_wire(node.bus_id, "", {cx, sym_top + 2 * kSymHalf}, {cx, bar_y});
      top_cols = 1;
    }
    const std::string parent_bus = node.parent ? nodes_[*node.parent].bus_id : std::string();
    for (const auto& f : node.feeders) {
      const int cx = bar_x + top_cols * kCol + kCellCx;
      place_device(f, cx, sym_top, parent_bus.empty() ? node.bus_id : parent_bus, "");
      out_.devices.back().wired_below = true;
      if (!parent_bus.empty()) add_wire(parent_bus, f, {cx, ext_y}, {cx, sym_top});
      add_wire(node.bus_id, f, {cx, sym_top + 2 * kSymHalf}, {cx, bar_y});
      ++top_cols;
    }
    if (node.parent && !node.feeders.empty()) {
      auto& parent = geometry_.at(nodes_[*node.parent].bus_id);
      const int last_cx = bar_x + (top_cols - 1) * kCol + kCellCx;
      out_.buses[parent.index].segments.push_back({{parent.riser_x, ext_y}, {last_cx, ext_y}});
      parent.riser_bottom = std::max(parent.riser_bottom, ext_y);
    }

    // Members that hang below the bar, wrapping into rows.
    std::vector<std::string> cells;
    for (const auto& m : members_of(node.bus_id)) {
      if (!claimed_.count(m) && !placed_.count(m)) cells.push_back(m);
    }
    const std::string bus_text =
        node.bus_id + (bus.type == BusType::dc ? std::string(" (DC)") : std::string(" (AC)"));
    const auto fitted = fit_text(bus_text, 30, 1);
    const std::string bus_line = fitted.lines.empty() ? std::string() : fitted.lines.front();
    const int bus_label_w = text_width(bus_line, kSldNameAdvance10);
    const int avail = options_.max_width - kMargin - bar_x - kBusLabelGap - bus_label_w;
    const int ncols = std::max(1, avail / kCol);
    const int count = static_cast<int>(cells.size());
    const int nrows = std::max(1, (count + ncols - 1) / ncols);
    const int row0_cols = std::max({std::min(count, ncols), top_cols, 1});
    for (int r = 0; r < nrows; ++r) {
      const int y = bar_y + r * kRowPitch;
      const int in_row = std::min(ncols, count - r * ncols);
      const int cols = r == 0 ? row0_cols : std::max(in_row, 1);
      out_.buses[bar_index].segments.push_back({{bar_x, y}, {bar_x + cols * kCol, y}});
      for (int c = 0; c < in_row; ++c) {
        const std::string& id = cells[static_cast<std::size_t>(r * ncols + c)];
        const int cx = bar_x + c * kCol + kCellCx;
        place_device(id, cx, y + kDrop, node.bus_id, "");
        add_wire(node.bus_id, id, {cx, y}, {cx, y + kDrop});
      }
    }
    auto& label = out_.buses[bar_index].label;
    label.lines = {bus_line};
    label.full = bus_text;
    label.truncated = fitted.truncated;
    label.box = {bar_x + row0_cols * kCol + kBusLabelGap, bar_y - kNameLineH / 2, bus_label_w,
                 kNameLineH};

    const int last_row_y = bar_y + (nrows - 1) * kRowPitch;
    geometry_[node.bus_id] = {bar_x, bar_x + row0_cols * kCol, bar_y, bar_x, last_row_y, bar_index};
    cursor = count > 0 ? last_row_y + kRowPitch : bar_y + 30;

    for (std::size_t child : node.children) layout_bus(child, x_left + kIndent, cursor);

    const auto& g = geometry_.at(node.bus_id);
    if (g.riser_bottom > bar_y) {
      out_.buses[bar_index].segments.push_back({{g.riser_x, bar_y}, {g.riser_x, g.riser_bottom}});
    }
  }

  // Memberships not drawn by a column wire or a feeder (buses joined in a mesh) get a dashed
  // line to the bar, so that every membership is visible.
  void add_dashed_links() {
    for (const auto& [bus_id, bus] : buses_) {
      const auto& g = geometry_.at(bus_id);
      for (const auto& m : members_of(bus_id)) {
        if (drawn_.count({bus_id, m})) continue;
        auto& dev = out_.devices[placed_.at(m)];
        const int x = std::clamp(dev.center.x, g.x1, g.x2);
        const int y = g.y < dev.center.y ? dev.symbol_box.y : dev.symbol_box.bottom();
        dev.wired_below = dev.wired_below || g.y > dev.center.y;
        add_wire(bus_id, m, {dev.center.x, y}, {x, g.y}, true);
      }
    }
  }

  void layout_groups(int cursor) {
    std::map<std::string, std::vector<std::string>> children;  // parent ("" = none) -> devices
    for (const auto& [id, d] : dtm_.devices) {
      const bool has_parent = d.parent && dtm_.devices.count(*d.parent);
      children[has_parent ? *d.parent : std::string()].push_back(id);
    }
    for (auto& [parent, list] : children) std::sort(list.begin(), list.end(), natural_less);

    // Groups in parent-tree order: the site first, then depth first.
    std::vector<std::string> order;
    std::vector<std::string> stack = {""};
    std::set<std::string> seen;
    while (!stack.empty()) {
      const std::string p = stack.back();
      stack.pop_back();
      if (!seen.insert(p).second) continue;
      order.push_back(p);
      const auto it = children.find(p);
      if (it == children.end()) continue;
      for (auto c = it->second.rbegin(); c != it->second.rend(); ++c) stack.push_back(*c);
    }
    // Devices in a parent cycle are unreachable from the roots: give them the site frame.
    for (const auto& [id, d] : dtm_.devices) {
      if (!seen.count(id) && !buses_of_.count(id)) children[""].push_back(id);
    }

    const int max_cols = std::max(1, (options_.max_width - 2 * kMargin - 2 * kGroupPad) / kCol);
    int x = kMargin, shelf_y = cursor + 8, shelf_h = 0;
    for (const auto& p : order) {
      std::vector<std::string> members;
      for (const auto& c : children[p]) {
        if (!buses_of_.count(c) && !placed_.count(c)) members.push_back(c);
      }
      if (members.empty()) continue;
      const int count = static_cast<int>(members.size());
      const int ncols = std::min(count, max_cols);
      const int nrows = (count + ncols - 1) / ncols;
      const int w = ncols * kCol + 2 * kGroupPad;
      const int h = kGroupHead + (nrows - 1) * kGroupRow + kLabelMaxH + kGroupPad;
      if (x > kMargin && x + w > options_.max_width - kMargin) {
        x = kMargin;
        shelf_y += shelf_h + kGroupGap;
        shelf_h = 0;
      }
      SldGroup group;
      group.id = p.empty() ? std::string(kSldSiteGroup) : p;
      group.frame = {x, shelf_y, w, h};
      const std::string title = p.empty() ? out_.title.full + " \xE2\x80\x94 not on a bus"
                                          : label_text(dtm_.devices.at(p));
      group.title = make_title(title, x + kGroupPad, shelf_y + 8, ncols * kCol);
      for (int i = 0; i < count; ++i) {
        const int cx = x + kGroupPad + (i % ncols) * kCol + kCellCx;
        const int top = shelf_y + kGroupHead + (i / ncols) * kGroupRow;
        place_device(members[static_cast<std::size_t>(i)], cx, top, "", group.id);
      }
      out_.groups.push_back(std::move(group));
      x += w + kGroupGap;
      shelf_h = std::max(shelf_h, h);
    }
  }

  void size_to_content() {
    int w = 100, h = 100;
    auto grow = [&](const SldRect& r) {
      w = std::max(w, r.right() + kMargin);
      h = std::max(h, r.bottom() + kMargin);
    };
    for (const auto& r : out_.label_boxes()) grow(r);
    for (const auto& r : out_.symbol_boxes()) grow(r);
    for (const auto& g : out_.groups) grow(g.frame);
    for (const auto& b : out_.buses) {
      for (const auto& s : b.segments) {
        grow({std::min(s.a.x, s.b.x), std::min(s.a.y, s.b.y), std::abs(s.b.x - s.a.x),
              std::abs(s.b.y - s.a.y)});
      }
    }
    out_.width = w;
    out_.height = h;
  }

  const Dtm& dtm_;
  const SldOptions& options_;
  SldLayout out_;
  std::map<std::string, const Bus*> buses_;
  std::map<std::string, std::vector<std::string>> members_;   // bus -> members_of
  std::map<std::string, std::vector<std::string>> buses_of_;  // device -> its bus ids, sorted
  std::vector<TreeNode> nodes_;
  std::vector<std::size_t> roots_;
  std::set<std::string> claimed_;                        // devices drawn as feeders
  std::map<std::string, std::size_t> placed_;            // device -> index in out_.devices
  std::set<std::pair<std::string, std::string>> drawn_;  // (bus, device) with a wire
  std::map<std::string, BarGeometry> geometry_;
};

}  // namespace

std::vector<SldRect> SldLayout::label_boxes() const {
  std::vector<SldRect> boxes;
  if (!title.lines.empty()) boxes.push_back(title.box);
  for (const auto& b : buses) boxes.push_back(b.label.box);
  for (const auto& d : devices) boxes.push_back(d.label.box);
  for (const auto& g : groups) boxes.push_back(g.title.box);
  for (const auto& i : infeeds) boxes.push_back(i.label.box);
  return boxes;
}

std::vector<SldRect> SldLayout::symbol_boxes() const {
  std::vector<SldRect> boxes;
  for (const auto& d : devices) boxes.push_back(d.symbol_box);
  for (const auto& i : infeeds) boxes.push_back(i.symbol_box);
  return boxes;
}

SldLayout layout_sld(const Dtm& dtm, const SldOptions& options) {
  return Builder(dtm, options).build();
}

}  // namespace ems::contract
