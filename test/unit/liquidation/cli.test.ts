import { describe, expect, it } from "vitest";
import { cascadeCommand } from "../../../src/cli/commands/cascadeCommand.js";
import { healthCommand } from "../../../src/cli/commands/healthCommand.js";
import { liquidateCommand } from "../../../src/cli/commands/liquidateCommand.js";
import { rebalanceCommand } from "../../../src/cli/commands/rebalanceCommand.js";
import { parseRelative, whatifCommand } from "../../../src/cli/commands/whatifCommand.js";

const M = "examples/market-2023-06-30.json";
const P = (name: string) => `examples/portfolios/${name}.json`;

describe("liquidation CLI commands", () => {
  it("parses relative moves", () => {
    expect(parseRelative("-30%", "--shock")).toBe("-0.3");
    expect(parseRelative("+5%", "--shock")).toBe("0.05");
    expect(parseRelative("-0.25", "--shock")).toBe("-0.25");
    expect(() => parseRelative("-30 percent", "--shock")).toThrow(expect.objectContaining({ path: "--shock" }));
  });

  it("health, liquidate, rebalance and whatif print text and JSON with decimals as strings", () => {
    const h = JSON.parse(healthCommand({ portfolio: P("directional-perp"), market: M, json: true }));
    expect(h.underlyings[0].down.price).toMatch(/^\d+\.\d{2}$/);
    expect(healthCommand({ portfolio: P("directional-perp"), market: M, json: false })).toContain("liquidation prices");
    const l = JSON.parse(
      liquidateCommand({ portfolio: P("lst-collateral-eth-short"), market: M, model: "cross", json: true }),
    );
    expect(l.status).toBe("restored");
    const r = JSON.parse(rebalanceCommand({ portfolio: P("lst-collateral-eth-short"), market: M, json: true }));
    expect(r.model).toBe("xchain");
    const w = JSON.parse(
      whatifCommand({
        portfolio: P("directional-perp"),
        market: M,
        json: true,
        trade: ["perp,arbitrum,gmx,BTC,-10"],
        move: ["BTC,-10%"],
      }),
    );
    expect(Number(w.diff.equity)).toBeCloseTo(0, 1);
  });

  it("cascade over a directory with --shock -30% and unlimited depth runs one round per model", () => {
    const out = JSON.parse(
      cascadeCommand({ accounts: "examples/accounts", market: M, shock: "-30%", depth: "unlimited", json: true }),
    );
    expect(out.accounts).toBeGreaterThan(0);
    for (const m of out.models) expect(m.rounds).toBeLessThanOrEqual(1);
    expect(out.models.map((m: { model: string }) => m.model)).toEqual(["isolated", "cross", "grid", "xchain"]);
  });
});

describe("argv for --shock -30%", () => {
  it("joins a negative value to its option so strict parseArgs accepts it", async () => {
    const { normalizeNegativeValues } = await import("../../../src/cli/commands/cascadeCommand.js");
    const { parseArgs } = await import("node:util");
    const argv = normalizeNegativeValues(["--accounts", "d", "--shock", "-30%", "--json"]);
    expect(argv).toEqual(["--accounts", "d", "--shock=-30%", "--json"]);
    const { values } = parseArgs({
      args: argv,
      options: { accounts: { type: "string" }, shock: { type: "string" }, json: { type: "boolean" } },
      strict: true,
    });
    expect(values.shock).toBe("-30%");
  });
});
