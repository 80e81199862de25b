#!/usr/bin/env bash
# The README's backtest table: every model on the issue's window for solar_system, system_load
# and two solar regions, with wall time and peak memory of each backtest run.
#   bench/forecasting/backtest_table.sh [BUILD_DIR] [FROM] [TO]
# Reads only the shipped data file. Prints a Markdown table on stdout.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$root/build}"
from="${2:-2023-10-03}"
to="${3:-2023-12-31}"
bin="$build/services/analyst/ems-analyst"
data="$root/data/ercot/ercot_solar_load_temp_hourly_2022-06_2023-12.csv"
[[ -x "$bin" ]] || { echo "build ems-analyst first ($bin)" >&2; exit 1; }
echo "| target | model | MAE | RMSE | persistence MAE | skill | hours | time s | peak RSS MB |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
for target in solar_system system_load solar_farwest solar_centereast; do
  for model in persistence seasonal_naive climatology clear_sky gbt gbt_median; do
    log="$(mktemp)"
    /usr/bin/time -f 'TIME %e %M' "$bin" backtest --data "$data" --target "$target" \
      --from "$from" --to "$to" --model "$model" >/dev/null 2>"$log"
    line=" $(grep "^scored_hours=" "$log")"
    read -r secs kb < <(grep '^TIME ' "$log" | cut -d' ' -f2-)
    get() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %.0f |\n' "$target" "$model" \
      "$(get MAE)" "$(get RMSE)" "$(get persistence_MAE)" "$(get skill)" "$(get scored_hours)" \
      "$secs" "$(echo "$kb / 1024" | bc -l)"
    rm -f "$log"
  done
done
