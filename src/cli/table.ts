/** A cell that reads as a number: 1,234.56 / -0.5 / 1.2e-3 / 12.5% (and "n/a" or "-" standing for one). */
const NUMBER_CELL = /^[-+]?[\d,]*\.?\d+(e[-+]?\d+)?%?$/i;
const isNumberLike = (s: string) => NUMBER_CELL.test(s) || s === "n/a" || s === "-";

/**
 * Renders rows as an aligned plain-text table. A column whose cells are all numbers (or n/a) is right-aligned, header
 * included, so the digits line up; any other column is left-aligned.
 */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const numeric = header.map(
    (_, i) => rows.some((r) => (r[i] ?? "") !== "") && rows.every((r) => (r[i] ?? "") === "" || isNumberLike(r[i]!)),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** USD with thousands separators and 2 decimals. */
export function usd(value: number): string {
  return value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}
