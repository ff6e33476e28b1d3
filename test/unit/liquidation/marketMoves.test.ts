import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { applyMarketMoves, moveResolvedMarket } from "../../../src/liquidation/marketMoves.js";
import { resolveMarket } from "../../../src/margin/resolve/resolveMarket.js";
import { marketSnapshotSchema } from "../../../src/schema/marketSnapshot.js";

const SNAPSHOT = marketSnapshotSchema.parse(JSON.parse(readFileSync("examples/market-2023-06-30.json", "utf8")));

describe("moving a resolved market", () => {
  it("equals resolving the moved snapshot: spots, token feeds and their bands (up to the documents' 12 digits)", () => {
    const spotMult = { ETH: 0.83, BTC: 1.17 };
    const fast = moveResolvedMarket(resolveMarket(SNAPSHOT), spotMult);
    const slow = resolveMarket(applyMarketMoves(SNAPSHOT, { spotMult }));
    expect([...fast.tokenPrices.keys()].sort()).toEqual([...slow.tokenPrices.keys()].sort());
    for (const [key, p] of slow.tokenPrices) {
      const f = fast.tokenPrices.get(key)!;
      expect(f.priceUsd / p.priceUsd, key).toBeCloseTo(1, 10);
      if (p.uncertaintyUsd > 0) expect(f.uncertaintyUsd / p.uncertaintyUsd, key).toBeCloseTo(1, 8);
    }
    for (const [u, s] of slow.underlyings) expect(fast.underlyings.get(u)!.spotUsd / s.spotUsd, u).toBeCloseTo(1, 10);
    // wstETH follows ETH, WBTC follows BTC, USDC never moves.
    const base = resolveMarket(SNAPSHOT);
    expect(fast.tokenPrices.get("*:wstETH")!.priceUsd).toBeCloseTo(
      0.83 * base.tokenPrices.get("*:wstETH")!.priceUsd,
      9,
    );
    expect(fast.tokenPrices.get("*:USDC")!.priceUsd).toBe(base.tokenPrices.get("*:USDC")!.priceUsd);
  });
});
