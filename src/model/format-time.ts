// Human-readable durations and times for nanosecond values, shared by the CLI summary,
// hovers and the webview. Three significant digits: "1.23 s", "450 ms", "12.3 µs", "800 ns".

function threeDigits(value: number): string {
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** A duration in nanoseconds: "800 ns", "12.3 µs", "450 ms", "1.23 s", "2 min 05 s", "1 h 02 min". */
export function formatDuration(ns: number): string {
  if (!Number.isFinite(ns)) return '?';
  if (ns < 0) return `-${formatDuration(-ns)}`;
  if (ns < 1_000) return `${Math.round(ns)} ns`;
  // Round first so 999.96 µs becomes "1.00 ms", not "1000 µs".
  if (ns < 999_500) return `${threeDigits(ns / 1e3)} µs`;
  if (ns < 999_500_000) return `${threeDigits(Math.max(1, ns / 1e6))} ms`;
  if (ns < 59_995_000_000) return `${threeDigits(Math.max(1, ns / 1e9))} s`;
  const totalSeconds = Math.round(ns / 1e9);
  if (totalSeconds < 3600) {
    const min = Math.floor(totalSeconds / 60);
    return `${min} min ${String(totalSeconds % 60).padStart(2, '0')} s`;
  }
  const totalMinutes = Math.round(totalSeconds / 60);
  return `${Math.floor(totalMinutes / 60)} h ${String(totalMinutes % 60).padStart(2, '0')} min`;
}

/** A moment since trace start, with millisecond precision: "+1.234 s", "+12.345 ms" for short traces. */
export function formatOffset(ns: number): string {
  if (!Number.isFinite(ns)) return '?';
  if (ns === 0) return '0';
  const sign = ns < 0 ? '-' : '+';
  const abs = Math.abs(ns);
  if (abs < 1e6) return `${sign}${(abs / 1e3).toFixed(1)} µs`;
  if (abs < 1e9) return `${sign}${(abs / 1e6).toFixed(3)} ms`;
  return `${sign}${(abs / 1e9).toFixed(3)} s`;
}

/** A ratio such as sequential / wall: "2.00x". */
export function formatRatio(numerator: number, denominator: number): string {
  if (!(denominator > 0) || !Number.isFinite(numerator)) return '?';
  return `${(numerator / denominator).toFixed(2)}x`;
}

/** A share of a whole as a percentage: "42%" ("<1%" for small non-zero shares). */
export function formatPercent(part: number, whole: number): string {
  if (!(whole > 0)) return '?';
  const pct = (part / whole) * 100;
  if (pct > 0 && pct < 1) return '<1%';
  return `${Math.round(pct)}%`;
}
