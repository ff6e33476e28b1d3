/**
 * Generators of valid Portfolio documents and a richer test market for the property and fuzz suites.
 *
 * Amounts and sizes are exact decimals (`Dec`: mantissa x 10^-exponent) so that scaling a portfolio by k is exact in
 * the document and any difference in the report comes from the engine, not from the generator's rounding.
 */
import fc from "fast-check";
import { tokenRepresentations } from "../../src/market/tokenRegistry.js";
import type { MarketSnapshotInput } from "../../src/schema/marketSnapshot.js";
import type { PortfolioInput } from "../../src/schema/portfolio.js";
import { AS_OF, market } from "../support/fixtures.js";

/** An exact decimal: `m x 10^-e` (e >= 0). */
export interface Dec {
  m: bigint;
  e: number;
}

/** Plain decimal string of an exact decimal, as the schema wants it (no exponent, no leading zeros, no "-0"). */
export function decString(d: Dec): string {
  if (d.m === 0n) return "0";
  const neg = d.m < 0n;
  const digits = (neg ? -d.m : d.m).toString().padStart(d.e + 1, "0");
  const whole = d.e === 0 ? digits : digits.slice(0, digits.length - d.e);
  const frac = d.e === 0 ? "" : digits.slice(digits.length - d.e).replace(/0+$/, "");
  return `${neg ? "-" : ""}${whole}${frac ? `.${frac}` : ""}`;
}

export function decMul(a: Dec, b: Dec): Dec {
  return { m: a.m * b.m, e: a.e + b.e };
}

export function decAdd(a: Dec, b: Dec): Dec {
  const e = Math.max(a.e, b.e);
  return { m: a.m * 10n ** BigInt(e - a.e) + b.m * 10n ** BigInt(e - b.e), e };
}

export function decNeg(a: Dec): Dec {
  return { m: -a.m, e: a.e };
}

/** Underlying spot prices of the property market (USD). */
export const SPOT: Readonly<Record<string, number>> = {
  ETH: 2000,
  BTC: 40000,
  SOL: 100,
  LINK: 15,
  MATIC: 0.8,
  AVAX: 30,
  BNB: 300,
};

/** Option expiries covered by the property market's vol surfaces (all after AS_OF). */
export const OPTION_EXPIRIES = ["2024-01-05T08:00:00Z", "2024-01-31T08:00:00Z", "2024-03-29T08:00:00Z"] as const;
/** Future expiries (futures need no surface). */
export const FUTURE_EXPIRIES = ["2024-01-31T08:00:00Z", "2024-06-28T08:00:00Z", "2024-12-27T08:00:00Z"] as const;
/** Underlyings with a vol surface in the property market. */
export const OPTION_UNDERLYINGS = ["ETH", "BTC", "SOL"] as const;
export const DERIVATIVE_UNDERLYINGS = ["ETH", "BTC", "SOL", "LINK", "AVAX", "BNB", "MATIC"] as const;
const CHAINS = ["ethereum", "arbitrum", "optimism", "base", "polygon", "avalanche", "bsc", "solana"] as const;
const VENUES = ["gmx", "derive", "drift", "hyperliquid"] as const;

const FRESH = "2023-12-31T23:59:00Z";
/** Two hours before AS_OF: older than the one-hour heartbeat, so stale. */
export const STALE = "2023-12-31T22:00:00Z";

function quote(source: string, chain: string, feed: string, price: string, publishedAt = FRESH) {
  return { source, chain, feed, price, publishedAt };
}

function flatSurface(underlying: string, vol: string) {
  const s = SPOT[underlying]!;
  return {
    underlying,
    expiries: OPTION_EXPIRIES.map((expiry) => ({
      expiry,
      strikes: [String(s / 4), String(s), String(s * 4)],
      vols: [vol, vol, vol],
    })),
  };
}

/**
 * The test fixture market extended so that every token in the registry has a price: quotes for every underlying
 * (two sources for ETH, BTC, SOL), own feeds for the drifting LSTs (wstETH, cbETH, mSOL, jitoSOL) and stETH, flat
 * surfaces for ETH, BTC and SOL, carry for futures, and risk factors for xchain (LINK, AVAX, BNB, MATIC left
 * unmodelled on purpose so the fallback path is exercised).
 */
export function propertyMarket(overrides: Partial<MarketSnapshotInput> = {}): MarketSnapshotInput {
  return market({
    quotes: [
      quote("chainlink", "ethereum", "ETH/USD", "2000"),
      quote("pyth", "solana", "ETH/USD", "2000"),
      quote("chainlink", "ethereum", "BTC/USD", "40000"),
      quote("pyth", "solana", "BTC/USD", "40000"),
      quote("chainlink", "ethereum", "SOL/USD", "100"),
      quote("pyth", "solana", "SOL/USD", "100"),
      quote("chainlink", "ethereum", "LINK/USD", "15"),
      quote("chainlink", "polygon", "MATIC/USD", "0.8"),
      quote("chainlink", "avalanche", "AVAX/USD", "30"),
      quote("chainlink", "bsc", "BNB/USD", "300"),
      quote("chainlink", "ethereum", "USDC/USD", "1"),
      quote("chainlink", "ethereum", "stETH/USD", "1998"),
      quote("chainlink", "ethereum", "wstETH/USD", "2300"),
      quote("chainlink", "base", "cbETH/USD", "2100"),
      quote("pyth", "solana", "mSOL/USD", "115"),
      quote("pyth", "solana", "jitoSOL/USD", "110"),
    ],
    volSurfaces: [flatSurface("ETH", "0.6"), flatSurface("BTC", "0.5"), flatSurface("SOL", "0.9")],
    rates: { riskFreeAnnual: "0.04", carryAnnual: { ETH: "0.05", BTC: "0.06" } },
    riskFactors: {
      source: "property tests",
      factors: [
        { name: "ETH", volDaily: "0.04" },
        { name: "BTC", volDaily: "0.03" },
        { name: "SOL", volDaily: "0.06" },
        { name: "basis:stETH", volDaily: "0.005" },
        { name: "basis:USDC", volDaily: "0.001" },
      ],
      correlations: [
        ["1", "0.8", "0.7", "0", "0"],
        ["0.8", "1", "0.6", "0", "0"],
        ["0.7", "0.6", "1", "0", "0"],
        ["0", "0", "0", "1", "0"],
        ["0", "0", "0", "0", "1"],
      ],
    },
    ...overrides,
  });
}

export const MODELS = ["isolated", "cross", "grid", "xchain"] as const;
export type ModelName = (typeof MODELS)[number];

/** Config per model; xchain with few paths so that properties stay fast (2,000 paths, fixed seed). */
export function modelConfig(model: ModelName, seed = 1): Record<string, unknown> {
  return model === "xchain" ? { model, simulation: { paths: 2000, seed } } : { model };
}

/** A generated holding: chain, token, exact amount. */
export interface HoldingSpec {
  chain: string;
  token: string;
  amount: Dec;
}

export type PositionSpec =
  | { kind: "perp"; chain: string; venue: string; underlying: string; size: Dec; entryPrice?: Dec; funding?: Dec }
  | { kind: "future"; chain: string; venue: string; underlying: string; size: Dec; expiry: string; entryPrice?: Dec }
  | {
      kind: "option";
      chain: string;
      venue: string;
      underlying: string;
      size: Dec;
      expiry: string;
      strike: Dec;
      optionType: "call" | "put";
    };

export interface PortfolioSpec {
  holdings: HoldingSpec[];
  positions: PositionSpec[];
}

/** Every token of the registry; all are priced in `propertyMarket`. */
export const TOKENS = tokenRepresentations.map((t) => ({
  chain: t.chain,
  token: t.symbol,
  underlying: t.underlying,
  kind: t.kind,
}));
export const STABLECOINS = TOKENS.filter((t) => t.kind === "stablecoin");

/** Non-zero exact decimal with at most `maxE` fractional digits; magnitude up to `maxInt`. */
export function decArb(maxInt: number, maxE: number, signed: boolean): fc.Arbitrary<Dec> {
  return fc
    .record({
      m: fc.integer({ min: 1, max: maxInt }),
      e: fc.integer({ min: 0, max: maxE }),
      neg: signed ? fc.boolean() : fc.constant(false),
    })
    .map(({ m, e, neg }) => ({ m: BigInt(neg ? -m : m), e }));
}

/**
 * Amount in token units whose USD value is roughly in [0.01, 1e6]: the mantissa is scaled to the token's price so
 * that a BTC holding is not a million BTC.
 */
function amountArb(underlying: string, signed: boolean): fc.Arbitrary<Dec> {
  const price = underlying === "USD" ? 1 : SPOT[underlying]!;
  const e = price >= 10_000 ? 4 : price >= 100 ? 3 : 2;
  return decArb(Math.max(1, Math.round((1e6 * 10 ** e) / price)), e, signed).map((d) => ({ m: d.m, e }));
}

export function holdingArb(opts: { borrows: boolean; tokens?: typeof TOKENS } = { borrows: true }) {
  return fc
    .constantFrom(...(opts.tokens ?? TOKENS))
    .chain((t) => amountArb(t.underlying, opts.borrows).map((amount) => ({ chain: t.chain, token: t.token, amount })));
}

/** Size in units of the underlying, notional up to about 1e6 USD. */
function sizeArb(underlying: string): fc.Arbitrary<Dec> {
  return amountArb(underlying, true);
}

/** A price within [0.5, 1.5] x spot, 2 decimals. */
function priceNear(underlying: string): fc.Arbitrary<Dec> {
  const s = SPOT[underlying]!;
  return fc.integer({ min: Math.ceil(s * 50), max: Math.floor(s * 150) }).map((c) => ({ m: BigInt(c), e: 2 }));
}

export const perpArb: fc.Arbitrary<PositionSpec> = fc
  .record({
    chain: fc.constantFrom(...CHAINS),
    venue: fc.constantFrom(...VENUES),
    underlying: fc.constantFrom(...DERIVATIVE_UNDERLYINGS),
  })
  .chain((b) =>
    fc.record({
      kind: fc.constant("perp" as const),
      chain: fc.constant(b.chain),
      venue: fc.constant(b.venue),
      underlying: fc.constant(b.underlying),
      size: sizeArb(b.underlying),
      entryPrice: fc.option(priceNear(b.underlying), { nil: undefined }),
      funding: fc.option(decArb(100_000, 2, true), { nil: undefined }),
    }),
  )
  .map((p) => stripUndefined(p));

export const futureArb: fc.Arbitrary<PositionSpec> = fc
  .record({
    chain: fc.constantFrom(...CHAINS),
    venue: fc.constantFrom(...VENUES),
    underlying: fc.constantFrom(...DERIVATIVE_UNDERLYINGS),
    expiry: fc.constantFrom(...FUTURE_EXPIRIES),
  })
  .chain((b) =>
    fc.record({
      kind: fc.constant("future" as const),
      chain: fc.constant(b.chain),
      venue: fc.constant(b.venue),
      underlying: fc.constant(b.underlying),
      expiry: fc.constant(b.expiry),
      size: sizeArb(b.underlying),
      entryPrice: fc.option(priceNear(b.underlying), { nil: undefined }),
    }),
  )
  .map((p) => stripUndefined(p));

export const optionArb: fc.Arbitrary<PositionSpec> = fc
  .record({
    chain: fc.constantFrom(...CHAINS),
    venue: fc.constantFrom(...VENUES),
    underlying: fc.constantFrom(...OPTION_UNDERLYINGS),
    expiry: fc.constantFrom(...OPTION_EXPIRIES),
    optionType: fc.constantFrom("call" as const, "put" as const),
  })
  .chain((b) =>
    fc.record({
      kind: fc.constant("option" as const),
      chain: fc.constant(b.chain),
      venue: fc.constant(b.venue),
      underlying: fc.constant(b.underlying),
      expiry: fc.constant(b.expiry),
      optionType: fc.constant(b.optionType),
      size: sizeArb(b.underlying),
      strike: priceNear(b.underlying),
    }),
  );

export const positionArb: fc.Arbitrary<PositionSpec> = fc.oneof(perpArb, futureArb, optionArb);

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export interface PortfolioArbOptions {
  maxHoldings?: number;
  maxPositions?: number;
  borrows?: boolean;
  options?: boolean;
}

export function portfolioSpecArb(o: PortfolioArbOptions = {}): fc.Arbitrary<PortfolioSpec> {
  return fc.record({
    holdings: fc.array(holdingArb({ borrows: o.borrows ?? true }), { maxLength: o.maxHoldings ?? 5 }),
    positions: fc.array(o.options === false ? fc.oneof(perpArb, futureArb) : positionArb, {
      maxLength: o.maxPositions ?? 5,
    }),
  });
}

/** Document form of a spec. */
export function toPortfolio(spec: PortfolioSpec, accountId = "prop"): PortfolioInput {
  return {
    accountId,
    holdings: spec.holdings.map((h) => ({ chain: h.chain, token: h.token, amount: decString(h.amount) })),
    positions: spec.positions.map((p) => {
      const base = { chain: p.chain, venue: p.venue, underlying: p.underlying, size: decString(p.size) };
      switch (p.kind) {
        case "perp":
          return {
            ...base,
            kind: "perp" as const,
            ...(p.entryPrice ? { entryPrice: decString(p.entryPrice) } : {}),
            ...(p.funding ? { fundingAccruedUsd: decString(p.funding) } : {}),
          };
        case "future":
          return {
            ...base,
            kind: "future" as const,
            expiry: p.expiry,
            ...(p.entryPrice ? { entryPrice: decString(p.entryPrice) } : {}),
          };
        default:
          return {
            ...base,
            kind: "option" as const,
            expiry: p.expiry,
            strike: decString(p.strike),
            optionType: p.optionType,
          };
      }
    }),
  };
}

/** Every size, amount and accrued funding multiplied by k (prices and strikes unchanged). */
export function scaleSpec(spec: PortfolioSpec, k: Dec): PortfolioSpec {
  return {
    holdings: spec.holdings.map((h) => ({ ...h, amount: decMul(h.amount, k) })),
    positions: spec.positions.map((p) =>
      p.kind === "perp" && p.funding
        ? { ...p, size: decMul(p.size, k), funding: decMul(p.funding, k) }
        : { ...p, size: decMul(p.size, k) },
    ),
  };
}

/** Deterministic fast-check parameters: every property runs with a fixed seed. */
export function runs(numRuns: number, seed = 42): fc.Parameters<unknown> {
  return { seed, numRuns, endOnFailure: true };
}

export { AS_OF };
