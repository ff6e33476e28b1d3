import { describe, expect, it } from "vitest";
import { aggregateQuotes, defaultAggregationRules, type QuoteReading } from "../../../src/oracles/aggregateQuotes.js";

const T = 1_700_000_000;
const q = (priceUsd: number, over: Partial<QuoteReading> = {}): QuoteReading => ({
  source: "s",
  chain: "ethereum",
  priceUsd,
  confidenceUsd: 0,
  publishedAtSec: T - 10,
  ...over,
});
const codes = (flags: { code: string; severity: string }[]) => flags.map((f) => `${f.code}:${f.severity}`);

describe("aggregateQuotes rules (docs/oracles.md)", () => {
  it("defaults: 1 h staleness, 2% divergence, 2% confidence, 1% across chains, 60 s skew, 0.5% for one source", () => {
    expect(defaultAggregationRules).toEqual({
      maxAgeSec: 3_600,
      maxDivergenceRel: 0.02,
      maxConfidenceRel: 0.02,
      maxCrossChainDivergenceRel: 0.01,
      maxFutureSec: 60,
      maxHeartbeatSec: 86_400,
      singleSourceBandRel: 0.005,
    });
  });

  it("R2: the price is the median of fresh quotes (odd and even counts)", () => {
    expect(aggregateQuotes("X", [q(3), q(1), q(2)], T).priceUsd).toBe(2);
    const even = aggregateQuotes("X", [q(100), q(101), q(101.5), q(100.5)], T);
    expect(even.priceUsd).toBe(100.75);
    // farthest quote from 100.75 is 100 (0.75 away), well under 2%: no flag, band 0.75
    // the band is twice that distance (R4): 1.5
    expect(even.uncertaintyUsd).toBeCloseTo(1.5, 12);
    expect(even.flags).toEqual([]);
  });

  it("R1: a price that is not > 0 (zero, negative, NaN) is rejected and flagged; none left throws", () => {
    const r = aggregateQuotes("X", [q(2000), q(0), q(-1), q(Number.NaN)], T);
    expect(r.priceUsd).toBe(2000);
    expect(r.rejectedSources).toBe(3);
    expect(r.totalSources).toBe(4);
    expect(codes(r.flags)).toEqual(["ORACLE_UNCERTAIN:warning"]);
    expect(() => aggregateQuotes("X", [q(0), q(-5)], T)).toThrow(/no quote with a price > 0/);
    expect(() => aggregateQuotes("X", [], T)).toThrow(/no quotes/);
  });

  it("R2: a quote's own maxAgeSec replaces the global limit, both ways", () => {
    const old = q(2100, { publishedAtSec: T - 1_200 });
    // global 1 h: 1,200 s is fresh, so the median of 2000 and 2100 is used
    expect(aggregateQuotes("X", [q(2000), old], T).priceUsd).toBe(2050);
    // a 10-minute heartbeat makes it stale: ignored, info flag
    const tight = aggregateQuotes("X", [q(2000), { ...old, maxAgeSec: 600 }], T);
    expect(tight.priceUsd).toBe(2000);
    expect(tight.freshSources).toBe(1);
    expect(codes(tight.flags)).toEqual(["ORACLE_STALE:warning"]);
    // a 24 h heartbeat (a stablecoin feed) keeps a 2 h old answer fresh
    const daily = aggregateQuotes("X", [q(1, { publishedAtSec: T - 7_200, maxAgeSec: 86_400 })], T);
    expect(daily.freshSources).toBe(1);
    expect(daily.flags).toEqual([]);
  });

  it("R2: a quote from more than maxFutureSec ahead is not fresh", () => {
    const r = aggregateQuotes("X", [q(2000), q(5000, { publishedAtSec: T + 61 })], T);
    expect(r.priceUsd).toBe(2000);
    expect(r.freshSources).toBe(1);
    expect(aggregateQuotes("X", [q(2000), q(2010, { publishedAtSec: T + 60 })], T).freshSources).toBe(2);
  });

  it("R3: no fresh quote -> median of all, critical ORACLE_STALE naming the newest age", () => {
    const r = aggregateQuotes(
      "ETH/USD",
      [q(2000, { publishedAtSec: T - 7_200 }), q(2010, { publishedAtSec: T - 4_000 })],
      T,
    );
    expect(r.priceUsd).toBe(2005);
    expect(r.freshSources).toBe(0);
    expect(codes(r.flags)).toEqual(["ORACLE_STALE:critical"]);
    expect(r.flags[0]?.message).toBe("ETH/USD: no quote newer than 3600s (newest is 4000s old)");
  });

  it("R4: a quote more than 2% from the median flags divergence and sets the band; exactly 2% does not", () => {
    // median of 100, 100, 102 is 100; 102 is exactly 2% away -> not flagged, band 2 x 2
    const edge = aggregateQuotes("X", [q(100), q(100), q(102)], T);
    expect(edge.flags).toEqual([]);
    expect(edge.uncertaintyUsd).toBe(4);
    const over = aggregateQuotes("X", [q(100), q(100), q(102.5)], T);
    expect(codes(over.flags)).toEqual(["ORACLE_DIVERGENT:warning"]);
    // a flagged divergence doubles the band: 2 x 2.5 (the median could sit anywhere between the sources)
    expect(over.uncertaintyUsd).toBe(5);
  });

  it("R5: per-chain medians further apart than 1% flag cross-chain divergence; the band covers the farthest chain", () => {
    const quotes = [
      q(2000, { chain: "ethereum", source: "a" }),
      q(2002, { chain: "ethereum", source: "b" }),
      q(2004, { chain: "ethereum", source: "c" }),
      q(2030, { chain: "arbitrum" }),
    ];
    const r = aggregateQuotes("ETH/USD", quotes, T);
    // all-quote median (2002 + 2004) / 2 = 2003; ethereum's median 2002, arbitrum's 2030
    expect(r.priceUsd).toBe(2003);
    expect(r.crossChainSpreadUsd).toBe(27);
    // twice the farthest chain median's distance (R5)
    expect(r.uncertaintyUsd).toBe(54);
    // 27 / 2003 = 1.35% < 2%: no source divergence; chains 28 apart = 1.40% > 1%
    expect(codes(r.flags)).toEqual(["ORACLE_DIVERGENT:warning"]);
    expect(r.flags[0]?.message).toBe("ETH/USD: chains diverge by 1.40% (ethereum 2002, arbitrum 2030; limit 1.00%)");
    // the limit is a rule parameter
    expect(
      aggregateQuotes("ETH/USD", quotes, T, { ...defaultAggregationRules, maxCrossChainDivergenceRel: 0.015 }).flags,
    ).toEqual([]);
  });

  it("R5: the same spread on one chain is not a cross-chain divergence", () => {
    const r = aggregateQuotes("X", [q(2000, { source: "a" }), q(2028, { source: "b" })], T);
    expect(r.crossChainSpreadUsd).toBe(0);
    expect(r.flags).toEqual([]);
    // twice the farthest quote's distance (R4)
    expect(r.uncertaintyUsd).toBe(28);
  });

  it("R5: stale chains do not take part", () => {
    const r = aggregateQuotes("X", [q(2000), q(2200, { chain: "arbitrum", publishedAtSec: T - 4_000 })], T);
    expect(r.priceUsd).toBe(2000);
    expect(r.crossChainSpreadUsd).toBe(0);
    expect(codes(r.flags)).toEqual(["ORACLE_STALE:warning"]);
  });

  it("R6: the widest confidence sets a floor on the band and flags above 2%", () => {
    const narrow = aggregateQuotes("X", [q(100, { confidenceUsd: 1.5 }), q(100.2)], T);
    expect(narrow.uncertaintyUsd).toBe(1.5);
    expect(narrow.flags).toEqual([]);
    const wide = aggregateQuotes("X", [q(100, { confidenceUsd: 2.5 })], T);
    expect(codes(wide.flags)).toEqual(["ORACLE_UNCERTAIN:warning"]);
    expect(wide.uncertaintyUsd).toBe(2.5);
    // a non-finite confidence means "no idea": the band is the whole price
    expect(aggregateQuotes("X", [q(100, { confidenceUsd: Number.NaN })], T).uncertaintyUsd).toBe(100);
  });

  it("bad data never narrows the band: adding a divergent, wide or cross-chain quote keeps or widens it", () => {
    const base = [q(2000, { source: "a" }), q(2001, { source: "b" }), q(2002, { source: "c" })];
    const before = aggregateQuotes("X", base, T).uncertaintyUsd;
    for (const extra of [
      q(2500, { source: "d" }),
      q(2001, { source: "d", confidenceUsd: 80 }),
      q(1900, { source: "d", chain: "base" }),
      q(1, { source: "d", publishedAtSec: T - 99_999 }),
    ]) {
      expect(aggregateQuotes("X", [...base, extra], T).uncertaintyUsd).toBeGreaterThanOrEqual(before);
    }
  });

  it("R9: a price one fresh quote alone backs has a band of at least 0.5% of it; removing the other source widens it", () => {
    const two = aggregateQuotes("X", [q(2000, { source: "a" }), q(2000, { source: "b", confidenceUsd: 1 })], T);
    expect(two.uncertaintyUsd).toBe(1);
    const one = aggregateQuotes("X", [q(2000, { source: "a" })], T);
    expect(one.uncertaintyUsd).toBe(0.005 * 2000);
    // a lone source's own wider confidence still wins; a rejected second source leaves one valid quote
    expect(aggregateQuotes("X", [q(2000, { confidenceUsd: 30 })], T).uncertaintyUsd).toBe(30);
    expect(aggregateQuotes("X", [q(2000, { source: "a" }), q(0, { source: "b" })], T).uncertaintyUsd).toBe(10);
    // a stale second source keeps its place in the band (R7) but bounds nothing: R9 applies, as with none fresh
    const stale = aggregateQuotes(
      "X",
      [q(2000, { source: "a" }), q(2000, { source: "b", publishedAtSec: T - 7200 })],
      T,
    );
    expect(stale.uncertaintyUsd).toBe(10);
    const noneFresh = [q(2000, { publishedAtSec: T - 7200 }), q(2000, { source: "b", publishedAtSec: T - 7200 })];
    expect(aggregateQuotes("X", noneFresh, T).uncertaintyUsd).toBe(10);
    expect(
      aggregateQuotes("X", [q(2000)], T, { ...defaultAggregationRules, singleSourceBandRel: 0 }).uncertaintyUsd,
    ).toBe(0);
  });
});
