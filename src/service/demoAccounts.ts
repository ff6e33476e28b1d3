import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Portfolio, portfolioSchema } from "../schema/portfolio.js";
import { parseDocument } from "../schema/validate.js";
import type { RebalancePolicy } from "./rebalancePolicy.js";

export interface DemoAccount {
  portfolio: Portfolio;
  config: Record<string, unknown>;
  policy: RebalancePolicy | null;
}

/**
 * Models and policies of the demo accounts (examples/portfolios). The cross-chain basis book runs the xchain model;
 * the others run grid (its scenario grid feeds the dashboard's heatmap). The bands are set around each book's health
 * on 2023-06-30 so that the replay moves some of them out of their band.
 */
const DEMO_SETTINGS: Readonly<Record<string, { model: string; policy?: RebalancePolicy }>> = {
  "acct-directional-perp-01": {
    model: "grid",
    policy: { targetHealth: { min: 2.5, max: 4 }, maxBridgeLatencySec: 3600, maxCostUsd: 500, dryRun: true },
  },
  "acct-btc-strangle-01": {
    model: "grid",
    policy: { targetHealth: { min: 6, max: 40 }, maxBridgeLatencySec: 3600, maxCostUsd: 1000, dryRun: true },
  },
  "acct-basis-01": {
    model: "xchain",
    policy: {
      targetHealth: { min: 10, max: 100 },
      allowedBridges: ["fast-bridge", "arbitrum-canonical-deposit"],
      maxBridgeLatencySec: 3600,
      maxCostUsd: 2000,
      dryRun: true,
    },
  },
};

/** The example portfolios with their demo model and policy (I/O: reads `examplesDir/portfolios`). */
export function loadDemoAccounts(examplesDir: string): DemoAccount[] {
  const dir = join(examplesDir, "portfolios");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => {
      const portfolio = parseDocument(portfolioSchema, JSON.parse(readFileSync(join(dir, f), "utf8")), "Portfolio");
      const settings = DEMO_SETTINGS[portfolio.accountId];
      return {
        portfolio,
        config: { model: settings?.model ?? "grid" },
        policy: settings?.policy ?? null,
      };
    });
}
