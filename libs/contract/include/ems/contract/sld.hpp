#pragma once
// The single-line diagram (SLD) of a deployment, drawn from dtm.buses and the parent tree.
//
// Two steps, both pure and deterministic (same DTM -> same layout -> same bytes):
//   layout_sld      places everything on an integer grid: bus bars, device symbols, labels,
//                   wires and the frames that group devices which are on no bus. Tests check
//                   geometry on this model (ids, label overlap, bounds).
//   to_svg          writes that layout as SVG 1.1 for the HMI (render_sld_svg does both).
//
// Drawing conventions:
//   - The grid connection is at the top: the root bus is the bus holding a grid infeed device,
//     else an end-of-chain bus with a meter (the line or POI side), else the bus with a POI or
//     any meter, else the first bus id. Buses form a tree (breadth-first from the root); a device
//     that is a member of a bus and of its child bus (transformer, PST, switchgear, PDU, BESS
//     inverter) feeds the child: it hangs from the parent bus, drawn above the child's bar.
//   - Each bus is a horizontal bar; its other members hang below it in columns, wrapping into
//     rows (the bar repeats per row, joined by a vertical riser) when the width is exhausted.
//     A child bus is indented under its parent, whose riser reaches down to feed it.
//   - Devices on no bus are drawn in dashed frames, one per parent (module), the parentless ones
//     in a frame for the site.
//   - Symbols are IEC 60617-like and chosen from data only: template slug keywords, then the
//     IEC 61850 logical nodes of the template's measurements (symbol_for). No vendor code.
//   - Text is monospace with a fixed advance per glyph, so label extents are exact; long names
//     wrap on spaces and are truncated with an ellipsis (the full name is in a <title>).
//
// SVG hooks for the HMI: <g id="device-{device_id}" data-device-id data-template data-symbol>
// with data-region="body" / "label-name" / "label-template" / "hit-area" parts;
// <g id="bus-{bus_id}" data-bus-id data-bus-type> with the bar lines and the label; wires carry
// data-bus-id and data-device-id.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ems/contract/dtm.hpp"

namespace ems::contract {

struct SldPoint {
  int x = 0, y = 0;
  bool operator==(const SldPoint&) const = default;
};

struct SldRect {
  int x = 0, y = 0, w = 0, h = 0;
  int right() const { return x + w; }
  int bottom() const { return y + h; }
  // True when the interiors overlap (touching edges do not count).
  bool intersects(const SldRect& o) const {
    return x < o.right() && o.x < right() && y < o.bottom() && o.y < bottom();
  }
  bool operator==(const SldRect&) const = default;
};

enum class SldSymbol {
  grid,         // network infeed: hatched box
  meter,        // circle with "M"
  breaker,      // square (circuit breaker, switchgear)
  transformer,  // two overlapping circles
  pst,          // two overlapping circles crossed by an arrow
  inverter,     // box with a diagonal, "=" and "~" (PV, PCS)
  battery,      // long and short plates
  load,         // arrow head pointing down (compute, cooling, any consumer)
  generator,    // circle with "G"
  relay,        // box with "I>"
  generic       // box with an abbreviation of the template slug
};
std::string_view to_string(SldSymbol s) noexcept;

// The symbol for a device using template `slug` (t may be null when the template is unknown).
SldSymbol symbol_for(const std::string& slug, const Template* t);
// Up to three upper-case letters naming a template for the generic symbol ("pdu" -> "PDU",
// "operating_envelope" -> "OE").
std::string abbreviation_for(const std::string& slug);

// Text broken into lines of at most `max_chars` glyphs (wide glyphs count twice), at most
// `max_lines` lines, the last one ending in "…" when the text did not fit.
struct FittedText {
  std::vector<std::string> lines;
  bool truncated = false;
};
FittedText fit_text(std::string_view text, int max_chars, int max_lines);
// Glyph count as laid out: code points, those from U+1100 up counted twice.
int glyph_count(std::string_view utf8);

// "pdu_3" -> "Pdu 3": the last resort label (CONTRACT.md section 1).
std::string humanize(std::string_view slug);

struct SldLabel {
  SldRect box;                     // the extent of every line below
  std::vector<std::string> lines;  // name lines (font kSldNameFont)
  std::string sub;                 // optional smaller line under the name (template slug)
  std::string full;                // the untruncated text, for <title>
  bool truncated = false;
};

struct SldDevice {
  std::string device_id, template_slug;
  SldSymbol symbol = SldSymbol::generic;
  std::string abbreviation;  // drawn inside the generic symbol
  SldPoint center;
  SldRect symbol_box;
  SldLabel label;
  std::string bus_id;        // the bus it hangs from or feeds from; "" when drawn in a group
  std::string group;         // the frame it is drawn in ("" = none); the parent id or kSldSiteGroup
  bool wired_below = false;  // a wire leaves the symbol's bottom (feeders): draw that terminal
};

struct SldSegment {
  SldPoint a, b;
};

struct SldBusBar {
  std::string bus_id;
  BusType type = BusType::ac;
  std::vector<SldSegment> segments;  // bars, risers and extensions, all electrically this bus
  SldLabel label;
};

struct SldWire {
  std::string bus_id, device_id;
  std::vector<SldPoint> points;
  bool dashed = false;  // a membership drawn away from the bus's own column (rare meshes)
};

struct SldGroup {
  std::string id;  // the parent device id, or kSldSiteGroup for devices without parent
  SldRect frame;
  SldLabel title;
};

// The grid infeed drawn above the root bus when no device of the DTM is the grid itself.
struct SldInfeed {
  std::string bus_id;
  SldPoint center;
  SldRect symbol_box;
  SldLabel label;
};

// The group of parentless devices; not a slug, so it never equals a device id.
inline constexpr std::string_view kSldSiteGroup = "-site";
inline constexpr int kSldNameFont = 11;        // px, device and bus names
inline constexpr int kSldSubFont = 9;          // px, template line
inline constexpr int kSldTitleFont = 13;       // px, diagram and group titles
inline constexpr int kSldNameAdvance10 = 67;   // glyph advance x10 at kSldNameFont (0.61 em)
inline constexpr int kSldSubAdvance10 = 55;    // at kSldSubFont
inline constexpr int kSldTitleAdvance10 = 80;  // at kSldTitleFont

struct SldOptions {
  int max_width = 1760;              // px; bus rows and group shelves wrap to stay inside it
  std::optional<std::string> title;  // default: site display name, site id, or "Site"
};

struct SldLayout {
  int width = 0, height = 0;  // the viewBox is "0 0 width height"
  SldLabel title;
  std::vector<SldBusBar> buses;    // in drawing order (the bus tree, depth first)
  std::vector<SldDevice> devices;  // every device of the DTM exactly once
  std::vector<SldWire> wires;
  std::vector<SldGroup> groups;
  std::vector<SldInfeed> infeeds;  // zero or one

  // Every text box (title, buses, devices, groups, infeeds) and every symbol box.
  std::vector<SldRect> label_boxes() const;
  std::vector<SldRect> symbol_boxes() const;
};

SldLayout layout_sld(const Dtm& dtm, const SldOptions& options = {});
// The layout as an SVG document (UTF-8, text escaped, fixed integer coordinates).
std::string to_svg(const SldLayout& layout);
// to_svg(layout_sld(dtm, options)).
std::string render_sld_svg(const Dtm& dtm, const SldOptions& options = {});

}  // namespace ems::contract
