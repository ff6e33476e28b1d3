import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseHermesQuotes, readHermesFile } from "../../../../src/oracles/sources/pythHermes.js";
import { type PythSource, pythSourceSchema } from "../../../../src/oracles/sourcesConfig.js";

const NOW = 1_700_000_000;
const SOL = "ef0d8b6fda2ceba41da15d4095d1da392a0d2f8ed0c6c7bc0f4cfac8c280b56d";
const ETH = "ff61491a931112ddf1bd8147cd1b641375f79f5825126d665480874634fd0ace";
const config: PythSource = pythSourceSchema.parse({
  file: "hermes.json",
  chain: "solana",
  feeds: [
    { id: `0x${SOL}`, feed: "SOL/USD" },
    { id: ETH.toUpperCase(), feed: "ETH/USD", maxAgeSec: 120 },
  ],
});
const entry = (id: string, price: string, conf: string, expo: number, publishTime: number) => ({
  id,
  price: { price, conf, expo, publish_time: publishTime },
  ema_price: { price, conf, expo, publish_time: publishTime },
  metadata: { slot: 1, proof_available_time: publishTime, prev_publish_time: publishTime - 1 },
});

describe("parseHermesQuotes", () => {
  it("reads the v2 `parsed` response: price and conf scaled by 10^expo exactly, publish_time as publishedAt", () => {
    const response = {
      binary: { encoding: "hex", data: ["504e4155"] },
      parsed: [entry(SOL, "6412345678", "1234567", -8, NOW - 5), entry(ETH, "200012345678", "99000000", -8, NOW - 2)],
    };
    const r = parseHermesQuotes(response, config, NOW);
    expect(r.failures).toEqual([]);
    expect(
      r.quotes.map((q) => [q.quote.feed, q.quote.price, q.quote.confidence, q.quote.publishedAt, q.maxAgeSec]),
    ).toEqual([
      ["SOL/USD", "64.12345678", "0.01234567", "2023-11-14T22:13:15.000Z", 60],
      ["ETH/USD", "2000.12345678", "0.99", "2023-11-14T22:13:18.000Z", 120],
    ]);
    expect(r.quotes[0]?.quote).toMatchObject({ source: "pyth", chain: "solana" });
  });

  it("reads the legacy array response and a positive exponent", () => {
    const r = parseHermesQuotes([entry(SOL, "64", "1", 0, NOW), entry(ETH, "2", "0", 3, NOW)], config, NOW);
    expect(r.quotes.map((q) => `${q.quote.price}±${q.quote.confidence}`)).toEqual(["64±1", "2000±0"]);
  });

  it("gives a failure, never a price, for a missing id, a price <= 0, a negative conf, a malformed entry or the future", () => {
    const cases: [unknown, string][] = [
      [{ parsed: [entry(ETH, "1", "0", -8, NOW)] }, "NOT_FOUND"],
      [{ parsed: [entry(SOL, "0", "0", -8, NOW)] }, "NON_POSITIVE_PRICE"],
      [{ parsed: [entry(SOL, "-6412345678", "0", -8, NOW)] }, "NON_POSITIVE_PRICE"],
      [{ parsed: [entry(SOL, "64", "-1", -8, NOW)] }, "BAD_RESPONSE"],
      [{ parsed: [{ id: SOL, price: { price: "64", expo: -8 } }] }, "BAD_RESPONSE"],
      [{ parsed: [entry(SOL, "64", "1", -8, NOW + 61)] }, "FUTURE_TIMESTAMP"],
    ];
    for (const [response, reason] of cases) {
      const r = parseHermesQuotes(response, config, NOW);
      expect(
        r.quotes.filter((q) => q.quote.feed === "SOL/USD"),
        reason,
      ).toEqual([]);
      expect(
        r.failures.find((f) => f.feed === "SOL/USD"),
        reason,
      ).toMatchObject({ reason, path: "$.pyth.feeds[0]" });
    }
    const junk = parseHermesQuotes({ hello: 1 }, config, NOW);
    expect(junk.failures.map((f) => f.reason)).toEqual(["BAD_RESPONSE", "BAD_RESPONSE"]);
  });

  it("reads a saved file; an unreadable file or bad JSON fails every feed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "xmargin-hermes-"));
    writeFileSync(join(dir, "ok.json"), JSON.stringify({ parsed: [entry(SOL, "150", "1", -1, NOW)] }));
    writeFileSync(join(dir, "bad.json"), "{ not json");
    const r = await readHermesFile(join(dir, "ok.json"), config, NOW);
    expect(r.quotes.map((q) => q.quote.price)).toEqual(["15"]);
    expect(r.failures.map((f) => `${f.feed} ${f.reason}`)).toEqual(["ETH/USD NOT_FOUND"]);
    expect((await readHermesFile(join(dir, "bad.json"), config, NOW)).failures).toHaveLength(2);
    expect((await readHermesFile(join(dir, "missing.json"), config, NOW)).failures[0]?.message).toContain("ENOENT");
  });
});
