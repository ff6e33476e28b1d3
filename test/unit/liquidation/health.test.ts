import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { XmarginError } from "../../../src/core/errors.js";
import { normalCdf } from "../../../src/core/normal.js";
import { brentRoot } from "../../../src/liquidation/findRoot.js";
import { firstPassageProbability, medianFirstPassageDays } from "../../../src/liquidation/firstPassage.js";
import { computeHealth } from "../../../src/liquidation/health.js";
import { applyMarketMoves } from "../../../src/liquidation/marketMoves.js";
import { computeMargin } from "../../../src/margin/computeMargin.js";
import { type MarketSnapshot, marketSnapshotSchema } from "../../../src/schema/marketSnapshot.js";

const MARKET = JSON.parse(readFileSync("examples/market-2023-06-30.json", "utf8"));
const example = (name: string) => JSON.parse(readFileSync(`examples/portfolios/${name}.json`, "utf8"));
const snapshot: MarketSnapshot = marketSnapshotSchema.parse(MARKET);

describe("health", () => {
  it.each(["isolated", "cross", "grid", "xchain"])(
    "liquidation prices re-run through computeMargin give health 1 (%s, BTC perp and short strangle)",
    (model) => {
      for (const name of ["directional-perp", "short-strangle"]) {
        const h = computeHealth({ portfolio: example(name), market: MARKET, config: { model } });
        const btc = h.underlyings.find((u) => u.underlying === "BTC")!;
        expect(btc.down, `${name} ${model}`).not.toBeNull();
        for (const level of [btc.down, btc.up]) {
          if (!level) continue;
          const moved = applyMarketMoves(snapshot, { spotMult: { BTC: level.spotMult } });
          const r = computeMargin({ portfolio: example(name), market: moved, config: { model } });
          expect(r.healthRatio!, `${name} ${model}`).toBeCloseTo(1, 4);
          // Just on the safe side the account is not liquidatable, just beyond it is.
          const step = level.moveRel < 0 ? 1e-4 : -1e-4;
          const safe = computeMargin({
            portfolio: example(name),
            market: applyMarketMoves(snapshot, { spotMult: { BTC: level.spotMult + step } }),
            config: { model },
          });
          expect(safe.healthRatio!).toBeGreaterThan(1);
        }
      }
    },
  );

  it("a long perp liquidates only on the way down under grid, at a level between spot and zero", () => {
    const h = computeHealth({ portfolio: example("directional-perp"), market: MARKET, config: { model: "grid" } });
    const btc = h.underlyings[0]!;
    expect(btc.up).toBeNull();
    expect(btc.down!.priceUsd).toBeGreaterThan(0);
    expect(btc.down!.priceUsd).toBeLessThan(btc.spotUsd);
    expect(btc.medianDaysToLiquidation).toBeCloseTo(btc.down!.medianDays, 12);
  });

  it("says when the account is liquidatable now", () => {
    const p = example("directional-perp");
    p.holdings = [{ chain: "arbitrum", token: "USDC", amount: "1000" }];
    const h = computeHealth({ portfolio: p, market: MARKET, config: { model: "grid" } });
    expect(h.liquidatableNow).toBe(true);
    expect(h.underlyings[0]!.down).toBeNull();
  });

  it("first passage of a driftless lognormal: reflection formula and median time", () => {
    const p = firstPassageProbability(100, 90, 0.04, 1);
    expect(p).toBeCloseTo(2 * normalCdf(Math.log(0.9) / 0.04), 14);
    const t = medianFirstPassageDays(100, 90, 0.04);
    expect(firstPassageProbability(100, 90, 0.04, t)).toBeCloseTo(0.5, 12);
    expect(firstPassageProbability(100, 111, 0.04, 2)).toBeCloseTo(
      2 * normalCdf(-Math.log(1.11) / (0.04 * Math.SQRT2)),
      14,
    );
  });

  it("Brent finds roots, including a jump", () => {
    expect(brentRoot((x) => x ** 3 - 2, 0, 2, 1e-12).x).toBeCloseTo(Math.cbrt(2), 11);
    expect(brentRoot((x) => (x < 0.3 ? 1 : -1), 0, 1, 1e-10).x).toBeCloseTo(0.3, 9);
    expect(() => brentRoot((x) => x * x + 1, -1, 1)).toThrow(XmarginError);
  });

  it("moving ETH moves its token feeds too (stETH, wstETH) and leaves USD alone", () => {
    const moved = applyMarketMoves(snapshot, { spotMult: { ETH: 0.5 } });
    const price = (feed: string) => Number(moved.quotes.find((q) => q.feed === feed)!.price);
    const original = (feed: string) => Number(snapshot.quotes.find((q) => q.feed === feed)!.price);
    for (const f of ["ETH/USD", "stETH/USD", "wstETH/USD"]) expect(price(f)).toBeCloseTo(0.5 * original(f), 8);
    for (const f of ["USDC/USD", "BTC/USD"]) expect(price(f)).toBe(original(f));
  });

  it("rejects bad params with their path", () => {
    expect(() =>
      computeHealth({ portfolio: example("directional-perp"), market: MARKET, params: { maxSpotMult: 0.5 } }),
    ).toThrow(expect.objectContaining({ code: "INVALID_INPUT", path: "$.maxSpotMult" }));
  });
});
