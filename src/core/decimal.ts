import { calculationFailed, invalidInput } from "./errors.js";

/** A decimal number as JSON carries it: optional sign, digits, optional fraction. No exponents, no hex. */
export const DECIMAL_PATTERN = /^-?(0|[1-9]\d*)(\.\d+)?$/;

/** Parses a decimal string into a float64 for risk math. Throws INVALID_INPUT naming `path` when malformed. */
export function parseDecimal(value: string, path = "$"): number {
  if (!DECIMAL_PATTERN.test(value))
    throw invalidInput(path, `not a decimal string: ${JSON.stringify(value.slice(0, 40))}`);
  const n = Number(value);
  if (!Number.isFinite(n)) throw invalidInput(path, `decimal out of range: ${value}`);
  return n;
}

/**
 * Converts raw on-chain base units to a decimal string exactly (no float rounding).
 * @example formatUnits(1500000n, 6) === "1.5"
 */
export function formatUnits(amountRaw: bigint, decimals: number): string {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 77) throw invalidInput("$", `bad decimals ${decimals}`);
  const negative = amountRaw < 0n;
  const abs = negative ? -amountRaw : amountRaw;
  const base = 10n ** BigInt(decimals);
  const whole = abs / base;
  const frac = (abs % base).toString().padStart(decimals, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${frac ? `.${frac}` : ""}`;
}

/**
 * Converts a decimal string to raw base units exactly. More fractional digits than `decimals` is an error, never a
 * silent truncation.
 * @example parseUnits("1.5", 6) === 1500000n
 */
export function parseUnits(value: string, decimals: number, path = "$"): bigint {
  if (!DECIMAL_PATTERN.test(value))
    throw invalidInput(path, `not a decimal string: ${JSON.stringify(value.slice(0, 40))}`);
  const negative = value.startsWith("-");
  const [whole = "0", frac = ""] = (negative ? value.slice(1) : value).split(".");
  if (frac.length > decimals) {
    throw invalidInput(path, `more than ${decimals} fractional digits`, `value ${value}`);
  }
  const raw = BigInt(whole) * 10n ** BigInt(decimals) + BigInt(frac.padEnd(decimals, "0") || "0");
  return negative ? -raw : raw;
}

/** x.toFixed(d) without exponent form: toFixed switches to "1e+21" at 1e21 and above. */
function plainFixed(x: number, d: number): string {
  if (Math.abs(x) < 1e21) return x.toFixed(d);
  const whole = BigInt(Math.trunc(x)).toString();
  return d > 0 ? `${whole}.${"0".repeat(d)}` : whole;
}

/**
 * Formats a float64 USD figure as a decimal string for JSON output (fixed number of decimals, no exponent).
 * Non-finite values are a calculation bug and throw rather than print "NaN".
 */
export function formatUsd(valueUsd: number, decimals = 2): string {
  if (!Number.isFinite(valueUsd)) throw calculationFailed("cannot format a non-finite amount", String(valueUsd));
  const fixed = plainFixed(valueUsd, decimals);
  return fixed === `-${(0).toFixed(decimals)}` ? (0).toFixed(decimals) : fixed;
}

/** Formats any float as a plain decimal string with up to `significant` significant digits, never in exponent form. */
export function formatDecimal(value: number, significant = 12): string {
  if (!Number.isFinite(value)) throw calculationFailed("cannot format a non-finite value", String(value));
  if (value === 0) return "0";
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const decimals = Math.min(20, Math.max(0, significant - 1 - magnitude));
  const fixed = plainFixed(value, decimals);
  const trimmed = fixed.includes(".") ? fixed.replace(/\.?0+$/, "") : fixed;
  return trimmed === "-0" ? "0" : trimmed;
}
