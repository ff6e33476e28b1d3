import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HermesServer, startHermesServer } from "../../../src/chains/devnet/hermesServer.js";
import { LiveFeed, type LiveUpdate } from "../../../src/chains/live/liveFeed.js";

// Pyth over Server-Sent Events from a local Hermes-compatible server: prices, a malformed event, a dropped server.
const SOL_ID = "ef0d8b6fda2ceba41da15d4095d1da392a0d2f8ed0c6c7bc0f4cfac8c280b56d";
const ETH_ID = "ff61491a931112ddf1bd8147cd1b641375f79f5825126d665480874634fd0ace";

let hermes: HermesServer;
let feed: LiveFeed;
const updates: LiveUpdate[] = [];
const nowSec = () => Math.floor(Date.now() / 1000);

async function until<T>(pred: () => T | undefined, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = pred();
    if (v) return v;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}
const solQuote = () => feed.quotes().find((q) => q.feed === "SOL/USD");

beforeAll(async () => {
  hermes = await startHermesServer();
  feed = new LiveFeed(
    {
      hermes: {
        url: hermes.url,
        chain: "solana",
        feeds: [
          { id: `0x${SOL_ID}`, feed: "SOL/USD", maxAgeSec: 60 },
          { id: ETH_ID, feed: "ETH/USD" },
        ],
      },
    },
    { backoff: { minMs: 50, maxMs: 200 } },
  );
  feed.onUpdate((u) => updates.push(u));
  feed.start();
  await until(() => hermes.connections() === 1 || undefined);
});

afterAll(async () => {
  await feed?.stop();
  await hermes?.close();
});

describe("Pyth prices streamed over SSE", () => {
  it("turns each event into exact quotes with their confidence and publish time", async () => {
    const t = nowSec();
    hermes.publish([{ id: SOL_ID, price: "14523456789", conf: "1234567", expo: -8, publishTime: t }]);
    await until(() => solQuote());
    expect(solQuote()).toEqual({
      source: "pyth",
      chain: "solana",
      feed: "SOL/USD",
      price: "145.23456789",
      confidence: "0.01234567",
      publishedAt: new Date(t * 1000).toISOString(),
      maxAgeSec: "60",
    });
    // An event with only ETH leaves SOL as it was (not missing).
    hermes.publish([{ id: ETH_ID, price: "300012345", conf: "100000", expo: -5, publishTime: t }]);
    await until(() => feed.quotes().find((q) => q.feed === "ETH/USD"));
    expect(feed.quotes().find((q) => q.feed === "ETH/USD")?.price).toBe("3000.12345");
    expect(solQuote()?.price).toBe("145.23456789");
    expect(updates.every((u) => u.flags.length === 0)).toBe(true);
  });

  it("a malformed event or a non-positive price is a failure flag, never a price", async () => {
    const mark = updates.length;
    hermes.sendRaw("{not json");
    hermes.publish([{ id: SOL_ID, price: "-5", conf: "1", expo: -8, publishTime: nowSec() }]);
    await until(() => (updates.slice(mark).filter((u) => u.flags.length > 0).length >= 2 ? true : undefined));
    const flags = updates.slice(mark).flatMap((u) => u.flags.map((f) => `${f.code} ${f.message}`));
    expect(flags.some((f) => f.includes("BAD_RESPONSE"))).toBe(true);
    expect(flags.some((f) => f.includes("NON_POSITIVE_PRICE"))).toBe(true);
    expect(solQuote()?.price).toBe("145.23456789");
  });

  it("a dropped server is flagged and the stream reconnects by itself", async () => {
    const mark = updates.length;
    await hermes.kill();
    await until(() => updates.slice(mark).find((u) => u.flags.some((f) => f.code === "CHAIN_RPC_DOWN")));
    await hermes.revive();
    await until(() => hermes.connections() === 1 || undefined);
    hermes.publish([{ id: SOL_ID, price: "15000000000", conf: "1000000", expo: -8, publishTime: nowSec() }]);
    await until(() => (solQuote()?.price === "150" ? true : undefined));
  });
});
