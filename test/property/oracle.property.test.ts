/**
 * Fail-safe oracle properties: a stale, divergent or uncertain feed never lowers the requirement, in every model.
 *
 * The market mutations keep every aggregated price unchanged (stale quotes keep their price; divergent quotes come in
 * a symmetric pair p(1 - d), p(1 + d) on a chain that already quotes p, so every median stays p), so any change in the
 * report comes from how the engine treats the bad feed, not from a new price.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { MarketSnapshotInput } from "../../src/schema/marketSnapshot.js";
import { type Dec, decMul, decString, MODELS, type ModelName, portfolioSpecArb, runs, STALE } from "./arbitraries.js";
import { expectAtMost, MARKET, margin } from "./support.js";

type Quote = MarketSnapshotInput["quotes"][number];

const FEEDS = [...new Set(MARKET.quotes.map((q) => q.feed))];

function parseDec(s: string): Dec {
  const [whole = "0", frac = ""] = s.split(".");
  return { m: BigInt(whole + frac), e: frac.length };
}

/** Every quote of `feed` published two hours before asOf: the feed is stale everywhere (critical flag, +5% band). */
function staleFeed(m: MarketSnapshotInput, feed: string): MarketSnapshotInput {
  return { ...m, quotes: m.quotes.map((q) => (q.feed === feed ? { ...q, publishedAt: STALE } : q)) };
}

/** Some quotes of the feed stale (the fresh one stays): stale ones are ignored, price unchanged. */
function partlyStaleFeed(m: MarketSnapshotInput, feed: string): MarketSnapshotInput {
  const extra = m.quotes
    .filter((q) => q.feed === feed)
    .map((q) => ({ ...q, source: `${q.source}-old`, publishedAt: STALE }));
  return { ...m, quotes: [...m.quotes, ...extra] };
}

/** Adds p(1 - d) and p(1 + d) next to the first quote of the feed (same chain): medians unchanged, band widened. */
function divergentFeed(m: MarketSnapshotInput, feed: string, d: Dec): MarketSnapshotInput {
  const q = m.quotes.find((x) => x.feed === feed)!;
  const p = parseDec(q.price);
  const one: Dec = { m: 10n ** BigInt(d.e), e: d.e };
  const lo = decMul(p, { m: one.m - d.m, e: d.e });
  const hi = decMul(p, { m: one.m + d.m, e: d.e });
  const extra: Quote[] = [
    { ...q, source: "divergent-lo", price: decString(lo) },
    { ...q, source: "divergent-hi", price: decString(hi) },
  ];
  return { ...m, quotes: [...m.quotes, ...extra] };
}

/** Gives every quote of the feed a confidence band of `rel` of its price. */
function uncertainFeed(m: MarketSnapshotInput, feed: string, rel: Dec): MarketSnapshotInput {
  return {
    ...m,
    quotes: m.quotes.map((q) =>
      q.feed === feed ? { ...q, confidence: decString(decMul(parseDec(q.price), rel)) } : q,
    ),
  };
}

const relArb: fc.Arbitrary<Dec> = fc.integer({ min: 1, max: 90 }).map((c) => ({ m: BigInt(c), e: 2 }));
const badMarketArb: fc.Arbitrary<{ label: string; market: MarketSnapshotInput }> = fc.oneof(
  fc.constantFrom(...FEEDS).map((f) => ({ label: `stale ${f}`, market: staleFeed(MARKET, f) })),
  fc.constantFrom(...FEEDS).map((f) => ({ label: `partly stale ${f}`, market: partlyStaleFeed(MARKET, f) })),
  fc
    .record({ f: fc.constantFrom(...FEEDS), d: relArb })
    .map(({ f, d }) => ({ label: `divergent ${f} ${decString(d)}`, market: divergentFeed(MARKET, f, d) })),
  fc
    .record({ f: fc.constantFrom(...FEEDS), d: relArb })
    .map(({ f, d }) => ({ label: `uncertain ${f} ${decString(d)}`, market: uncertainFeed(MARKET, f, d) })),
  // Several feeds bad at once.
  fc
    .uniqueArray(fc.constantFrom(...FEEDS), { minLength: 2, maxLength: 5 })
    .map((fs) => ({ label: `stale ${fs.join(",")}`, market: fs.reduce(staleFeed, MARKET) })),
);

const nRuns = (model: ModelName) => (model === "xchain" ? 30 : 150);

describe("a stale, divergent or uncertain oracle never lowers the requirement", () => {
  for (const model of MODELS) {
    it(`${model}: IM with the bad feed >= IM with the clean feed`, () => {
      let raised = 0;
      fc.assert(
        fc.property(portfolioSpecArb({ maxHoldings: 4, maxPositions: 4 }), badMarketArb, (spec, bad) => {
          const clean = margin(spec, model);
          const flagged = margin(spec, model, bad.market);
          expectAtMost(clean.initialMarginUsd, flagged.initialMarginUsd, 1e-9, `IM under ${bad.label}`);
          expectAtMost(flagged.freeCollateralUsd, clean.freeCollateralUsd, 1e-9, `free collateral under ${bad.label}`);
          if (flagged.initialMarginUsd > clean.initialMarginUsd * (1 + 1e-9)) raised++;
        }),
        runs(nRuns(model)),
      );
      // The mutations are not vacuous: a good share of the cases do raise the requirement.
      expect(raised).toBeGreaterThan(nRuns(model) / 10);
    });
  }
});
