/**
 * Property-based tests of the four margin models through `computeMargin`. Every property runs with a fixed seed so
 * the suite is deterministic; run counts are listed in docs/reliability.md.
 *
 * "Requirement" below is `initialMarginUsd` (the sum of the report's components). Free collateral is the report's
 * `freeCollateralUsd` (cross: minus the sum of per-chain deficits when any pool is short).
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import {
  type Dec,
  decAdd,
  decArb,
  decNeg,
  futureArb,
  holdingArb,
  type ModelName,
  optionArb,
  type PortfolioSpec,
  type PositionSpec,
  perpArb,
  portfolioSpecArb,
  runs,
  STABLECOINS,
  scaleSpec,
} from "./arbitraries.js";
import { expectAtMost, expectClose, figures, firstNonFinite, margin } from "./support.js";

const FAST_MODELS = ["isolated", "cross", "grid"] as const;
/** Runs per property: the closed-form models are cheap, xchain runs 2,000 Monte Carlo paths per report. */
const N_FAST = 150;
const N_XCHAIN = 25;
const nRuns = (model: ModelName) => (model === "xchain" ? N_XCHAIN : N_FAST);

const withHolding = (spec: PortfolioSpec, h: PortfolioSpec["holdings"][number]): PortfolioSpec => ({
  ...spec,
  holdings: [...spec.holdings, h],
});

/** The lone-source band of R9 (docs/oracles.md), the only band of the property market's single-source feeds. */
const LONE_SOURCE_BAND = 0.005;

describe("more collateral", () => {
  // isolated / cross: a deposit's only requirement is its oracle band: the property market's single-source token
  // feeds carry the 0.5% lone-source band (R9, docs/oracles.md) and no confidence, so IM rises by at most 0.5% of the
  // deposit's value; free collateral cannot fall.
  for (const model of ["isolated", "cross"] as const) {
    it(`${model}: a deposit raises IM by at most its oracle band and never lowers free collateral`, () => {
      fc.assert(
        fc.property(portfolioSpecArb(), holdingArb({ borrows: false }), (spec, deposit) => {
          const before = margin(spec, model);
          const after = margin(withHolding(spec, deposit), model);
          const bandUsd = LONE_SOURCE_BAND * Math.abs(after.equityUsd - before.equityUsd);
          expectAtMost(after.initialMarginUsd, before.initialMarginUsd + bandUsd, 1e-9, "IM");
          expectAtMost(before.freeCollateralUsd, after.freeCollateralUsd, 1e-9, "free collateral");
        }),
        runs(N_FAST),
      );
    });
  }

  // grid: stablecoins are USD items, never revalued, so they add no scenario risk. A volatile deposit is in the grid
  // (its price risk is margined), so IM may rise, but by at most the largest weighted shock (16%) of its value plus its
  // oracle band; its haircut is at most 10%, so free collateral still rises.
  it("grid: a stablecoin deposit raises IM by at most its oracle band and never lowers free collateral", () => {
    fc.assert(
      fc.property(portfolioSpecArb(), holdingArb({ borrows: false, tokens: STABLECOINS }), (spec, deposit) => {
        const before = margin(spec, "grid");
        const after = margin(withHolding(spec, deposit), "grid");
        const bandUsd = LONE_SOURCE_BAND * Math.abs(after.equityUsd - before.equityUsd);
        expectAtMost(after.initialMarginUsd, before.initialMarginUsd + bandUsd, 1e-9, "IM");
        expectAtMost(before.freeCollateralUsd, after.freeCollateralUsd, 1e-9, "free collateral");
      }),
      runs(N_FAST),
    );
  });

  it("grid: a deposit of any token never lowers free collateral", () => {
    fc.assert(
      fc.property(portfolioSpecArb(), holdingArb({ borrows: false }), (spec, deposit) => {
        const before = margin(spec, "grid");
        const after = margin(withHolding(spec, deposit), "grid");
        expectAtMost(before.freeCollateralUsd, after.freeCollateralUsd, 1e-9, "free collateral");
      }),
      runs(N_FAST),
    );
  });

  // xchain: every deposit carries a depeg/bridge jump (stablecoins -13%) and, away from the risk chain, a bridge
  // cost, so IM may rise with a stablecoin deposit by design. Free collateral (equity - IM) must still rise. Topping up
  // an existing stablecoin holding keeps the factor set and the horizon grid, so the seeded paths are the same.
  it("xchain: topping up a stablecoin holding never lowers free collateral", () => {
    fc.assert(
      fc.property(
        portfolioSpecArb({ maxHoldings: 3, maxPositions: 3 }),
        holdingArb({ borrows: false, tokens: STABLECOINS }),
        decArb(1_000_000, 2, false),
        (spec, deposit, more) => {
          const before = margin(withHolding(spec, deposit), "xchain");
          const after = margin(withHolding(spec, { ...deposit, amount: decAdd(deposit.amount, more) }), "xchain");
          expectAtMost(before.freeCollateralUsd, after.freeCollateralUsd, 1e-9, "free collateral");
        },
      ),
      runs(N_XCHAIN),
    );
  });

  // BUG-4 (docs/reliability.md): a NEW holding on a chain away from the risk chain adds a horizon time point (and
  // possibly a basis factor), which re-draws every path; the ES then moves by Monte Carlo noise far larger than a
  // small deposit. Counterexample with seed 42: 0.18 USDC on arbitrum lowers free collateral by 23,728 USD.
  it("xchain: a new stablecoin deposit never lowers free collateral (BUG-4)", () => {
    fc.assert(
      fc.property(
        portfolioSpecArb({ maxHoldings: 3, maxPositions: 3 }),
        holdingArb({ borrows: false, tokens: STABLECOINS }),
        (spec, deposit) => {
          const before = margin(spec, "xchain");
          const after = margin(withHolding(spec, deposit), "xchain");
          expectAtMost(before.freeCollateralUsd, after.freeCollateralUsd, 1e-9, "free collateral");
        },
      ),
      runs(N_XCHAIN),
    );
  });
});

describe("scaling every position and holding by k > 0", () => {
  const kArb: fc.Arbitrary<Dec> = decArb(100, 2, false);
  // Scenario risk (P&L linear in size per scenario, worst of a max), option contingency (|size| x S) and the oracle
  // add-on (|net exposure| x band) are all positively homogeneous of degree 1, and so are the haircuts.
  for (const model of FAST_MODELS) {
    it(`${model}: IM, MM and free collateral scale by k (1e-9 relative)`, () => {
      fc.assert(
        fc.property(portfolioSpecArb(), kArb, (spec, k) => {
          const kf = Number(k.m) / 10 ** k.e;
          const base = figures(margin(spec, model));
          const scaled = figures(margin(scaleSpec(spec, k), model));
          for (const [name, v] of Object.entries(base)) expectClose(scaled[name]!, kf * v, 1e-9, name);
        }),
        runs(N_FAST),
      );
    });
  }
});

describe("margin is never negative and always finite", () => {
  for (const model of ["isolated", "cross", "grid", "xchain"] as const) {
    it(`${model}: IM >= 0, MM >= 0, every number in the report finite`, () => {
      fc.assert(
        fc.property(portfolioSpecArb({ maxHoldings: 6, maxPositions: 6 }), (spec) => {
          const r = margin(spec, model);
          const bad = firstNonFinite(r);
          if (bad) throw new Error(`non-finite number in report: ${bad}`);
          expectAtMost(0, r.initialMarginUsd, 0, "IM >= 0");
          expectAtMost(0, r.maintenanceMarginUsd, 0, "MM >= 0");
          for (const c of r.components) expectAtMost(0, c.initialMarginUsd, 0, `component ${c.name}`);
        }),
        runs(nRuns(model) * 2),
      );
    });
  }
});

describe("permuting holdings and positions", () => {
  const permuted = (spec: PortfolioSpec) =>
    fc.record({
      holdings: fc.shuffledSubarray(spec.holdings, { minLength: spec.holdings.length }),
      positions: fc.shuffledSubarray(spec.positions, { minLength: spec.positions.length }),
    });
  for (const model of FAST_MODELS) {
    it(`${model}: changes no account figure (1e-9 relative)`, () => {
      fc.assert(
        fc.property(
          portfolioSpecArb().chain((spec) => permuted(spec).map((p) => [spec, p] as const)),
          ([spec, perm]) => {
            const a = figures(margin(spec, model));
            const b = figures(margin(perm, model));
            for (const [name, v] of Object.entries(a)) expectClose(b[name]!, v, 1e-9, name);
          },
        ),
        runs(N_FAST),
      );
    });
  }

  // xchain: factors and chains are numbered in order of first appearance, so a permutation reassigns the seeded
  // draws to other factors: the result is the same only up to Monte Carlo noise. Linear items of one underlying and
  // one chain (one factor, one chain) are exactly invariant.
  it("xchain: only nearly invariant (factor order follows item order); equity exact, IM within 15%", () => {
    fc.assert(
      fc.property(
        portfolioSpecArb({ maxHoldings: 3, maxPositions: 3 }).chain((spec) =>
          permuted(spec).map((p) => [spec, p] as const),
        ),
        ([spec, perm]) => {
          const a = margin(spec, "xchain");
          const b = margin(perm, "xchain");
          expectClose(b.equityUsd, a.equityUsd, 1e-9, "equity");
          expectClose(b.initialMarginUsd, a.initialMarginUsd, 0.15, "IM");
        },
      ),
      runs(N_XCHAIN),
    );
  });
});

describe("an exact offsetting pair on the same chain and venue", () => {
  // P + {q, -q} against P: a position together with its exact opposite (same kind, chain, venue, underlying, expiry,
  // strike, entry price, funding) is a closed position and must not raise the requirement. (Comparing P + {-q} with
  // P for some q already in P is not a valid property: closing a hedge legitimately raises the requirement.)
  const pairArb = (kinds: "linear" | "option") =>
    fc.record({
      spec: portfolioSpecArb(),
      extra: kinds === "linear" ? fc.oneof(perpArb, futureArb) : optionArb,
    });
  const withPair = (spec: PortfolioSpec, p: PositionSpec): PortfolioSpec => {
    const neg =
      p.kind === "perp" && p.funding
        ? { ...p, size: decNeg(p.size), funding: decNeg(p.funding) }
        : { ...p, size: decNeg(p.size) };
    return { ...spec, positions: [...spec.positions, p, neg] };
  };
  // BUG-1 (grid contingency on gross option size), BUG-2 (cross did not net options) and BUG-3 (xchain risk chain by
  // gross notional) are fixed; their minimal cases stay in test/property/knownBugs.test.ts. xchain still fails when
  // the pair brings a new factor or horizon: the Monte Carlo draws are re-assigned (BUG-4, open).
  const known: Record<string, string | undefined> = {};
  for (const model of ["cross", "grid", "xchain"] as const) {
    for (const kinds of ["linear", "option"] as const) {
      const bug = known[`${model} ${kinds}`];
      (bug ? it.skip : it)(`${model}: a ${kinds} pair never raises IM${bug ? ` (${bug})` : ""}`, () => {
        fc.assert(
          fc.property(pairArb(kinds), ({ spec, extra }) => {
            const before = margin(spec, model);
            const after = margin(withPair(spec, extra), model);
            expectAtMost(after.initialMarginUsd, before.initialMarginUsd, 1e-9, "IM");
          }),
          runs(nRuns(model)),
        );
      });
    }
  }
});

describe("xchain: offsets across underlyings (issue 13 cause 3)", () => {
  const parts = (r: ReturnType<typeof margin>) => {
    const c = r.components[0]!;
    const es = /joint loss (-?[\d.]+) .*\+ unmodelled (-?[\d.]+);/.exec(c.detail)!;
    const floor = /floor (-?[\d.]+) =/.exec(c.detail)!;
    return { risk: c.initialMarginUsd, simulated: Number(es[1]) + Number(es[2]), floor: Number(floor[1]) };
  };
  it("adding a position that lowers the simulated ES never raises the requirement by more than its standalone floor", () => {
    fc.assert(
      fc.property(
        portfolioSpecArb({ maxHoldings: 2, maxPositions: 3 }),
        fc.oneof(perpArb, futureArb, optionArb),
        (spec, extra) => {
          const before = parts(margin(spec, "xchain"));
          const after = parts(margin({ ...spec, positions: [...spec.positions, extra] }, "xchain"));
          if (after.simulated > before.simulated) return;
          const alone = parts(margin({ holdings: [], positions: [extra] }, "xchain"));
          expectAtMost(after.risk - before.risk, alone.floor, 1e-9, "risk increase vs standalone floor");
        },
      ),
      runs(N_XCHAIN),
    );
  });
});
