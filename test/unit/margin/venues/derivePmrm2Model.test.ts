/** The `derive-pmrm2` model on xmargin documents: mapping to sub-accounts, report, config and every example. */
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compareReports } from "../../../../src/cli/commands/compareCommand.js";
import { run } from "../../../../src/cli/run.js";
import { computeMargin } from "../../../../src/margin/computeMargin.js";
import { resolveMarginConfig } from "../../../../src/margin/resolveConfig.js";
import { errorOf, expectInvalid } from "../../../support/errors.js";
import { market, portfolio } from "../../../support/fixtures.js";

const EXAMPLES = new URL("../../../../examples/", import.meta.url).pathname;
const config = { model: "derive-pmrm2" };

describe("derive-pmrm2 model", () => {
  it("a 10 BTC perp with 100k USDC, by hand with Derive's mainnet parameters", () => {
    const report = computeMargin({
      portfolio: portfolio({
        holdings: [{ chain: "arbitrum", token: "USDC", amount: "100000" }],
        positions: [{ kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "BTC", size: "10" }],
      }),
      market: market(),
      config,
    });
    // N = 10 x 40000 = 400000. Worst: -18% -> -72000 (tails: 0.66 x 400000 x 0.21 = 55440 is smaller).
    // IM = 72000 + (3% + 1%) N = 88000; MM = 0.8 x 72000 + 3% N = 69600.
    expect(report.initialMarginUsd).toBeCloseTo(88_000, 6);
    expect(report.maintenanceMarginUsd).toBeCloseTo(69_600, 6);
    expect(report.freeCollateralUsd).toBeCloseTo(12_000, 6);
    expect(report.healthRatio).toBeCloseTo(100_000 / 69_600, 10);
    const regular = report.components.find((c) => c.name === "worst regular scenario loss")!;
    expect(regular.initialMarginUsd).toBeCloseTo(72_000, 6);
    expect(regular.detail).toContain("(binding)");
    expect(report.components.find((c) => c.name === "perp contingency")!.initialMarginUsd).toBeCloseTo(16_000, 6);
    expect(report.flags.some((f) => f.code === "VENUE_MAPPING_ASSUMED" && f.path === "$.positions[0]")).toBe(true);
    expect(report.scenarios[0]!.underlying).toBe("BTC");
    expect(report.scenarios[0]!.scenarios).toHaveLength(33);
  });

  it("a dated future is flagged as unsupported and margined as a perp of the same size", () => {
    const doc = (kind: "perp" | "future") =>
      computeMargin({
        portfolio: portfolio({
          holdings: [{ chain: "arbitrum", token: "USDC", amount: "100000" }],
          positions: [
            kind === "future"
              ? {
                  kind,
                  chain: "arbitrum",
                  venue: "derive",
                  underlying: "ETH",
                  size: "-5",
                  expiry: "2024-03-29T08:00:00Z",
                }
              : { kind, chain: "arbitrum", venue: "derive", underlying: "ETH", size: "-5" },
          ],
        }),
        market: market(),
        config,
      });
    const future = doc("future");
    expect(future.flags.find((f) => f.code === "VENUE_UNSUPPORTED_POSITION")?.path).toBe("$.positions[0]");
    expect(future.initialMarginUsd).toBeCloseTo(doc("perp").initialMarginUsd, 6);
  });

  it("options read their vols from an SVI surface and a short call is charged more than the flat-vol mark", () => {
    const svi = market({
      volSurfaces: [
        {
          underlying: "ETH",
          kind: "svi",
          expiries: [
            { expiry: "2024-01-31T08:00:00Z", a: "0.02", b: "0.05", rho: "-0.3", m: "0", sig: "0.1", forward: "2000" },
          ],
        } as never,
      ],
    });
    const report = computeMargin({
      portfolio: portfolio({
        holdings: [{ chain: "arbitrum", token: "USDC", amount: "50000" }],
        positions: [
          {
            kind: "option",
            chain: "arbitrum",
            venue: "derive",
            underlying: "ETH",
            size: "-10",
            expiry: "2024-01-31T08:00:00Z",
            strike: "2200",
            optionType: "call",
          },
        ],
      }),
      market: svi,
      config,
    });
    const option = report.byPosition.find((p) => p.id === "p0")!;
    // Up scenarios show the expiry's vol multiplier: 1 + 0.5 (30 d / s)^0.13 (long power: s = 30 days 8 hours).
    const up = report.scenarios[0]!.scenarios.find((x) => x.id === "spot +18.0% vol up")!;
    expect(up.volShockRel).toBeCloseTo(0.5 * (30 / (30 + 8 / 24)) ** 0.13, 10);
    expect(option.collateralValueUsd).toBeLessThan(0);
    // Naked short: 10 contracts x spot 2000 x (0.3% + 0.2%) = 100 in IM.
    expect(report.components.find((c) => c.name === "naked short option contingency")!.initialMarginUsd).toBeCloseTo(
      100,
      6,
    );
    expect(report.initialMarginUsd).toBeGreaterThan(100);
  });

  it("a sub-account over the asset limit is UNSUPPORTED, not margined", () => {
    const doc = {
      portfolio: portfolio({
        holdings: [{ chain: "arbitrum", token: "USDC", amount: "1000" }],
        positions: [
          { kind: "perp" as const, chain: "arbitrum", venue: "derive", underlying: "ETH", size: "1" },
          {
            kind: "option" as const,
            chain: "arbitrum",
            venue: "derive",
            underlying: "ETH",
            size: "1",
            expiry: "2024-01-31T08:00:00Z",
            strike: "2000",
            optionType: "put" as const,
          },
        ],
      }),
      market: market(),
    };
    expect(computeMargin({ ...doc, config: { model: "derive-pmrm2", maxAssetsPerSubAccount: 2 } }).model).toBe(
      "derive-pmrm2",
    );
    const err = errorOf(() => computeMargin({ ...doc, config: { model: "derive-pmrm2", maxAssetsPerSubAccount: 1 } }));
    expect(err.code).toBe("UNSUPPORTED");
    expect(err.message).toContain("ETH sub-account would hold 2 assets");
  });

  it("a zero balance maps to a zero collateral, not a NaN price", () => {
    const report = computeMargin({
      portfolio: portfolio({
        holdings: [
          { chain: "ethereum", token: "WETH", amount: "0" },
          { chain: "arbitrum", token: "USDC", amount: "1000" },
        ],
        positions: [{ kind: "perp", chain: "arbitrum", venue: "derive", underlying: "ETH", size: "1" }],
      }),
      market: market(),
      config,
    });
    expect(report.byPosition[0]!.collateralValueUsd).toBe(0);
    expect(Number.isFinite(report.initialMarginUsd)).toBe(true);
  });

  it("an expired option is Derive cash at its settlement: the same figures as that much USDC (the backtest rolls past expiries)", () => {
    const perp = { kind: "perp" as const, chain: "arbitrum", venue: "derive", underlying: "ETH", size: "1" };
    const expired = computeMargin({
      portfolio: portfolio({
        holdings: [{ chain: "arbitrum", token: "USDC", amount: "1000" }],
        positions: [
          perp,
          // ETH 2000 at the fixing: 2 calls struck at 1900 settle at 2 x 100 = 200 USD
          {
            kind: "option",
            chain: "arbitrum",
            venue: "derive",
            underlying: "ETH",
            size: "2",
            expiry: "2023-12-31T08:00:00Z",
            strike: "1900",
            optionType: "call",
          },
        ],
      }),
      market: market(),
      config,
    });
    const cash = computeMargin({
      portfolio: portfolio({ holdings: [{ chain: "arbitrum", token: "USDC", amount: "1200" }], positions: [perp] }),
      market: market(),
      config,
    });
    expect(expired.flags.some((f) => f.code === "OPTION_EXPIRED")).toBe(true);
    expect(expired.initialMarginUsd).toBeCloseTo(cash.initialMarginUsd, 9);
    expect(expired.maintenanceMarginUsd).toBeCloseTo(cash.maintenanceMarginUsd, 9);
    expect(expired.freeCollateralUsd).toBeCloseTo(cash.freeCollateralUsd, 9);
  });

  it("xmargin's oracle-band add-on sits on top of Derive's figures and can be turned off", () => {
    const m = market();
    // A second, 2% lower ETH source: the aggregated band is 1% of the price.
    m.quotes.push({
      source: "pyth",
      chain: "arbitrum",
      feed: "ETH/USD",
      price: "1960",
      publishedAt: "2023-12-31T23:59:00Z",
    });
    const doc = {
      portfolio: portfolio({
        holdings: [{ chain: "arbitrum", token: "USDC", amount: "100000" }],
        positions: [{ kind: "perp" as const, chain: "arbitrum", venue: "derive", underlying: "ETH", size: "10" }],
      }),
      market: m,
    };
    const withBand = computeMargin({ ...doc, config });
    const pure = computeMargin({ ...doc, config: { model: "derive-pmrm2", oracleBandAddOn: { enabled: false } } });
    const band = withBand.components.find((c) => c.id === "oracle-uncertainty")!;
    expect(pure.components.some((c) => c.id === "oracle-uncertainty")).toBe(false);
    expect(band.initialMarginUsd).toBeGreaterThan(0);
    // The rulebook's `policy` component (src/margin/policy) scales with the requirement: compare without it.
    const beforePolicy = (r: typeof pure) =>
      r.components.filter((c) => c.id !== "policy").reduce((sum, c) => sum + c.initialMarginUsd, 0);
    expect(beforePolicy(withBand)).toBeCloseTo(beforePolicy(pure) + band.initialMarginUsd, 6);
  });

  it("config overrides are validated against PMRM_2's bounds with the field's path", () => {
    expectInvalid(
      () => resolveMarginConfig({ model: "derive-pmrm2", params: { margin: { mmFactor: 0.05 } } }),
      "$.params.margin.mmFactor",
      "MarginConfig",
    );
  });

  it("compare gives the reason when a portfolio cannot map (31 expiries; a sub-account holds at most 30)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "xmargin-derive-"));
    const positions = Array.from({ length: 31 }, (_, i) => ({
      kind: "option" as const,
      chain: "arbitrum",
      venue: "derive",
      underlying: "ETH",
      size: "1",
      expiry: new Date(Date.UTC(2024, 0, 2 + i, 8)).toISOString(),
      strike: "2000",
      optionType: "call" as const,
    }));
    const p = join(dir, "p.json");
    const m = join(dir, "m.json");
    writeFileSync(
      p,
      JSON.stringify(portfolio({ holdings: [{ chain: "arbitrum", token: "USDC", amount: "1000" }], positions })),
    );
    writeFileSync(m, JSON.stringify(market()));
    const text = await run(["compare", "--portfolio", p, "--market", m]);
    expect(text).toMatch(
      /derive-pmrm2: cannot margin this portfolio: \$\.subAccounts\.ETH\.expiries: at most 30 expiries, got 31/,
    );
    const doc = JSON.parse(await run(["compare", "--portfolio", p, "--market", m, "--json"]));
    expect(doc.models.map((x: { model: string }) => x.model)).toEqual(["isolated", "cross", "grid", "xchain"]);
    expect(doc.unavailable[0].model).toBe("derive-pmrm2");
  });

  it("compare shows a derive-pmrm2 row on every example portfolio", () => {
    const files = readdirSync(join(EXAMPLES, "portfolios")).filter((f) => f.endsWith(".json"));
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const f of files) {
      const reports = compareReports(join(EXAMPLES, "portfolios", f), join(EXAMPLES, "market-2023-06-30.json"));
      const derive = reports.find((r) => r.model === "derive-pmrm2");
      expect(derive, f).toBeDefined();
      const sum = derive!.components.reduce((s, c) => s + c.initialMarginUsd, 0);
      expect(derive!.initialMarginUsd).toBeCloseTo(sum, 6);
      expect(derive!.freeCollateralUsd).toBeCloseTo(derive!.collateralValueUsd - derive!.initialMarginUsd, 6);
      // Items carry the whole requirement: haircuts on collateral, the rest on derivatives by notional.
      const byItem = derive!.byPosition.reduce((s, p) => s + p.initialMarginUsd, 0);
      expect(byItem).toBeCloseTo(derive!.initialMarginUsd, 6);
      expect(Number.isFinite(derive!.initialMarginUsd)).toBe(true);
    }
  });
});
