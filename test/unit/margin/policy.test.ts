import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { computeMargin, runMarginModel } from "../../../src/margin/computeMargin.js";
import { DEFAULT_RULEBOOK } from "../../../src/margin/policy/defaultRulebook.js";
import { policyFacts } from "../../../src/margin/policy/facts.js";
import { parseRulebook } from "../../../src/margin/policy/rulebook.js";
import { resolveMarket } from "../../../src/margin/resolve/resolveMarket.js";
import { resolvePortfolio } from "../../../src/margin/resolve/resolvePortfolio.js";
import { resolveMarginConfig } from "../../../src/margin/resolveConfig.js";
import { marketSnapshotSchema } from "../../../src/schema/marketSnapshot.js";
import { portfolioSchema } from "../../../src/schema/portfolio.js";
import { parseDocument } from "../../../src/schema/validate.js";
import { expectInvalid } from "../../support/errors.js";

const EX = join(__dirname, "../../../examples");
const read = (f: string): unknown => JSON.parse(readFileSync(join(EX, f), "utf8"));
const market = resolveMarket(parseDocument(marketSnapshotSchema, read("market-2023-06-30.json"), "MarketSnapshot"));
const lender = resolvePortfolio(
  parseDocument(portfolioSchema, read("portfolios/stablecoin-lender.json"), "Portfolio"),
  market,
);
const book = (rules: unknown[]) => parseRulebook({ kind: "xmargin-rulebook", name: "t", version: 3, rules });

describe("rulebook documents", () => {
  it("rejects unknown operators, unknown facts, lowering actions and duplicate ids with the JSON path", () => {
    const rule = { id: "a", description: "d", actions: [{ kind: "reduceOnly" }] };
    expectInvalid(() => book([{ ...rule, when: { like: [1, 2] } }]), "$.rules[0].when.like", "unknown operator");
    expectInvalid(
      () => book([{ ...rule, when: { "<": [{ var: "account.helth" }, 1] } }]),
      '$.rules[0].when["<"][0].var',
      'unknown fact "account.helth"',
    );
    expectInvalid(
      () => book([{ ...rule, when: true, actions: [{ kind: "marginMultiplier", factor: 0.9 }] }]),
      "$.rules[0].actions[0].factor",
      "rulebook",
    );
    expectInvalid(
      () =>
        book([
          { ...rule, when: true },
          { ...rule, when: true },
        ]),
      "$.rules[1].id",
      "duplicate",
    );
  });

  it("the default rulebook parses and every rule names its anchor or purpose", () => {
    expect(DEFAULT_RULEBOOK.rules.length).toBeGreaterThanOrEqual(10);
    expect(DEFAULT_RULEBOOK.rules.map((r) => r.id)).toEqual(
      expect.arrayContaining([
        "stablecoin-below-098",
        "health-below-150",
        "health-below-120",
        "health-below-105",
        "oracle-anomaly",
      ]),
    );
  });
});

describe("policy component", () => {
  const report = runMarginModel(lender, market, resolveMarginConfig({ model: "cross" }), false);
  const facts = policyFacts(lender, market, report);

  it("a USDC weight cap removes collateral value, by hand, and leaves the requirement alone", () => {
    const b = book([
      {
        id: "cap-usdc",
        description: "USDC at most 0.5",
        when: { ">": [{ var: "account.equityUsd" }, 0] },
        actions: [{ kind: "collateralWeight", token: "USDC", weight: 0.5 }],
      },
    ]);
    const r = runMarginModel(lender, market, resolveMarginConfig({ model: "cross" }), { rulebook: b });
    // Hand calculation from the model's own attribution: for each USDC holding, collateral value - 0.5 x value.
    const usdc = report.byPosition.filter((p) => lender.items.find((i) => i.id === p.id)?.token?.symbol === "USDC");
    expect(usdc.length).toBe(2);
    const expected = usdc.reduce((s, p) => s + Math.max(0, p.collateralValueUsd - 0.5 * p.valueUsd), 0);
    expect(expected).toBeGreaterThan(1000);
    const policy = r.components.find((c) => c.name === "policy")!;
    expect(policy.initialMarginUsd).toBe(0);
    expect(r.initialMarginUsd).toBe(report.initialMarginUsd);
    expect(r.collateralValueUsd).toBeCloseTo(report.collateralValueUsd - expected, 6);
    expect(r.freeCollateralUsd).toBeCloseTo(report.freeCollateralUsd - expected, 6);
    for (const p of usdc) {
      expect(r.byPosition.find((q) => q.id === p.id)!.collateralValueUsd).toBeCloseTo(
        Math.min(p.collateralValueUsd, 0.5 * p.valueUsd),
        6,
      );
    }
    expect(policy.detail).toContain("cap-usdc");
    expect(r.policy?.rulebook).toBe("t@v3");
  });

  it("multipliers do not compound, restrictions and alerts become flags", () => {
    const b = book([
      {
        id: "m2",
        description: "x2",
        when: true,
        actions: [{ kind: "marginMultiplier", factor: 2 }, { kind: "reduceOnly" }],
      },
      {
        id: "m3",
        description: "x3",
        when: { "<": [{ var: "market.minStablecoinPrice" }, 2] },
        actions: [
          { kind: "marginMultiplier", factor: 3 },
          { kind: "alert", severity: "critical", message: "boom" },
        ],
      },
      {
        id: "never",
        description: "no",
        when: { ">": [{ var: "account.health" }, 1e300] },
        actions: [{ kind: "blockWithdrawals" }],
      },
    ]);
    const r = runMarginModel(lender, market, resolveMarginConfig({ model: "cross" }), { rulebook: b });
    expect(r.initialMarginUsd).toBeCloseTo(3 * report.initialMarginUsd, 6);
    expect(r.policy?.fired.map((f) => f.ruleId)).toEqual(["m2", "m3"]);
    expect(r.policy?.reduceOnly).toBe(true);
    expect(r.policy?.blockWithdrawals).toBe(false);
    expect(r.flags.map((f) => f.code)).toEqual(
      expect.arrayContaining(["POLICY_RULE_FIRED", "POLICY_REDUCE_ONLY", "POLICY_ALERT"]),
    );
    expect(facts.market.minStablecoinPrice).toBeLessThan(2);
  });

  it("paused tokens come from the operator context and restrict the holder", () => {
    const r = runMarginModel(lender, market, resolveMarginConfig({ model: "cross" }), {
      context: { pausedTokens: ["arbitrum:USDC.e"] },
    });
    expect(r.policy?.fired.map((f) => f.ruleId)).toContain("paused-token");
    expect(r.policy?.blockWithdrawals).toBe(true);
    expect(r.initialMarginUsd).toBeGreaterThanOrEqual(report.initialMarginUsd);
  });

  it("computeMargin evaluates the default rulebook: nothing fires on a healthy lender at the peg", () => {
    const r = computeMargin({
      portfolio: read("portfolios/stablecoin-lender.json"),
      market: read("market-2023-06-30.json"),
      config: { model: "cross" },
    });
    expect(r.policy).toBeUndefined();
    expect(r.initialMarginUsd).toBe(report.initialMarginUsd);
  });
});
