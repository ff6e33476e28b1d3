import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveMarket } from "../../../../src/margin/resolve/resolveMarket.js";
import { resolvePortfolio } from "../../../../src/margin/resolve/resolvePortfolio.js";
import { resolveMarginConfig } from "../../../../src/margin/resolveConfig.js";
import type { XchainConfig } from "../../../../src/margin/xchain/config.js";
import { buildFactorModel } from "../../../../src/margin/xchain/riskFactorModel.js";
import { marketSnapshotSchema } from "../../../../src/schema/marketSnapshot.js";
import { portfolioSchema } from "../../../../src/schema/portfolio.js";

const file = join(import.meta.dirname, "../../../../examples/market-2023-06-30.json");
const snapshot = JSON.parse(readFileSync(file, "utf8"));
const config = resolveMarginConfig({ model: "xchain" }) as XchainConfig;
/** A fresh market object each call: nothing it holds has been built for it yet. */
const freshMarket = (doc: unknown = snapshot) => resolveMarket(marketSnapshotSchema.parse(doc));

/** The snapshot without LINK's risk factor (row and column of the correlations dropped): LINK is unmodelled there. */
function withoutLink() {
  const rf = snapshot.riskFactors;
  const k = rf.factors.findIndex((f: { name: string }) => f.name === "LINK");
  const keep = (_: unknown, i: number) => i !== k;
  const correlations = rf.correlations.filter(keep).map((row: string[]) => row.filter(keep));
  return { ...snapshot, riskFactors: { ...rf, factors: rf.factors.filter(keep), correlations } };
}

const perp = (underlying: string, chain = "arbitrum") => ({ kind: "perp", chain, venue: "x", underlying, size: "1" });
const account = (id: string, positions: unknown[]) =>
  portfolioSchema.parse({
    accountId: id,
    holdings: [{ chain: "ethereum", token: "wstETH", amount: "2" }],
    positions,
  });
const btcEth = account("a", [perp("BTC"), perp("ETH")]);
const withLink = account("b", [perp("ETH"), perp("LINK", "ethereum")]);

describe("buildFactorModel's factor numbers, built once per market and factor names", () => {
  it("gives each account on a shared market the numbers a fresh market gives it, whichever account came first", () => {
    for (const doc of [snapshot, withoutLink()]) {
      const shared = freshMarket(doc);
      const first = buildFactorModel(resolvePortfolio(withLink, shared).items, shared, config);
      const second = buildFactorModel(resolvePortfolio(btcEth, shared).items, shared, config);
      for (const [p, built] of [
        [withLink, first],
        [btcEth, second],
      ] as const) {
        const alone = freshMarket(doc);
        expect(built).toStrictEqual(buildFactorModel(resolvePortfolio(p, alone).items, alone, config));
      }
    }
  });

  it("adds an unmodelled underlying's factor (its own vol, no correlation) only for the account that holds it", () => {
    const m = freshMarket(withoutLink());
    const plain = buildFactorModel(resolvePortfolio(btcEth, m).items, m, config);
    const link = buildFactorModel(resolvePortfolio(withLink, m).items, m, config);
    expect(link.names).toEqual([...plain.names, "LINK"]);
    expect([...link.unmodelled]).toEqual(["LINK"]);
    expect(link.flags.map((f) => f.code)).toContain("RISK_FACTOR_MISSING");
    const n = link.names.length;
    const l = n - 1;
    // the covariance of the factors both accounts have is the same; LINK's row is its variance alone
    for (let a = 0; a < l; a++) {
      for (let b = 0; b < l; b++) expect(link.covarianceDaily[a * n + b]).toBe(plain.covarianceDaily[a * l + b]);
      expect(link.covarianceDaily[a * n + l]).toBe(0);
    }
    const fallbackDaily = config.fallbackVolAnnual / Math.sqrt(365);
    expect(link.covarianceDaily[l * n + l]).toBeCloseTo(fallbackDaily ** 2, 15);
  });

  it("reads a moved market's numbers, not the last market's", () => {
    const before = freshMarket();
    const moved = structuredClone(snapshot);
    moved.riskFactors.factors[0].volDaily = "0.05";
    const after = freshMarket(moved);
    const a = buildFactorModel(resolvePortfolio(btcEth, before).items, before, config);
    const b = buildFactorModel(resolvePortfolio(btcEth, after).items, after, config);
    expect(a.volsDaily[0]).toBeCloseTo(0.03607105469, 12);
    expect(b.volsDaily[0]).toBe(0.05);
    expect(b.covarianceDaily[0]).toBeCloseTo(0.0025, 15);
  });
});
