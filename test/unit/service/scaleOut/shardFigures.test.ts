import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateAccounts } from "../../../../bench/generateAccounts.js";
import { DEFAULT_RULEBOOK } from "../../../../src/margin/policy/defaultRulebook.js";
import { resolveMarginConfig } from "../../../../src/margin/resolveConfig.js";
import { marketSnapshotSchema } from "../../../../src/schema/marketSnapshot.js";
import { type Portfolio, portfolioSchema } from "../../../../src/schema/portfolio.js";
import { dependenciesOf, type LiveAccount } from "../../../../src/service/liveAccount.js";
import { LiveMarket } from "../../../../src/service/liveMarket.js";
import { computeAtTick } from "../../../../src/service/marginService.js";
import { shardFigures } from "../../../../src/service/scaleOut/shardFigures.js";

const snapshot = marketSnapshotSchema.parse(
  JSON.parse(readFileSync(join(import.meta.dirname, "../../../../examples/market-2023-06-30.json"), "utf8")),
);
const tick = new LiveMarket().apply(snapshot, "test", 7);

const live = (
  portfolio: Portfolio,
  configDoc: Record<string, unknown> = { model: "grid" },
  version = 1,
): LiveAccount => ({
  accountId: portfolio.accountId,
  version,
  updatedAt: "2026-01-01T00:00:00Z",
  portfolio,
  configDoc,
  config: resolveMarginConfig(configDoc),
  policy: null,
  deps: dependenciesOf(portfolio),
});

describe("shardFigures: the batch engine's figures of a shard", () => {
  it("equal computeAtTick's report figures exactly (to the bit) for every account it margins", () => {
    const gridDoc = { model: "grid" };
    const config = resolveMarginConfig(gridDoc);
    // One config object shared by most accounts (as the registry's default), a few with their own equal copy.
    const accounts = generateAccounts(600, 11, { meanItems: 4 }).map((p, i) => {
      const acc = live(portfolioSchema.parse(p), gridDoc, 1 + (i % 3));
      return i % 50 === 0 ? acc : { ...acc, config };
    });
    const { rows, status, perAccount } = shardFigures(accounts, tick, DEFAULT_RULEBOOK, "tick");
    // Not vacuous: every account goes through the batch engine (the rules firing here only restrict and alert), and
    // many of them have rules firing (the generated books are thinly collateralised).
    expect(rows.length).toBe(accounts.length);
    expect(status.filter((s) => s !== "").length).toBeGreaterThan(100);
    expect(rows.length + perAccount.length).toBe(accounts.length);
    const byId = new Map(accounts.map((a) => [a.accountId, a]));
    for (const row of rows) {
      const acc = byId.get(row.accountId)!;
      const { report } = computeAtTick(acc.portfolio, tick, acc.config, DEFAULT_RULEBOOK);
      expect(status[rows.indexOf(row)]).toBe(report.policy?.fired.map((f) => f.ruleId).join(",") ?? "");
      expect(row).toEqual({
        accountId: acc.accountId,
        seq: 7,
        asOf: tick.asOf,
        model: "grid",
        accountVersion: acc.version,
        equityUsd: report.equityUsd,
        initialMarginUsd: report.initialMarginUsd,
        maintenanceMarginUsd: report.maintenanceMarginUsd,
        freeCollateralUsd: report.freeCollateralUsd,
        healthRatio: report.healthRatio,
        reason: "tick",
      });
      // toEqual treats -0 and 0 alike only via Object.is in toBe; check the bits of every figure too.
      expect(Object.is(row.initialMarginUsd, report.initialMarginUsd)).toBe(true);
      expect(Object.is(row.freeCollateralUsd, report.freeCollateralUsd)).toBe(true);
    }
    // Rows keep the order of the accounts given.
    const order = accounts.map((a) => a.accountId).filter((id) => rows.some((r) => r.accountId === id));
    expect(rows.map((r) => r.accountId)).toEqual(order);
  });

  it("leaves other models, unresolvable accounts and accounts a rule fires on to the per-account path", () => {
    const plain = portfolioSchema.parse({
      accountId: "plain",
      holdings: [{ chain: "ethereum", token: "USDC", amount: "10000" }],
      positions: [{ kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "ETH", size: "1", entryPrice: "1900" }],
    });
    const isolated = { ...plain, accountId: "isolated" };
    // A perp on an underlying the market does not quote: resolution fails (the per-account path names the field).
    const unpriced = portfolioSchema.parse({
      accountId: "unpriced",
      holdings: [{ chain: "ethereum", token: "USDC", amount: "10000" }],
      positions: [{ kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "DOGE", size: "1", entryPrice: "1" }],
    });
    // Large short against little collateral: health below 1.5, the health rules fire (restrictions, no figures).
    const weak = portfolioSchema.parse({
      accountId: "weak",
      holdings: [{ chain: "ethereum", token: "USDC", amount: "1500" }],
      positions: [
        { kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "ETH", size: "-20", entryPrice: "1934" },
      ],
    });
    // A rulebook whose health rule multiplies margin: the weak account's figures change, so it goes per account.
    const multiplying = {
      ...DEFAULT_RULEBOOK,
      rules: DEFAULT_RULEBOOK.rules.map((rule) =>
        rule.id === "health-below-120"
          ? { ...rule, actions: [...rule.actions, { kind: "marginMultiplier" as const, factor: 1.2 }] }
          : rule,
      ),
    };
    const accounts = [live(plain), live(isolated, { model: "isolated" }), live(unpriced), live(weak)];
    const { rows, status, perAccount } = shardFigures(accounts, tick, DEFAULT_RULEBOOK, "position");
    expect(rows.map((r) => r.accountId)).toEqual(["plain", "weak"]);
    expect(status).toEqual(["", "health-below-150,health-below-120,health-below-105"]);
    expect(rows[0]!.reason).toBe("position");
    expect(perAccount.map((p) => [p.account.accountId, p.why])).toEqual([
      ["isolated", "model"],
      ["unpriced", "unresolvable"],
    ]);
    const strict = shardFigures(accounts, tick, multiplying, "tick");
    expect(strict.rows.map((r) => r.accountId)).toEqual(["plain"]);
    expect(strict.perAccount.map((p) => [p.account.accountId, p.why])).toContainEqual(["weak", "policy"]);
    expect(() => computeAtTick(unpriced, tick, accounts[2]!.config)).toThrow();
    const weakReport = computeAtTick(weak, tick, accounts[3]!.config).report;
    expect(weakReport.healthRatio).toBeLessThan(1.5);
  });
});
