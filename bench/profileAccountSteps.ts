/**
 * CPU per account of the xchain report's per-account steps that do not simulate (BENCHMARKS.md, per-account work kept
 * across ticks): `node dist/bench/profileAccountSteps.js [accounts]` resolves the generated venue accounts on the
 * example market, then times each step over all of them, 9 passes, and prints min and median CPU us per account:
 * resolution from the document and from the kept structure, the grid floor's parts, the factor model, the horizons,
 * the risk chain, the oracle and the jump add-ons.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { oracleAddOn } from "../src/margin/common/oracleAddOn.js";
import { portfolioStructure } from "../src/margin/resolve/portfolioStructure.js";
import { resolveMarket } from "../src/margin/resolve/resolveMarket.js";
import { resolvePortfolio, resolveStructure } from "../src/margin/resolve/resolvePortfolio.js";
import { resolveMarginConfig } from "../src/margin/resolveConfig.js";
import type { XchainConfig } from "../src/margin/xchain/config.js";
import { liquidationHorizons, riskChainOf } from "../src/margin/xchain/horizons.js";
import { jumpAddOn } from "../src/margin/xchain/jumpAddOn.js";
import { buildFactorModel } from "../src/margin/xchain/riskFactorModel.js";
import { tickGridFloorParts } from "../src/margin/xchain/tickGridFloor.js";
import { marketSnapshotSchema } from "../src/schema/marketSnapshot.js";
import { portfolioSchema } from "../src/schema/portfolio.js";
import { generateXchainVenue } from "./generateXchainVenue.js";

const n = Number(process.argv[2] ?? 2_000);
const file = join(import.meta.dirname, "../../examples/market-2023-06-30.json");
const market = resolveMarket(marketSnapshotSchema.parse(JSON.parse(readFileSync(file, "utf8"))));
const config = resolveMarginConfig({ model: "xchain" }) as XchainConfig;
const docs = generateXchainVenue(n, 17).map((d) => portfolioSchema.parse(d));
const kept = docs.map(portfolioStructure);
const resolved = docs.map((d) => resolvePortfolio(d, market));

function time(step: string, f: (i: number) => unknown): void {
  const us: number[] = [];
  for (let pass = 0; pass < 9; pass++) {
    const cpu = process.cpuUsage();
    for (let i = 0; i < n; i++) f(i);
    us.push(process.cpuUsage(cpu).user / n);
  }
  us.sort((a, b) => a - b);
  console.log(`${step.padEnd(28)} min ${us[0]!.toFixed(2)} / median ${us[4]!.toFixed(2)} us CPU per account`);
}

time("resolve from the document", (i) => resolvePortfolio(docs[i]!, market));
time("resolve the kept structure", (i) => resolveStructure(kept[i]!, market));
time("grid floor parts", (i) => tickGridFloorParts(resolved[i]!, market, config.gridFloor.grid));
time("buildFactorModel", (i) => buildFactorModel(resolved[i]!.items, market, config));
time("liquidationHorizons", (i) => liquidationHorizons(resolved[i]!.items, market, config));
time("riskChainOf", (i) => riskChainOf(resolved[i]!.items, market));
time("oracleAddOn", (i) => oracleAddOn(resolved[i]!.items, market, config.oracle.staleAddOnRel));
const itemDays = resolved.map((p) => liquidationHorizons(p.items, market, config).itemDays);
time("jumpAddOn", (i) => jumpAddOn(resolved[i]!.items, itemDays[i]!, config));
