import { describe, expect, it } from "vitest";
import { BAND_POINTS, oracleAddOn, oracleCharge } from "../../../../src/margin/common/oracleAddOn.js";
import { computeMargin } from "../../../../src/margin/computeMargin.js";
import { resolveMarket } from "../../../../src/margin/resolve/resolveMarket.js";
import { resolvePortfolio } from "../../../../src/margin/resolve/resolvePortfolio.js";
import { black76 } from "../../../../src/pricing/black76.js";
import { marketSnapshotSchema } from "../../../../src/schema/marketSnapshot.js";
import { portfolioSchema } from "../../../../src/schema/portfolio.js";
import { market, portfolio } from "../../../support/fixtures.js";
import { ethOption } from "../../../support/optionPosition.js";

/** ETH on two sources 2000 and 2040: median 2020, band twice the farthest distance, 40 USD (R4). */
function divergedMarket() {
  const m = market();
  m.quotes = m.quotes.map((q) => (q.source === "pyth" && q.feed === "ETH/USD" ? { ...q, price: "2040" } : q));
  return m;
}
const EXPIRY = "2024-01-31T08:00:00Z";
/** A short ATM straddle whose two contracts of delta-one exposure are hedged by a long perp of 2: net size 0. */
const straddle = portfolio({
  positions: [
    ethOption("c", "-1", "2000", "call", EXPIRY),
    ethOption("p", "-1", "2000", "put", EXPIRY),
    { id: "hedge", kind: "perp", chain: "arbitrum", venue: "derive", underlying: "ETH", size: "2" },
  ],
});

describe("oracle add-on: buckets revalued across the band", () => {
  it("charges a delta-hedged short straddle its full-value loss at the worse band point, not net size x spot", () => {
    const m = resolveMarket(marketSnapshotSchema.parse(divergedMarket()));
    const items = resolvePortfolio(portfolioSchema.parse(straddle), m).items;
    const eth = m.underlyings.get("ETH")!;
    expect(eth.spotUsd).toBe(2020);
    const rel = 40 / 2020;
    // Independent valuation: validated Black-76 on the forward, the perp at spot (its entry is today's mark).
    const valueAt = (mult: number) => {
      const s = eth.spotUsd * mult;
      let v = 0;
      for (const it of items) {
        const p = it.priced;
        if (p.kind === "perp") v += p.size * (s - p.entryPriceUsd);
        else {
          const fwd = s * Math.exp(eth.carryRateAnnual * p.expiryYears);
          const df = Math.exp(-eth.riskFreeRateAnnual * p.expiryYears);
          const unit = black76({
            forwardUsd: fwd,
            strikeUsd: p.strikeUsd,
            years: p.expiryYears,
            volAnnual: it.volAnnual,
            discountFactor: df,
            isCall: p.isCall,
          });
          v += p.size * unit.priceUsd;
        }
      }
      return v;
    };
    const expected = Math.max(...BAND_POINTS.map((f) => valueAt(1) - valueAt(1 + f * rel)));
    const { addOnUsd, itemUsd } = oracleAddOn(items, m, 0.05);
    // Net size is 0, so the old delta-one charge was 0; a short straddle loses on both sides of the band.
    expect(expected).toBeGreaterThan(5);
    expect(addOnUsd).toBeCloseTo(expected, 8);
    expect(itemUsd.reduce((a, b) => a + b, 0)).toBeCloseTo(addOnUsd, 8);
  });

  it("isolated: the band also pays for the rise of a short call's standalone requirement", () => {
    // An ATM short call: value moves by its delta (~0.5/USD), Deribit's standard margin by 1.15/USD below
    // max(0.15 - OTM/S, 0.1): the requirement dominates the charge.
    const p = portfolio({ positions: [ethOption("c", "-1", "2100", "call", EXPIRY)] });
    const m = divergedMarket();
    const r = computeMargin({ portfolio: p, market: m, config: { model: "isolated" } });
    const charge = r.components.find((c) => c.id === "oracle-uncertainty")!.initialMarginUsd;
    // Up edge (+rel): spot 2060, OTM 40 -> (0.15 - 40/2060) x 2060 = 269 vs at 2020: (0.15 - 80/2020) x 2020 = 223;
    // the requirement rises by 1.15 x 40 = 46, and the short call loses value (delta < 1) on top: free collateral falls
    // by 46 plus less than 40.
    expect(charge).toBeGreaterThan(46);
    expect(charge).toBeLessThan(46 + 40);
  });

  it("oracleCharge: the worse of the delta-one term and the worst summed column, shared by positive losses", () => {
    // One bucket, two members, two columns; rate 1%.
    const rel = Float64Array.of(0.01);
    const memberStart = Int32Array.of(0, 2);
    const members = Int32Array.of(0, 1);
    const exposure = Float64Array.of(1000, -400); // delta-one: |600| x 1% = 6
    const loss = Float64Array.of(5, 3, -1, 4); // column sums: 4 and 7 -> 7 wins
    const itemUsd = new Float64Array(2);
    expect(oracleCharge(rel, memberStart, members, exposure, loss, 2, 0, 1, itemUsd)).toBe(7);
    expect([...itemUsd]).toEqual([3, 4]);
    const small = Float64Array.of(1, 0, 1, 0); // sums 2 and 0 -> delta-one 6 wins, shared by |exposure|
    expect(oracleCharge(rel, memberStart, members, exposure, small, 2, 0, 1, itemUsd)).toBeCloseTo(6, 12);
    expect(itemUsd[0]).toBeCloseTo((6 * 1000) / 1400, 12);
    const gains = Float64Array.of(-5, -3, -1, -4);
    expect(oracleCharge(rel, memberStart, members, Float64Array.of(0, 0), gains, 2, 0, 1)).toBe(0);
  });
});
