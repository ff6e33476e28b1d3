import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ResolvedMarket } from "../../src/margin/resolve/resolvedMarket.js";
import { resolveMarket } from "../../src/margin/resolve/resolveMarket.js";
import { marketSnapshotSchema } from "../../src/schema/marketSnapshot.js";

/** examples/market-2023-06-30.json, resolved (BTC, ETH, SOL with vol surfaces; the bench's market). */
export function exampleMarket(): ResolvedMarket {
  const file = join(import.meta.dirname, "../../examples/market-2023-06-30.json");
  return resolveMarket(marketSnapshotSchema.parse(JSON.parse(readFileSync(file, "utf8"))));
}
