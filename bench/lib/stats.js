'use strict';
// Percentiles from a sorted copy of every recorded latency (exact, not bucketed).

const PCTS = [0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 100];

function pct(sorted, p) {
  if (sorted.length === 0) return null;
  if (p >= 100) return sorted[sorted.length - 1];
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

const round = (v, d = 3) => (v === null || v === undefined ? null : Math.round(v * 10 ** d) / 10 ** d);

/** latencies in ms -> {count, mean, p50, p90, p99, p999, max, min, distribution} */
function summarize(values) {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  return {
    count: n,
    min: round(n ? sorted[0] : null),
    mean: round(n ? sum / n : null),
    p50: round(pct(sorted, 50)),
    p90: round(pct(sorted, 90)),
    p99: round(pct(sorted, 99)),
    p999: round(pct(sorted, 99.9)),
    max: round(n ? sorted[n - 1] : null),
    /** [percentile, ms] pairs for charts */
    distribution: n ? PCTS.map((p) => [p, round(pct(sorted, p))]) : [],
  };
}

module.exports = { summarize, pct, round };
