// to_svg / render_sld_svg: writes an SldLayout as SVG 1.1. Only integer coordinates and escaped
// text; element order follows the layout, so the bytes are a function of the DTM.
#include <string>

#include "ems/contract/sld.hpp"

namespace ems::contract {
namespace {

constexpr std::string_view kStyle =
    ".sld-title{font-size:13px;font-weight:bold;fill:#111}"
    ".sld-name{font-size:11px;fill:#111}"
    ".sld-sub{font-size:9px;fill:#667}"
    ".sld-bus line{stroke:#1d3557;stroke-width:4;stroke-linecap:square}"
    ".sld-bus-dc line{stroke:#b5651d}"
    ".sld-bus text{font-size:11px;font-weight:bold;fill:#1d3557}"
    ".sld-bus-dc text{fill:#b5651d}"
    ".sld-wire{stroke:#333;stroke-width:1.5;fill:none}"
    ".sld-link{stroke:#888;stroke-width:1;stroke-dasharray:4 3;fill:none}"
    ".sld-sym{fill:#fff;stroke:#222;stroke-width:1.5}"
    ".sld-sym .open{fill:none}"
    ".sld-sym .solid{fill:#222}"
    ".sld-sym text{fill:#222;stroke:none;text-anchor:middle;font-weight:bold}"
    ".sld-frame{fill:#f7f8fa;stroke:#9aa3ad;stroke-dasharray:6 4}";

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 forbids most control characters even as references.
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n') out += c;
    }
  }
  return out;
}

std::string num(int v) {
  return std::to_string(v);
}

class Svg {
 public:
  void line(int x1, int y1, int x2, int y2, std::string_view extra = "") {
    out_ += "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" +
            num(y2) + "\"" + std::string(extra) + "/>";
  }
  void rect(int x, int y, int w, int h, std::string_view extra = "") {
    out_ += "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(w) + "\" height=\"" +
            num(h) + "\"" + std::string(extra) + "/>";
  }
  void circle(int cx, int cy, int r, std::string_view extra = "") {
    out_ += "<circle cx=\"" + num(cx) + "\" cy=\"" + num(cy) + "\" r=\"" + num(r) + "\"" +
            std::string(extra) + "/>";
  }
  void text(int x, int y, std::string_view cls, std::string_view content,
            std::string_view extra = "") {
    out_ += "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\"";
    if (!cls.empty()) out_ += " class=\"" + std::string(cls) + "\"";
    out_ += std::string(extra) + ">" + escape(content) + "</text>";
  }
  void raw(std::string_view s) { out_ += s; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// Symbols in a 32x32 box centred on (0,0); every one reaches (0,-16) and, when `below`,
// (0,16), where the wires end.
// The bottom terminal is drawn only where a wire leaves the symbol downwards.
void draw_symbol(Svg& svg, SldSymbol symbol, const std::string& abbreviation, bool below) {
  auto leads = [&](int top, int bottom) {
    svg.line(0, -16, 0, top);
    if (below) svg.line(0, bottom, 0, 16);
  };
  switch (symbol) {
    case SldSymbol::grid:
      leads(-14, 14);
      svg.rect(-14, -14, 28, 28);
      svg.line(-5, -14, -5, 14);
      svg.line(5, -14, 5, 14);
      svg.line(-14, -5, 14, -5);
      svg.line(-14, 5, 14, 5);
      break;
    case SldSymbol::meter:
    case SldSymbol::generator:
      leads(-13, 13);
      svg.circle(0, 0, 13);
      svg.text(0, 5, "", symbol == SldSymbol::meter ? "M" : "G", " font-size=\"13\"");
      break;
    case SldSymbol::breaker:
      leads(-10, 10);
      svg.rect(-10, -10, 20, 20);
      break;
    case SldSymbol::transformer:
    case SldSymbol::pst:
      leads(-15, 15);
      svg.circle(0, -6, 9);
      svg.circle(0, 6, 9, " class=\"open\"");
      if (symbol == SldSymbol::pst) {
        svg.line(-13, 12, 10, -9);
        svg.raw("<polygon class=\"solid\" points=\"14,-13 5,-11 12,-4\"/>");
      }
      break;
    case SldSymbol::inverter:
      leads(-13, 13);
      svg.rect(-13, -13, 26, 26);
      svg.line(-13, 13, 13, -13);
      svg.text(-6, -2, "", "=", " font-size=\"10\"");
      svg.text(6, 10, "", "~", " font-size=\"12\"");
      break;
    case SldSymbol::battery:
      leads(-7, 8);
      svg.line(-12, -7, 12, -7);
      svg.line(-6, -2, 6, -2, " stroke-width=\"3\"");
      svg.line(-12, 3, 12, 3);
      svg.line(-6, 8, 6, 8, " stroke-width=\"3\"");
      break;
    case SldSymbol::load:
      svg.line(0, -16, 0, -2);
      svg.raw("<polygon class=\"solid\" points=\"-9,-2 9,-2 0,14\"/>");
      if (below) svg.line(0, 14, 0, 16);
      break;
    case SldSymbol::relay:
      leads(-10, 10);
      svg.rect(-13, -10, 26, 20);
      svg.text(0, 4, "", "I>", " font-size=\"10\"");
      break;
    case SldSymbol::generic:
      leads(-11, 11);
      svg.rect(-15, -11, 30, 22);
      svg.text(0, 3, "", abbreviation, " font-size=\"9\"");
      break;
  }
}

// Label lines relative to the element's origin (ox, oy): baselines 11 px under each 14 px line.
void draw_label(Svg& svg, const SldLabel& label, int ox, int oy) {
  int y = label.box.y - oy;
  const int x = label.box.x - ox;
  if (!label.lines.empty()) {
    svg.raw("<g data-region=\"label-name\">");
    for (const auto& line : label.lines) {
      svg.text(x, y + 11, "sld-name", line);
      y += 14;
    }
    svg.raw("</g>");
  }
  if (!label.sub.empty())
    svg.text(x, y + 9, "sld-sub", label.sub, " data-region=\"label-template\"");
}

void draw_device(Svg& svg, const SldDevice& d) {
  const int cx = d.center.x, cy = d.center.y;
  svg.raw("<g id=\"device-" + escape(d.device_id) + "\" class=\"sld-device\" data-device-id=\"" +
          escape(d.device_id) + "\" data-template=\"" + escape(d.template_slug) +
          "\" data-symbol=\"" + std::string(to_string(d.symbol)) + "\"");
  if (!d.bus_id.empty()) svg.raw(" data-bus-id=\"" + escape(d.bus_id) + "\"");
  svg.raw(" transform=\"translate(" + num(cx) + " " + num(cy) + ")\">");
  svg.raw("<title>" + escape(d.label.full) + " (" + escape(d.device_id) + ", " +
          escape(d.template_slug) + ")</title>");
  // A transparent hit area over symbol and label, at least 44x44 for touch screens.
  const int x1 = d.symbol_box.x - cx - 6;
  const int y1 = std::min(d.symbol_box.y, d.label.box.y) - cy - 6;
  const int x2 = std::max(d.symbol_box.right(), d.label.box.right()) - cx + 4;
  const int y2 = std::max(d.symbol_box.bottom(), d.label.box.bottom()) - cy + 6;
  svg.rect(x1, y1, std::max(44, x2 - x1), std::max(44, y2 - y1),
           " data-region=\"hit-area\" fill=\"#ffffff\" fill-opacity=\"0\"");
  svg.raw("<g data-region=\"body\" class=\"sld-sym\">");
  draw_symbol(svg, d.symbol, d.abbreviation, d.wired_below);
  svg.raw("</g>");
  draw_label(svg, d.label, cx, cy);
  svg.raw("</g>\n");
}

}  // namespace

std::string to_svg(const SldLayout& layout) {
  Svg svg;
  const std::string w = num(layout.width), h = num(layout.height);
  svg.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  svg.raw("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" viewBox=\"0 0 " + w + " " + h +
          "\" width=\"" + w + "\" height=\"" + h +
          "\" data-comp=\"sld\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\">\n");
  svg.raw("<title>" + escape(layout.title.full) + " single-line diagram</title>\n");
  svg.raw("<style>" + std::string(kStyle) + "</style>\n");
  svg.rect(0, 0, layout.width, layout.height, " fill=\"#ffffff\"");
  svg.raw("\n");
  if (!layout.title.lines.empty()) {
    svg.text(layout.title.box.x, layout.title.box.y + 12, "sld-title", layout.title.lines.front(),
             " id=\"sld-title\"");
    svg.raw("\n");
  }

  for (const auto& g : layout.groups) {
    const bool site = g.id == kSldSiteGroup;
    svg.raw(std::string("<g id=\"") + (site ? "sld-unparented" : "group-" + escape(g.id)) +
            "\" class=\"sld-group\"" +
            (site ? std::string() : " data-parent-id=\"" + escape(g.id) + "\"") + ">");
    svg.rect(g.frame.x, g.frame.y, g.frame.w, g.frame.h, " class=\"sld-frame\" rx=\"6\"");
    if (!g.title.lines.empty()) {
      svg.text(g.title.box.x, g.title.box.y + 12, "sld-title", g.title.lines.front());
    }
    svg.raw("</g>\n");
  }

  svg.raw("<g id=\"sld-wires\">\n");
  for (const auto& wire : layout.wires) {
    std::string points;
    for (const auto& p : wire.points) {
      if (!points.empty()) points += ' ';
      points += num(p.x) + "," + num(p.y);
    }
    svg.raw("<polyline class=\"" + std::string(wire.dashed ? "sld-link" : "sld-wire") +
            "\" points=\"" + points + "\" data-bus-id=\"" + escape(wire.bus_id) + "\"");
    if (!wire.device_id.empty()) svg.raw(" data-device-id=\"" + escape(wire.device_id) + "\"");
    svg.raw("/>\n");
  }
  svg.raw("</g>\n");

  for (const auto& bus : layout.buses) {
    const std::string type = bus.type == BusType::dc ? "dc" : "ac";
    svg.raw("<g id=\"bus-" + escape(bus.bus_id) + "\" class=\"sld-bus sld-bus-" + type +
            "\" data-bus-id=\"" + escape(bus.bus_id) + "\" data-bus-type=\"" + type + "\">");
    svg.raw("<title>" + escape(bus.label.full) + "</title>");
    for (const auto& s : bus.segments) svg.line(s.a.x, s.a.y, s.b.x, s.b.y);
    if (!bus.label.lines.empty()) {
      svg.text(bus.label.box.x, bus.label.box.y + 11, "", bus.label.lines.front());
    }
    svg.raw("</g>\n");
  }

  for (const auto& infeed : layout.infeeds) {
    svg.raw("<g id=\"sld-grid-infeed\" class=\"sld-infeed\" data-bus-id=\"" +
            escape(infeed.bus_id) + "\" transform=\"translate(" + num(infeed.center.x) + " " +
            num(infeed.center.y) + ")\"><g data-region=\"body\" class=\"sld-sym\">");
    draw_symbol(svg, SldSymbol::grid, "", true);
    svg.raw("</g>");
    draw_label(svg, infeed.label, infeed.center.x, infeed.center.y);
    svg.raw("</g>\n");
  }

  for (const auto& d : layout.devices) draw_device(svg, d);
  svg.raw("</svg>\n");
  return svg.take();
}

std::string render_sld_svg(const Dtm& dtm, const SldOptions& options) {
  return to_svg(layout_sld(dtm, options));
}

}  // namespace ems::contract
