#include "ems/forecasting/dataset.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace ems::forecasting {

double Series::at(int day, int hour) const {
  if (day < first_day || hour < 0 || hour > 23) return kMissing;
  const std::size_t slot = static_cast<std::size_t>(day - first_day) * 24 + hour;
  return slot < values.size() ? values[slot] : kMissing;
}

Series Series::before(int day) const {
  Series out{name, first_day, {}};
  if (day > first_day) {
    const std::size_t n = std::min(values.size(), static_cast<std::size_t>(day - first_day) * 24);
    out.values.assign(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(n));
  }
  return out;
}

std::size_t QualityReport::missing_hours() const {
  std::size_t n = 0;
  for (const auto& g : gaps) n += static_cast<std::size_t>(g.hours);
  return n;
}

std::string QualityReport::summary() const {
  std::ostringstream out;
  out << "rows read " << rows_read << ", kept " << rows_kept << "\n";
  out << "rejected rows: " << rejected.size();
  for (const auto& r : rejected) out << " [line " << r.line << ": " << r.reason << "]";
  std::size_t dst = 0;
  for (const auto& d : duplicates) dst += d.dst_fallback ? 1 : 0;
  out << "\nduplicate labels dropped (first kept): " << duplicates.size() << " (" << dst
      << " on DST fall-back hours)\n";
  out << "gaps: " << gaps.size() << " (" << missing_hours() << " hours)";
  for (const auto& g : gaps)
    out << " [" << g.first_label << " +" << g.hours << "h" << (g.dst_spring ? " DST" : "") << "]";
  out << "\nempty cells:";
  for (const auto& [column, count] : empty_cells) out << " " << column << "=" << count;
  out << "\nspikes set missing: " << spikes.size();
  for (const auto& s : spikes)
    out << " [" << s.label << " " << s.column << " " << s.value << " vs " << s.neighbour << "]";
  out << "\n";
  return out.str();
}

namespace {

std::vector<std::string_view> split(std::string_view line) {
  std::vector<std::string_view> cells;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    cells.push_back(line.substr(start, comma == std::string_view::npos ? comma : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return cells;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ')) s.remove_suffix(1);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return s;
}

double parse_cell(std::string_view cell) {
  cell = trim(cell);
  if (cell.empty()) return kMissing;
  double v = 0.0;
  const auto [ptr, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
  if (ec != std::errc() || ptr != cell.data() + cell.size() || !std::isfinite(v)) return kMissing;
  return v;
}

bool is_fallback_hour(const Label& l) {
  const CivilDate c = civil_from_days(l.day);
  return c.month == 11 && c.day <= 7 && weekday(l.day) == 6 && l.hour <= 2;
}

bool is_spring_hour(const Label& l) {
  const CivilDate c = civil_from_days(l.day);
  return c.month == 3 && c.day >= 8 && c.day <= 14 && weekday(l.day) == 6 && l.hour == 2;
}

}  // namespace

Dataset Dataset::load_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open data file " + path);
  return parse_csv(in, path);
}

Dataset Dataset::parse_csv(std::istream& in, const std::string& source) {
  Dataset ds;
  std::string line;
  if (!std::getline(in, line) || trim(line).empty())
    throw std::runtime_error(source + ": empty file (a header row is required)");
  const auto header = split(trim(line));
  if (header.size() < 2)
    throw std::runtime_error(source + ": the header needs a label column and a value column");
  for (std::size_t i = 1; i < header.size(); ++i) ds.columns_.emplace_back(trim(header[i]));

  struct Row {
    Label label;
    std::string text;
    std::vector<double> values;
  };
  std::map<int, Row> rows;  // slot -> first row
  std::vector<std::size_t> empty(ds.columns_.size(), 0);
  std::size_t line_no = 1;
  while (std::getline(in, line)) {
    ++line_no;
    const std::string_view view = trim(line);
    if (view.empty()) continue;
    ++ds.report_.rows_read;
    const auto cells = split(view);
    if (cells.size() != header.size()) {
      ds.report_.rejected.push_back({line_no, "expected " + std::to_string(header.size()) +
                                                  " cells, found " + std::to_string(cells.size())});
      continue;
    }
    const auto label = parse_label(trim(cells[0]));
    if (!label) {
      ds.report_.rejected.push_back(
          {line_no, "timestamp '" + std::string(trim(cells[0])) + "' is not YYYY-MM-DD HH:00:00"});
      continue;
    }
    const int slot = label->day * 24 + label->hour;
    if (rows.count(slot)) {
      ds.report_.duplicates.push_back(
          {line_no, std::string(trim(cells[0])), is_fallback_hour(*label)});
      continue;
    }
    Row row{*label, std::string(trim(cells[0])), {}};
    for (std::size_t i = 1; i < cells.size(); ++i) {
      row.values.push_back(parse_cell(cells[i]));
      if (std::isnan(row.values.back())) ++empty[i - 1];
    }
    rows.emplace(slot, std::move(row));
  }
  if (rows.empty()) throw std::runtime_error(source + ": no usable row");
  ds.report_.rows_kept = rows.size();
  for (std::size_t i = 0; i < empty.size(); ++i)
    if (empty[i] > 0) ds.report_.empty_cells.emplace_back(ds.columns_[i], empty[i]);

  const int first_slot = rows.begin()->first;
  const int last_slot = rows.rbegin()->first;
  ds.first_day_ = first_slot / 24;
  const std::size_t slots = static_cast<std::size_t>(last_slot / 24 + 1 - ds.first_day_) * 24;
  ds.labels_.assign(slots, std::string());
  ds.values_.assign(ds.columns_.size(), std::vector<double>(slots, kMissing));
  for (const auto& [slot, row] : rows) {
    const std::size_t i = static_cast<std::size_t>(slot - ds.first_day_ * 24);
    ds.labels_[i] = row.text;
    for (std::size_t c = 0; c < row.values.size(); ++c) ds.values_[c][i] = row.values[c];
  }

  // Gaps between the first and the last row.
  for (int slot = first_slot; slot <= last_slot; ++slot) {
    if (rows.count(slot)) continue;
    const Label l{slot / 24, slot % 24};
    const bool spring = is_spring_hour(l);
    auto& gaps = ds.report_.gaps;
    if (!gaps.empty() && !spring && !gaps.back().dst_spring &&
        parse_label(gaps.back().first_label)->day * 24 +
                parse_label(gaps.back().first_label)->hour + gaps.back().hours ==
            slot) {
      ++gaps.back().hours;
    } else {
      gaps.push_back({format_label(l), 1, spring});
    }
  }

  // Spikes, per column, against the values as read.
  for (std::size_t c = 0; c < ds.columns_.size(); ++c) {
    std::vector<double>& v = ds.values_[c];
    std::vector<double> valid;
    for (double x : v)
      if (!std::isnan(x)) valid.push_back(std::fabs(x));
    if (valid.empty()) continue;
    const std::size_t k = valid.size() * 99 / 100;
    std::nth_element(valid.begin(), valid.begin() + static_cast<std::ptrdiff_t>(k), valid.end());
    const double p99 = valid[k];
    const std::vector<double> original = v;
    const auto neighbour = [&](std::size_t i, int step) {
      for (int d = 1; d <= 3; ++d) {
        const std::ptrdiff_t j = static_cast<std::ptrdiff_t>(i) + step * d;
        if (j < 0 || j >= static_cast<std::ptrdiff_t>(original.size())) break;
        if (!std::isnan(original[static_cast<std::size_t>(j)]))
          return original[static_cast<std::size_t>(j)];
      }
      return kMissing;
    };
    for (std::size_t i = 0; i < original.size(); ++i) {
      const double x = original[i];
      if (std::isnan(x) || x <= 0.0) continue;
      const double prev = neighbour(i, -1);
      const double next = neighbour(i, +1);
      if (std::isnan(prev) || std::isnan(next)) continue;
      const double ref = std::max(prev, next);
      if (x > 1.8 * ref && x - ref > 0.25 * p99) {
        ds.report_.spikes.push_back({ds.labels_[i], ds.columns_[c], x, ref});
        v[i] = kMissing;
      }
    }
  }
  return ds;
}

const std::string& Dataset::label_text(int day, int hour) const {
  static const std::string kNone;
  if (day < first_day_ || hour < 0 || hour > 23) return kNone;
  const std::size_t i = static_cast<std::size_t>(day - first_day_) * 24 + hour;
  return i < labels_.size() ? labels_[i] : kNone;
}

Series Dataset::series(const std::string& column) const {
  for (std::size_t c = 0; c < columns_.size(); ++c)
    if (columns_[c] == column) return Series{column, first_day_, values_[c]};
  std::string names;
  for (const auto& n : columns_) names += (names.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown column '" + column + "' (columns: " + names + ")");
}

}  // namespace ems::forecasting
