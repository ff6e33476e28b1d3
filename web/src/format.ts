/**
 * Number and time formatting of the dashboard, one rule per kind of figure so every page reads the same:
 * USD without cents from 1,000 up, ratios to 2 decimals, moves as signed percentages, ages in human units.
 */

/** A decimal string (or number) of the API as a number; NaN when absent. */
export const num = (s: string | number | null | undefined): number =>
  s === null || s === undefined || s === "" ? Number.NaN : Number(s);

const DASH = "—";

/** USD amount: thousands separated, cents only below 1,000. */
export function fmtUsd(s: string | number | null | undefined): string {
  const v = num(s);
  if (!Number.isFinite(v)) return DASH;
  const digits = Math.abs(v) >= 1000 ? 0 : 2;
  return v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** USD amount with an explicit sign (a change). */
export function fmtUsdChange(s: string | number | null | undefined): string {
  const v = num(s);
  if (!Number.isFinite(v)) return DASH;
  return `${v > 0 ? "+" : ""}${fmtUsd(v)}`;
}

/** Compact USD for chart axes and heatmap cells: 1.2M, 35.4k, 950. */
export function fmtCompact(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toFixed(2)}B`;
  if (a >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (a >= 1e3) return `${(v / 1e3).toFixed(1)}k`;
  return v.toFixed(0);
}

/** A price: 6 significant digits, thousands separated. */
export function fmtPrice(s: string | number | null | undefined): string {
  const v = num(s);
  if (!Number.isFinite(v)) return DASH;
  return v.toLocaleString("en-US", { maximumSignificantDigits: 6 });
}

/**
 * Health ratio (maintenance collateral / maintenance margin): 2 decimals below 10, 1 below 100; above 100 the
 * account is so far from liquidation that more digits carry no information ("> 100").
 */
export function fmtHealth(s: string | number | null | undefined): string {
  const v = num(s);
  if (!Number.isFinite(v)) return "n/a";
  if (v >= 100) return "> 100";
  return v.toFixed(v >= 10 ? 1 : 2);
}

/** Signed relative move as a percentage: 0.231 -> "+23.1%". */
export function fmtPct(s: string | number | null | undefined, digits = 1): string {
  const v = num(s);
  if (!Number.isFinite(v)) return DASH;
  return `${v > 0 ? "+" : ""}${(v * 100).toFixed(digits)}%`;
}

/** Unsigned percentage: 0.65 -> "65.0%". */
export function fmtPctAbs(s: string | number | null | undefined, digits = 1): string {
  const v = num(s);
  return Number.isFinite(v) ? `${(v * 100).toFixed(digits)}%` : DASH;
}

/** A greek or size: up to 4 significant digits, exponent only for very small or large values. */
export function fmtGreek(s: string | number | null | undefined): string {
  const v = num(s);
  if (!Number.isFinite(v)) return DASH;
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e7) return v.toExponential(2);
  return v.toLocaleString("en-US", { maximumSignificantDigits: 4 });
}

/** An age or duration in seconds in human units: "45 s", "12 min", "3 h 5 min", "4 d 2 h", "1.3 y". */
export function fmtAge(seconds: number): string {
  if (!Number.isFinite(seconds)) return DASH;
  const sign = seconds < 0 ? "in " : "";
  const s = Math.abs(Math.round(seconds));
  if (s < 90) return `${sign}${s} s`;
  const min = Math.round(s / 60);
  if (min < 90) return `${sign}${min} min`;
  const h = Math.floor(s / 3600);
  if (h < 48) return `${sign}${h} h${min % 60 ? ` ${min % 60} min` : ""}`;
  const d = Math.floor(s / 86_400);
  if (d < 730) return `${sign}${d} d${h % 24 ? ` ${h % 24} h` : ""}`;
  return `${sign}${(s / (365 * 86_400)).toFixed(1)} y`;
}

/** Days as a duration in human units (median time to liquidation). */
export function fmtDays(s: string | number | null | undefined): string {
  const v = num(s);
  return Number.isFinite(v) ? fmtAge(v * 86_400) : DASH;
}

/** Rewrites the raw second counts of engine messages ("newest is 3600000s old") in human units. */
export function humaniseSeconds(message: string): string {
  return message.replace(/\b(\d+(?:\.\d+)?)\s?s\b/g, (_m, n: string) => fmtAge(Number(n)));
}

/** An ISO time as a UTC date, with the time of day only when it is not midnight. */
export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return DASH;
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return iso;
  const d = new Date(t).toISOString();
  return d.endsWith("T00:00:00.000Z") ? d.slice(0, 10) : `${d.slice(0, 16).replace("T", " ")} UTC`;
}

/** A count with its noun, singular or plural: plural(1, "flag") = "1 flag". */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
