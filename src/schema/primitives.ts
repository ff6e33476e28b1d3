import { z } from "zod";
import { DECIMAL_PATTERN } from "../core/decimal.js";

/** A decimal number carried as a JSON string ("1234.5", "-0.25"); no exponent form, no hex. */
export const decimalString = z
  .string()
  .max(100, { message: "at most 100 characters" })
  .regex(DECIMAL_PATTERN, { message: 'must be a decimal string like "12.5"' });

/** A strictly positive decimal string. */
export const positiveDecimalString = decimalString.refine((v) => Number(v) > 0, { message: "must be greater than 0" });

/** A non-negative decimal string. */
export const nonNegativeDecimalString = decimalString.refine((v) => Number(v) >= 0, { message: "must be 0 or more" });

/** Raw on-chain base units as a decimal integer string (bigint in memory). */
export const rawAmountString = z
  .string()
  .max(100, { message: "at most 100 characters" })
  .regex(/^-?(0|[1-9]\d*)$/, { message: "must be an integer string of base units" });

/** ISO-8601 date or time with zone. */
export const isoTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/, {
    message: "must be an ISO-8601 time with zone, e.g. 2024-03-01T00:00:00Z",
  })
  .refine((v) => Number.isFinite(Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v)), { message: "not a valid date" });

/** Identifier: chain, token, underlying, venue, account. */
export const identifier = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.\-:/]+$/, { message: "may contain only letters, digits and _ . - : /" });

/** Chain ids are lower-case names such as "ethereum", "arbitrum", "solana". */
export const chainId = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,31}$/, { message: 'must be a lower-case chain name like "arbitrum"' });

/** Underlying symbols are upper-case: "BTC", "ETH", "USD". */
export const underlyingSymbol = z
  .string()
  .regex(/^[A-Z][A-Z0-9]{0,15}$/, { message: 'must be an upper-case symbol like "ETH"' });
