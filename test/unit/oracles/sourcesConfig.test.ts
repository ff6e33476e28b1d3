import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseSourcesConfig } from "../../../src/oracles/sourcesConfig.js";

const A = "0x5f4ec3df9cbd43714fe2740f5e3616155c5b8419";
const valid = () => ({
  chains: [{ chain: "ethereum", rpcUrl: "http://127.0.0.1:8545", evmChainId: 1 }],
  feeds: [{ chain: "ethereum", feed: "ETH/USD", address: A }],
  tokens: [
    { chain: "ethereum", symbol: "ETH" },
    { chain: "ethereum", symbol: "USDC", address: "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48" },
  ],
});

describe("SourcesConfig", () => {
  it("fills documented defaults", () => {
    const c = parseSourcesConfig(valid());
    expect(c.chains[0]?.timeoutMs).toBe(5_000);
    expect(c.feeds[0]).toMatchObject({ source: "chainlink", maxAgeSec: 3_600 });
    expect(c.feeds[0]?.decimals).toBeUndefined();
    const p = parseSourcesConfig({
      pyth: { file: "h.json", chain: "solana", feeds: [{ id: "ab".repeat(32), feed: "SOL/USD" }] },
      replay: { dir: "../data", date: "2022-06-18", chain: "ethereum" },
    });
    expect(p.pyth).toMatchObject({ source: "pyth", feeds: [{ maxAgeSec: 60 }] });
    expect(p.replay).toMatchObject({ source: "replay", maxAgeSec: 86_400 });
  });

  it.each([
    [
      "unknown chain",
      (c: ReturnType<typeof valid>) => Object.assign(c.chains[0]!, { chain: "fantom" }),
      "$.chains[0].chain",
    ],
    [
      "feed on a chain without RPC",
      (c: ReturnType<typeof valid>) => Object.assign(c.feeds[0]!, { chain: "base" }),
      "$.feeds[0].chain",
    ],
    [
      "bad checksum",
      (c: ReturnType<typeof valid>) =>
        Object.assign(c.feeds[0]!, { address: "0x5F4ec3df9cbd43714fe2740f5e3616155c5b8419" }),
      "$.feeds[0].address",
    ],
    ["feed name", (c: ReturnType<typeof valid>) => Object.assign(c.feeds[0]!, { feed: "ETH-USD" }), "$.feeds[0].feed"],
    [
      "native coin with address",
      (c: ReturnType<typeof valid>) => Object.assign(c.tokens[0]!, { address: A }),
      "$.tokens[0].address",
    ],
    [
      "token without address",
      (c: ReturnType<typeof valid>) => Object.assign(c.tokens[1]!, { address: undefined }),
      "$.tokens[1].address",
    ],
    [
      "unknown token",
      (c: ReturnType<typeof valid>) => Object.assign(c.tokens[1]!, { symbol: "PEPE" }),
      "$.tokens[1].symbol",
    ],
    ["duplicate token", (c: ReturnType<typeof valid>) => c.tokens.push({ ...c.tokens[1]! }), "$.tokens[2].symbol"],
    [
      "inverted bounds",
      (c: ReturnType<typeof valid>) => Object.assign(c.feeds[0]!, { minPriceUsd: "5", maxPriceUsd: "5" }),
      "$.feeds[0].maxPriceUsd",
    ],
    [
      "rpc scheme",
      (c: ReturnType<typeof valid>) => Object.assign(c.chains[0]!, { rpcUrl: "ws://127.0.0.1:8545" }),
      "$.chains[0].rpcUrl",
    ],
    ["unknown key", (c: ReturnType<typeof valid>) => Object.assign(c.chains[0]!, { rpc: "x" }), "$.chains[0]"],
  ])("rejects %s at its JSON path", (_name, mutate, path) => {
    const c = valid();
    mutate(c);
    expect(() => parseSourcesConfig(c)).toThrow(expect.objectContaining({ code: "INVALID_INPUT", path }));
  });

  it("parses the example in docs/oracles.md", () => {
    const doc = readFileSync(fileURLToPath(new URL("../../../docs/oracles.md", import.meta.url)), "utf8");
    const json = /## SourcesConfig[\s\S]*?```json\n([\s\S]*?)```/.exec(doc)?.[1];
    const c = parseSourcesConfig(JSON.parse(json ?? "null"));
    expect(c.chains.map((x) => x.chain)).toEqual(["ethereum", "arbitrum"]);
    expect(c.feeds).toHaveLength(2);
    expect(c.pyth?.feeds[0]?.feed).toBe("SOL/USD");
  });
});
