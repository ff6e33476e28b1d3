import { z } from "zod";
import { DECIMAL_PATTERN } from "../core/decimal.js";

/** Longest decimal or raw-amount string accepted. */
export const MAX_DECIMAL_CHARS = 100;

/** `positiveDecimalString`'s rule on a valid decimal string. */
export const isPositiveDecimal = (v: string): boolean => Number(v) > 0;

/** Raw base units: an integer string. */
export const RAW_AMOUNT_PATTERN = /^-?(0|[1-9]\d*)$/;

/** ISO-8601 date, or date and time with zone. */
export const ISO_TIME_PATTERN = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** `isoTime`'s second rule on a string of ISO_TIME_PATTERN: a real date (not 2024-02-30). */
export const isValidIsoTime = (v: string): boolean =>
  Number.isFinite(Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v));

/** Identifiers' characters (1 to 64 of them). */
export const IDENTIFIER_PATTERN = /^[A-Za-z0-9_.\-:/]+$/;
export const MAX_IDENTIFIER_CHARS = 64;

/** Chain ids: lower-case names. */
export const CHAIN_PATTERN = /^[a-z][a-z0-9-]{1,31}$/;

/** Underlying symbols: upper-case. */
export const UNDERLYING_PATTERN = /^[A-Z][A-Z0-9]{0,15}$/;

/** A decimal number carried as a JSON string ("1234.5", "-0.25"); no exponent form, no hex. */
export const decimalString = z
  .string()
  .max(MAX_DECIMAL_CHARS, { message: "at most 100 characters" })
  .regex(DECIMAL_PATTERN, { message: 'must be a decimal string like "12.5"' });

/** A strictly positive decimal string. */
export const positiveDecimalString = decimalString.refine(isPositiveDecimal, { message: "must be greater than 0" });

/** A non-negative decimal string. */
export const nonNegativeDecimalString = decimalString.refine((v) => Number(v) >= 0, { message: "must be 0 or more" });

/** Raw on-chain base units as a decimal integer string (bigint in memory). */
export const rawAmountString = z
  .string()
  .max(MAX_DECIMAL_CHARS, { message: "at most 100 characters" })
  .regex(RAW_AMOUNT_PATTERN, { message: "must be an integer string of base units" });

/** ISO-8601 date or time with zone. */
export const isoTime = z
  .string()
  .regex(ISO_TIME_PATTERN, {
    message: "must be an ISO-8601 time with zone, e.g. 2024-03-01T00:00:00Z",
  })
  .refine(isValidIsoTime, { message: "not a valid date" });

/** Identifier: chain, token, underlying, venue, account. */
export const identifier = z
  .string()
  .min(1)
  .max(MAX_IDENTIFIER_CHARS)
  .regex(IDENTIFIER_PATTERN, { message: "may contain only letters, digits and _ . - : /" });

/** Chain ids are lower-case names such as "ethereum", "arbitrum", "solana". */
export const chainId = z.string().regex(CHAIN_PATTERN, { message: 'must be a lower-case chain name like "arbitrum"' });

/** Underlying symbols are upper-case: "BTC", "ETH", "USD". */
export const underlyingSymbol = z
  .string()
  .regex(UNDERLYING_PATTERN, { message: 'must be an upper-case symbol like "ETH"' });
