/**
 * Numerical guards: options seconds from expiry (and just expired), tiny (1e-6) and extreme (5.0) vols, deep ITM and
 * OTM strikes, tiny (1e-12) and huge (1e12) sizes, prices near 0 and huge. Every model must return finite, non-negative
 * margins, and grid must respect the payoff bounds of single options:
 * - a long option can lose at most its premium: scenario risk <= value;
 * - a short put can lose at most strike x size: scenario risk <= K x |size|.
 * The input grid is enumerated through fast-check with a fixed seed.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatDecimal } from "../../src/core/decimal.js";
import { computeMargin } from "../../src/margin/computeMargin.js";
import type { MarginReport } from "../../src/margin/report.js";
import type { MarketSnapshotInput } from "../../src/schema/marketSnapshot.js";
import { AS_OF, MODELS, type ModelName, modelConfig, runs } from "./arbitraries.js";
import { expectAtMost, firstNonFinite } from "./support.js";

const AS_OF_MS = Date.parse(AS_OF);
const iso = (secondsFromAsOf: number) => new Date(AS_OF_MS + secondsFromAsOf * 1000).toISOString();
/**
 * Plain decimal string (no exponent) with 15 significant digits. Above 1e21 `formatDecimal` itself falls back to
 * exponent form (BUG-5), so integers that large are written through BigInt here.
 */
const plain = (x: number) => (Math.abs(x) >= 1e21 ? BigInt(Math.round(x)).toString() : formatDecimal(x, 15));

/** One-underlying market: ETH at `spot`, a flat surface at `vol`, two sources, risk factors for xchain. */
function ethMarket(spot: number, vol: number): MarketSnapshotInput {
  const q = (source: string, chain: string) => ({
    source,
    chain,
    feed: "ETH/USD",
    price: plain(spot),
    publishedAt: "2023-12-31T23:59:00Z",
  });
  const v = plain(vol);
  return {
    asOf: AS_OF,
    quotes: [q("chainlink", "ethereum"), q("pyth", "solana")],
    volSurfaces: [
      {
        underlying: "ETH",
        expiries: [
          { expiry: "2024-01-31T08:00:00Z", strikes: [plain(spot / 2), plain(spot * 2)], vols: [v, v] },
          { expiry: "2024-06-28T08:00:00Z", strikes: [plain(spot / 2), plain(spot * 2)], vols: [v, v] },
        ],
      },
    ],
    rates: { riskFreeAnnual: "0.05", carryAnnual: { ETH: "0.03" } },
    riskFactors: { source: "numerical", factors: [{ name: "ETH", volDaily: "0.04" }], correlations: [["1"]] },
  };
}

const caseArb = fc.record({
  spot: fc.constantFrom(1e-6, 0.01, 2000, 1e9),
  vol: fc.constantFrom(1e-6, 0.01, 0.6, 5),
  /** Seconds from asOf to expiry: just expired, seconds before, hours, days, months. */
  expirySec: fc.constantFrom(-1, 1, 10, 60, 3600, 86_400, 30 * 86_400, 180 * 86_400),
  strikeMult: fc.constantFrom(1e-3, 0.5, 0.999, 1, 1.001, 2, 1e3),
  size: fc.constantFrom(1e-12, 1e-6, 1, 1e6, 1e12),
  long: fc.boolean(),
  optionType: fc.constantFrom("call" as const, "put" as const),
});
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function optionReport(c: Case, model: ModelName, withCollateral: boolean): MarginReport {
  const strike = c.spot * c.strikeMult;
  return computeMargin({
    portfolio: {
      accountId: "num",
      holdings: withCollateral
        ? [{ chain: "arbitrum", token: "USDC", amount: plain(Math.round(c.size * c.spot * 3e6) / 1e6) }]
        : [],
      positions: [
        {
          kind: "option",
          chain: "arbitrum",
          venue: "derive",
          underlying: "ETH",
          size: plain(c.long ? c.size : -c.size),
          expiry: iso(c.expirySec),
          strike: plain(strike),
          optionType: c.optionType,
        },
      ],
    },
    market: ethMarket(c.spot, c.vol),
    config: modelConfig(model),
  });
}

function expectSane(r: MarginReport): void {
  const bad = firstNonFinite(r);
  if (bad) expect.fail(`non-finite number in report: ${bad}`);
  expectAtMost(0, r.initialMarginUsd, 0, "IM >= 0");
  expectAtMost(0, r.maintenanceMarginUsd, 0, "MM >= 0");
}

const component = (r: MarginReport, name: string) => r.components.find((c) => c.name === name)?.initialMarginUsd ?? 0;

describe("numerical guards: single options at the edges", () => {
  for (const model of MODELS) {
    it(`${model}: finite, non-negative margins over the whole grid of edge cases`, () => {
      fc.assert(
        fc.property(caseArb, fc.boolean(), (c, withCollateral) => {
          const r = optionReport(c, model, withCollateral);
          // Equity may be a tiny negative number (a short option) but must be finite; the report checks the rest.
          expectSane(r);
        }),
        runs(model === "xchain" ? 60 : 400),
      );
    });
  }

  it("grid: a long option's scenario risk never exceeds its premium (it can lose no more than its value)", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const r = optionReport({ ...c, long: true }, "grid", false);
        const value = r.byPosition[0]!.valueUsd;
        expectAtMost(component(r, "scenario risk"), value, 1e-9, "scenario risk <= premium");
        // Contingency is exactly 1% of |size| x S while the option lives; an expired one is settled in resolve
        // (OPTION_EXPIRED) and carries none.
        const expired = c.expirySec <= 0;
        expect(component(r, "option contingency")).toBeCloseTo(expired ? 0 : 0.01 * c.size * c.spot, 9);
        if (expired) expect(r.flags.some((f) => f.code === "OPTION_EXPIRED")).toBe(true);
      }),
      runs(400),
    );
  });

  it("grid: a short put's scenario risk never exceeds strike x size", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const r = optionReport({ ...c, long: false, optionType: "put" }, "grid", false);
        expectAtMost(component(r, "scenario risk"), c.spot * c.strikeMult * c.size, 1e-9, "scenario risk <= K x size");
      }),
      runs(400),
    );
  });

  it("isolated: a short put's requirement never exceeds strike x size", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const r = optionReport({ ...c, long: false, optionType: "put" }, "isolated", false);
        expectAtMost(r.initialMarginUsd, c.spot * c.strikeMult * c.size, 1e-9, "IM <= K x size");
      }),
      runs(400),
    );
  });
});

describe("numerical guards: linear items and holdings at the edges", () => {
  const linArb = fc.record({
    spot: fc.constantFrom(1e-6, 0.01, 2000, 1e9),
    size: fc.constantFrom(1e-12, 1e-6, 1, 1e6, 1e12),
    sign: fc.constantFrom(1, -1),
    kind: fc.constantFrom("perp" as const, "future" as const, "holding" as const),
    expirySec: fc.constantFrom(1, 60, 86_400, 365 * 86_400),
  });
  for (const model of MODELS) {
    it(`${model}: finite, non-negative margins; a 16% move bounds grid scenario risk of one linear item`, () => {
      fc.assert(
        fc.property(linArb, (c) => {
          const size = plain(c.sign * c.size);
          const position =
            c.kind === "perp"
              ? { kind: "perp" as const, chain: "arbitrum", venue: "gmx", underlying: "ETH", size }
              : {
                  kind: "future" as const,
                  chain: "arbitrum",
                  venue: "gmx",
                  underlying: "ETH",
                  size,
                  expiry: iso(c.expirySec),
                };
          const r = computeMargin({
            portfolio: {
              accountId: "num",
              holdings: c.kind === "holding" ? [{ chain: "ethereum", token: "WETH", amount: size }] : [],
              positions: c.kind === "holding" ? [] : [position],
            },
            market: ethMarket(c.spot, 0.6),
            config: modelConfig(model),
          });
          expectSane(r);
          if (model === "grid") {
            const forward = c.kind === "future" ? Math.exp(0.03 * (c.expirySec / (365 * 86_400))) : 1;
            expectAtMost(component(r, "scenario risk"), 0.16 * c.size * c.spot * forward, 1e-9, "<= 16% of notional");
          }
        }),
        runs(model === "xchain" ? 40 : 200),
      );
    });
  }
});
