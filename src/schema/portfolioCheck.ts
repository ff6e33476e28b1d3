/**
 * A compiled check of `portfolioSchema` for bulk onboarding: plain loops over the same rules (the patterns, limits and
 * predicates `primitives.ts` and `portfolio.ts` export, so each rule has one home), about ten times cheaper than the
 * zod parse. It only answers "certainly valid": anything it does not accept goes to `parseDocument` with the zod
 * schema, which gives the error (JSON path and reason) or, where this check is stricter than zod, the parsed document.
 * So a bulk path built on it rejects exactly what the per-document path rejects, with the same error.
 */
import { DECIMAL_PATTERN } from "../core/decimal.js";
import { isNonZeroDecimal, MAX_DESCRIPTION_CHARS, MAX_PORTFOLIO_ENTRIES, type PortfolioInput } from "./portfolio.js";
import {
  CHAIN_PATTERN,
  IDENTIFIER_PATTERN,
  ISO_TIME_PATTERN,
  isPositiveDecimal,
  isValidIsoTime,
  MAX_DECIMAL_CHARS,
  MAX_IDENTIFIER_CHARS,
  RAW_AMOUNT_PATTERN,
  UNDERLYING_PATTERN,
} from "./primitives.js";

type Doc = Record<string, unknown>;

/** A plain object (literal or JSON.parse'd), nothing else: class instances and proxies go to zod. */
function isPlainObject(v: unknown): v is Doc {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Every enumerable key is one of `allowed` (zod's `.strict()`). */
function onlyKeys(o: Doc, allowed: ReadonlySet<string>): boolean {
  for (const k in o) if (!allowed.has(k)) return false;
  return true;
}

const isString = (v: unknown): v is string => typeof v === "string";
const isIdentifier = (v: unknown) => isString(v) && v.length <= MAX_IDENTIFIER_CHARS && IDENTIFIER_PATTERN.test(v);
const isChain = (v: unknown) => isString(v) && CHAIN_PATTERN.test(v);
const isUnderlying = (v: unknown) => isString(v) && UNDERLYING_PATTERN.test(v);
const isDecimal = (v: unknown): v is string => isString(v) && v.length <= MAX_DECIMAL_CHARS && DECIMAL_PATTERN.test(v);
const isPositive = (v: unknown) => isDecimal(v) && isPositiveDecimal(v);
const isRawAmount = (v: unknown) => isString(v) && v.length <= MAX_DECIMAL_CHARS && RAW_AMOUNT_PATTERN.test(v);

/** Valid ISO times seen, so the date is parsed once per distinct expiry (a venue lists a handful). */
const validTimes = new Set<string>();
const MAX_VALID_TIMES = 10_000;
function isIsoTime(v: unknown): boolean {
  if (!isString(v)) return false;
  if (validTimes.has(v)) return true;
  if (!ISO_TIME_PATTERN.test(v) || !isValidIsoTime(v)) return false;
  if (validTimes.size >= MAX_VALID_TIMES) validTimes.clear();
  validTimes.add(v);
  return true;
}

const PORTFOLIO_KEYS = new Set(["accountId", "description", "holdings", "positions"]);
const HOLDING_KEYS = new Set(["chain", "token", "amount", "amountRaw"]);
const PERP_KEYS = new Set(["id", "chain", "venue", "underlying", "size", "kind", "entryPrice", "fundingAccruedUsd"]);
const FUTURE_KEYS = new Set(["id", "chain", "venue", "underlying", "size", "kind", "expiry", "entryPrice"]);
const OPTION_KEYS = new Set([
  "id",
  "chain",
  "venue",
  "underlying",
  "size",
  "kind",
  "expiry",
  "strike",
  "optionType",
  "entryPrice",
]);

function isHolding(v: unknown): boolean {
  if (!isPlainObject(v) || !onlyKeys(v, HOLDING_KEYS)) return false;
  if (!isChain(v.chain) || !isIdentifier(v.token)) return false;
  const hasAmount = v.amount !== undefined;
  if (hasAmount === (v.amountRaw !== undefined)) return false;
  return hasAmount ? isDecimal(v.amount) : isRawAmount(v.amountRaw);
}

function isPosition(v: unknown): boolean {
  if (!isPlainObject(v)) return false;
  if (v.id !== undefined && !isIdentifier(v.id)) return false;
  if (!isChain(v.chain) || !isIdentifier(v.venue) || !isUnderlying(v.underlying)) return false;
  if (!isDecimal(v.size) || !isNonZeroDecimal(v.size)) return false;
  if (v.entryPrice !== undefined && !isPositive(v.entryPrice)) return false;
  switch (v.kind) {
    case "perp":
      return onlyKeys(v, PERP_KEYS) && (v.fundingAccruedUsd === undefined || isDecimal(v.fundingAccruedUsd));
    case "future":
      return onlyKeys(v, FUTURE_KEYS) && isIsoTime(v.expiry);
    case "option":
      return (
        onlyKeys(v, OPTION_KEYS) &&
        isIsoTime(v.expiry) &&
        isPositive(v.strike) &&
        (v.optionType === "call" || v.optionType === "put")
      );
    default:
      return false;
  }
}

function isList(v: unknown, isItem: (x: unknown) => boolean): boolean {
  if (v === undefined) return true;
  if (!Array.isArray(v) || v.length > MAX_PORTFOLIO_ENTRIES) return false;
  for (let i = 0; i < v.length; i++) if (!isItem(v[i])) return false;
  return true;
}

/**
 * True only when `portfolioSchema` certainly accepts `v` (then its output is `v` with missing lists read as empty);
 * false means "ask zod", not "invalid".
 */
export function isCertainlyValidPortfolio(v: unknown): v is PortfolioInput {
  return (
    isPlainObject(v) &&
    onlyKeys(v, PORTFOLIO_KEYS) &&
    isIdentifier(v.accountId) &&
    (v.description === undefined || (isString(v.description) && v.description.length <= MAX_DESCRIPTION_CHARS)) &&
    isList(v.holdings, isHolding) &&
    isList(v.positions, isPosition)
  );
}
