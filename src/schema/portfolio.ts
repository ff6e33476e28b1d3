import { z } from "zod";
import {
  chainId,
  decimalString,
  identifier,
  isoTime,
  positiveDecimalString,
  rawAmountString,
  underlyingSymbol,
} from "./primitives.js";

/** A position size's rule on a valid decimal string: not 0 (nor -0). */
export const isNonZeroDecimal = (v: string): boolean => Number(v) !== 0;

/** Most holdings, and most positions, one portfolio may list. */
export const MAX_PORTFOLIO_ENTRIES = 10_000;
/** Longest portfolio description. */
export const MAX_DESCRIPTION_CHARS = 500;

/**
 * A token balance on one chain. Give exactly one of `amount` (decimal token units) or `amountRaw` (base units as read
 * on chain). Negative amounts are borrows (liabilities).
 */
export const holdingSchema = z
  .object({
    chain: chainId,
    token: identifier,
    amount: decimalString.optional(),
    amountRaw: rawAmountString.optional(),
  })
  .strict()
  .refine((h) => (h.amount === undefined) !== (h.amountRaw === undefined), {
    message: "give exactly one of amount or amountRaw",
    path: ["amount"],
  });

const positionBase = {
  id: identifier.optional(),
  chain: chainId,
  venue: identifier,
  underlying: underlyingSymbol,
  /** Signed size in units of the underlying: positive long, negative short. */
  size: decimalString.refine(isNonZeroDecimal, { message: "must not be 0" }),
};

export const perpPositionSchema = z
  .object({
    ...positionBase,
    kind: z.literal("perp"),
    entryPrice: positiveDecimalString.optional(),
    /** Funding accrued and not yet settled, USD, positive when received. */
    fundingAccruedUsd: decimalString.optional(),
  })
  .strict();

export const futurePositionSchema = z
  .object({
    ...positionBase,
    kind: z.literal("future"),
    expiry: isoTime,
    entryPrice: positiveDecimalString.optional(),
  })
  .strict();

export const optionPositionSchema = z
  .object({
    ...positionBase,
    kind: z.literal("option"),
    expiry: isoTime,
    strike: positiveDecimalString,
    optionType: z.enum(["call", "put"]),
    /** Premium paid (long) or received (short) per unit, USD; informational, equity uses the mark. */
    entryPrice: positiveDecimalString.optional(),
  })
  .strict();

export const positionSchema = z.discriminatedUnion("kind", [
  perpPositionSchema,
  futurePositionSchema,
  optionPositionSchema,
]);

export const portfolioSchema = z
  .object({
    accountId: identifier,
    description: z.string().max(MAX_DESCRIPTION_CHARS).optional(),
    holdings: z.array(holdingSchema).max(MAX_PORTFOLIO_ENTRIES).default([]),
    positions: z.array(positionSchema).max(MAX_PORTFOLIO_ENTRIES).default([]),
  })
  .strict();

export type Holding = z.infer<typeof holdingSchema>;
export type Position = z.infer<typeof positionSchema>;
export type PerpPosition = z.infer<typeof perpPositionSchema>;
export type FuturePosition = z.infer<typeof futurePositionSchema>;
export type OptionPosition = z.infer<typeof optionPositionSchema>;
export type Portfolio = z.infer<typeof portfolioSchema>;
export type PortfolioInput = z.input<typeof portfolioSchema>;
