// Regenerates the cascade population in this folder: `npm run build && node examples/accounts/generate.mjs [SEED] [COUNT]`.
// Spot prices are the example snapshot's (examples/market-2023-06-30.json); the generator is
// src/liquidation/cascade/generatePopulation.ts (seeded, so the same seed gives the same files).
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const { generatePopulation } = await import(join(here, "../../dist/src/liquidation/cascade/generatePopulation.js"));
const market = JSON.parse(readFileSync(join(here, "../market-2023-06-30.json"), "utf8"));
const spotsUsd = {};
for (const q of market.quotes) {
  const symbol = q.feed.replace(/\/USD$/, "");
  if (["ETH", "BTC", "SOL"].includes(symbol) && q.source === "chainlink") spotsUsd[symbol] = Number(q.price);
}
const seed = Number(process.argv[2] ?? 20230630);
const count = Number(process.argv[3] ?? 60);
for (const f of readdirSync(here)) if (/^pop-\d+\.json$/.test(f)) rmSync(join(here, f));
for (const account of generatePopulation({ seed, count, spotsUsd })) {
  writeFileSync(join(here, `${account.accountId}.json`), `${JSON.stringify(account, null, 2)}\n`);
}
console.log(`wrote ${count} accounts (seed ${seed})`);
