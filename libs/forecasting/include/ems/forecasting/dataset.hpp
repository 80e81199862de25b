#pragma once
// Dataset: an hourly CSV (first column a label, the others numeric) loaded onto a dense grid of
// label slots (calendar.hpp), with every data-quality rule applied explicitly and reported.
//
// Rules, in the order they are applied (each finding lands in the QualityReport, never silently):
//   rejected rows   a label that does not parse, or a wrong number of cells -> row skipped
//   duplicates      a label seen before -> the later row is dropped (first occurrence wins; on a
//                   fall-back DST day the first is the daylight-time hour); flagged `dst_fallback`
//                   when the label is 00:00..02:00 of the first Sunday of November
//   empty cells     an empty or non-numeric cell -> the value is missing (NaN), counted per column
//   spikes          a positive value more than 1.8x the larger of its nearest valid neighbours
//                   (up to 3 hours away on each side) and larger than it by more than 25% of the
//                   column's 99th percentile -> the value is set missing (e.g. 2023-04-13 15:00,
//                   two hours of solar summed into one)
//   gaps            slots between the first and the last label with no row; flagged
//                   `dst_spring` when the slot is 02:00 of the second Sunday of March (the hour
//                   that does not exist on the clock)
// Missing values stay missing: models and baselines decide how to live with them.
//
// Errors: load_csv throws std::runtime_error naming the file when it cannot be opened, the header
// is empty, or no row is usable. series() throws std::invalid_argument naming the column and the
// available ones. A loaded Dataset is immutable and safe to share between threads.
#include <cstddef>
#include <istream>
#include <limits>
#include <string>
#include <vector>

#include "ems/forecasting/calendar.hpp"

namespace ems::forecasting {

inline constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

// One column on the slot grid: values[(day - first_day) * 24 + hour], NaN when missing.
struct Series {
  std::string name;
  int first_day = 0;
  std::vector<double> values;

  int end_day() const { return first_day + static_cast<int>(values.size() / 24); }
  // NaN outside the grid or when missing.
  double at(int day, int hour) const;
  // A copy holding only the days before `day`: what a forecast for `day` may see.
  Series before(int day) const;
};

struct QualityReport {
  struct Rejected {
    std::size_t line = 0;
    std::string reason;
  };
  struct Duplicate {
    std::size_t line = 0;
    std::string label;
    bool dst_fallback = false;
  };
  struct Gap {
    std::string first_label;  // first missing slot
    int hours = 0;
    bool dst_spring = false;
  };
  struct Spike {
    std::string label;
    std::string column;
    double value = 0.0;
    double neighbour = 0.0;  // the larger valid neighbour it was compared with
  };
  std::size_t rows_read = 0;
  std::size_t rows_kept = 0;
  std::vector<Rejected> rejected;
  std::vector<Duplicate> duplicates;
  std::vector<Gap> gaps;
  std::vector<Spike> spikes;
  std::vector<std::pair<std::string, std::size_t>> empty_cells;  // column -> count (only > 0)

  std::size_t missing_hours() const;
  // Human-readable, one finding kind per line, for stderr and logs.
  std::string summary() const;
};

class Dataset {
 public:
  static Dataset load_csv(const std::string& path);
  // `source` names the input in error messages.
  static Dataset parse_csv(std::istream& in, const std::string& source);

  const std::vector<std::string>& columns() const { return columns_; }
  int first_day() const { return first_day_; }
  int end_day() const { return first_day_ + static_cast<int>(labels_.size() / 24); }
  // The label exactly as the file wrote it; empty when the slot has no row.
  const std::string& label_text(int day, int hour) const;
  Series series(const std::string& column) const;
  const QualityReport& report() const { return report_; }

 private:
  std::vector<std::string> columns_;  // value columns (without the label column)
  int first_day_ = 0;
  std::vector<std::string> labels_;
  std::vector<std::vector<double>> values_;  // per column, per slot
  QualityReport report_;
};

}  // namespace ems::forecasting
