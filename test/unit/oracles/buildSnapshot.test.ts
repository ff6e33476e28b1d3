import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { computeMargin } from "../../../src/margin/computeMargin.js";
import { aggregateFeeds } from "../../../src/oracles/aggregateFeeds.js";
import { buildSnapshot } from "../../../src/oracles/buildSnapshot.js";
import { parseSourcesConfig } from "../../../src/oracles/sourcesConfig.js";
import { snapshotTimeSec } from "../../../src/oracles/sourcesTime.js";

const SOL = "ef0d8b6fda2ceba41da15d4095d1da392a0d2f8ed0c6c7bc0f4cfac8c280b56d";
const END_OF_0618 = Date.parse("2022-06-19T00:00:00Z") / 1000;

function files() {
  const dir = mkdtempSync(join(tmpdir(), "xmargin-build-"));
  writeFileSync(join(dir, "ETH-USD.csv"), "date,close\n2022-06-17,1086.519\n2022-06-18,993.6368\n");
  writeFileSync(join(dir, "SOL-USD.csv"), "date,close\n2022-06-18,35.0\n");
  const hermes = {
    parsed: [{ id: SOL, price: { price: "3610000000", conf: "90000000", expo: -8, publish_time: END_OF_0618 - 30 } }],
  };
  writeFileSync(join(dir, "hermes.json"), JSON.stringify(hermes));
  return dir;
}

describe("buildSnapshot from files (pyth + replay)", () => {
  it("builds a valid MarketSnapshot, aggregates it and flags the Pyth-vs-replay divergence", async () => {
    const dir = files();
    const config = {
      pyth: { file: "hermes.json", chain: "solana", feeds: [{ id: SOL, feed: "SOL/USD" }] },
      replay: { dir: ".", date: "2022-06-18", chain: "ethereum" },
    };
    const built = await buildSnapshot(config, END_OF_0618, { baseDir: dir });
    expect(built.snapshot.asOf).toBe("2022-06-19T00:00:00.000Z");
    expect(
      built.snapshot.quotes.map((q) => `${q.source} ${q.chain} ${q.feed} ${q.price} ${q.confidence ?? "-"}`),
    ).toEqual(["pyth solana SOL/USD 36.1 0.9", "replay ethereum ETH/USD 993.6368 -", "replay ethereum SOL/USD 35 -"]);
    const sol = built.prices.get("*:SOL")!;
    // median of 36.1 and 35.0 = 35.55; both 0.55 away (1.55% < 2%); chains 1.1 apart = 3.09% > 1%
    expect(sol.priceUsd).toBeCloseTo(35.55, 12);
    // max(2 x 0.55 (R4), conf 0.9) = 1.1
    expect(sol.uncertaintyUsd).toBeCloseTo(1.1, 12);
    // Pyth's conf 0.9 is 2.53% of 35.55 (> 2%): uncertain as well
    expect(built.flags.map((f) => f.code)).toEqual(["ORACLE_DIVERGENT", "ORACLE_UNCERTAIN"]);
    // the document is what computeMargin reads
    const report = computeMargin({
      portfolio: { accountId: "a", holdings: [{ chain: "solana", token: "SOL", amount: "10" }] },
      market: built.snapshot,
      config: { model: "cross" },
    });
    expect(report.equityUsd).toBeCloseTo(361, 9); // native SOL on solana: its own chain's quote
  });

  it("names failures in the result, its flags and the document's description", async () => {
    const dir = files();
    const config = {
      pyth: { file: "missing.json", chain: "solana", feeds: [{ id: SOL, feed: "SOL/USD" }] },
      replay: { dir: ".", date: "2022-06-18", chain: "ethereum", feeds: ["ETH/USD"] },
    };
    const built = await buildSnapshot(config, END_OF_0618, { baseDir: dir });
    expect(built.failures.map((f) => `${f.path} ${f.reason}`)).toEqual(["$.pyth.feeds[0] RPC_ERROR"]);
    expect(built.flags[0]).toMatchObject({ code: "PRICE_MISSING", severity: "warning", path: "$.pyth.feeds[0]" });
    expect(built.snapshot.description).toContain("$.pyth.feeds[0] SOL/USD on solana RPC_ERROR");
    await expect(buildSnapshot({}, END_OF_0618)).rejects.toMatchObject({ code: "MISSING_DATA" });
  });

  it("snapshot time: config asOf, else the end of the replay day for replay-only configs, else the clock", () => {
    expect(snapshotTimeSec(parseSourcesConfig({ asOf: "2024-01-01T00:00:00Z" }), 5)).toBe(1_704_067_200);
    const replay = { replay: { dir: ".", date: "2022-06-18", chain: "ethereum" } };
    expect(snapshotTimeSec(parseSourcesConfig(replay), 5)).toBe(END_OF_0618);
    const live = { ...replay, chains: [{ chain: "ethereum", rpcUrl: "http://127.0.0.1:1", evmChainId: 1 }] };
    expect(snapshotTimeSec(parseSourcesConfig(live), 5)).toBe(5);
  });
});

describe("aggregateFeeds", () => {
  const quote = (chain: string, feed: string, price: string, publishedAt: string) => ({
    source: "s",
    chain,
    feed,
    price,
    publishedAt,
  });
  it("groups per symbol over all chains and per (chain, symbol), honouring each quote's maxAgeSec", () => {
    const t = Date.parse("2024-01-01T01:00:00Z") / 1000;
    const { prices, flags } = aggregateFeeds(
      [
        { quote: quote("ethereum", "ETH/USD", "2000", "2024-01-01T00:59:00Z"), maxAgeSec: 3_600 },
        { quote: quote("arbitrum", "ETH/USD", "2004", "2024-01-01T00:40:00Z"), maxAgeSec: 600 },
        { quote: quote("arbitrum", "USDC/USD", "1", "2024-01-01T00:00:00Z"), maxAgeSec: 86_400 },
      ],
      t,
    );
    expect([...prices.keys()]).toEqual(["*:ETH", "*:USDC", "arbitrum:ETH", "arbitrum:USDC", "ethereum:ETH"]);
    // the arbitrum ETH quote is 20 minutes old with a 10-minute heartbeat: stale, ignored in *:ETH
    expect(prices.get("*:ETH")).toMatchObject({ priceUsd: 2000, freshSources: 1, totalSources: 2 });
    expect(prices.get("arbitrum:ETH")?.flags.map((f) => f.severity)).toEqual(["critical"]);
    // a one-hour-old stablecoin answer is fresh under its 24 h heartbeat
    expect(prices.get("*:USDC")?.freshSources).toBe(1);
    // per-chain flags are surfaced only for chains with several sources; here only the all-chain info flag
    expect(flags.map((f) => `${f.code}:${f.severity}`)).toEqual(["ORACLE_STALE:warning"]);
  });
});
