import { anvilRpc } from "../src/chains/devnet/anvilNode.js";
import { type Devnet, startDevnet } from "../src/chains/devnet/deployDevnet.js";
import { LiveFeed } from "../src/chains/live/liveFeed.js";
import type { SourcesConfigInput } from "../src/oracles/sourcesConfig.js";
import type { Portfolio } from "../src/schema/portfolio.js";
import { type RunningService, startService } from "../src/service/startService.js";
import { startRpcProxy } from "../test/integration/evm/support/rpcProxy.js";
import { type Message, StreamClient } from "../test/integration/service/streamClient.js";
import { emit, summarize } from "./measure.js";

const E8 = 100_000_000n;
const POLL_MS = 50;

/** Nearest-rank percentile. */
function pct(ms: number[], q: number): number {
  const s = [...ms].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}
const round2 = (x: number) => Math.round(x * 100) / 100;
const stats = (ms: number[]) => {
  const s = summarize({ ms, gcMs: 0 });
  return { minMs: round2(s.minMs), medianMs: round2(s.medianMs), p90Ms: round2(s.p90Ms), p99Ms: round2(pct(ms, 0.99)) };
};

function sourcesWith(net: Devnet, edit: (s: SourcesConfigInput) => void = () => {}): SourcesConfigInput {
  const s = structuredClone(net.sources);
  s.accounts = [];
  for (const c of s.chains ?? []) c.pollIntervalMs = POLL_MS;
  edit(s);
  return s;
}

/** An account on arbitrum whose margin moves with ETH: 1 ETH + 5,000 USDC collateral, a short ETH perp. */
function account(i: number): Portfolio {
  return {
    accountId: `acct-${i}`,
    holdings: [
      { chain: "arbitrum", token: "ETH", amount: "1" },
      { chain: "arbitrum", token: "USDC", amount: "5000" },
    ],
    positions: [
      {
        id: "p",
        kind: "perp",
        chain: "arbitrum",
        venue: "gmx",
        underlying: "ETH",
        size: String(-1 - (i % 5)),
        entryPrice: "2000",
      },
    ],
  } as Portfolio;
}

/** Mined round -> WebSocket report, for `n` accounts depending on ETH (grid model, in-memory store). */
async function roundToReport(net: Devnet, n: number, rounds: number): Promise<number[]> {
  const svc: RunningService = await startService({
    port: 0,
    dbFile: ":memory:",
    apiKeys: ["bench-key-0123456789abcdef"],
    live: { sources: sourcesWith(net) as Record<string, unknown>, clockTickMs: 60_000 },
    defaultModel: "grid",
  });
  try {
    for (let i = 0; i < n; i++) await svc.service.putAccount(`acct-${i}`, { portfolio: account(i) }, "start");
    const client = await StreamClient.open(svc.url, "bench-key-0123456789abcdef");
    const watched = `acct-${n - 1}`;
    client.send({ type: "subscribe", accounts: [watched] });
    await client.next((m) => m.type === "report" && m.accountId === watched);
    const out: number[] = [];
    for (let r = 0; r < rounds; r++) {
      client.clear();
      const price = 2_000n + BigInt(r % 2 === 0 ? 50 : -50) + BigInt(r);
      const t0 = performance.now();
      const chain = net.chains[1];
      const hash = await chain.wallet.writeContract({
        address: net.addresses["arbitrum:ETH/USD"]!,
        abi: net.contracts.MockAggregatorV3.abi,
        functionName: "updateAnswer",
        args: [price * E8],
        account: chain.deployer,
        chain: chain.wallet.chain,
        gas: 200_000n,
      });
      const isReport = (m: Message) => m.type === "report" && m.accountId === watched && m.reason === "tick";
      await client.next(isReport, 60_000);
      out.push(performance.now() - t0);
      await chain.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    }
    client.close();
    return out;
  } finally {
    await svc.close();
  }
}

/** Kill the first of two endpoints, post a round at once: time until the feed shows it (vs. the healthy case). */
async function failover(net: Devnet, runs: number): Promise<{ healthy: number[]; failover: number[] }> {
  const proxies = [await startRpcProxy(net.nodes[1].port), await startRpcProxy(net.nodes[1].port)];
  const feed = new LiveFeed(
    sourcesWith(net, (s) => {
      const arb = s.chains!.find((c) => c.chain === "arbitrum")!;
      arb.rpcUrl = proxies[0]!.url;
      arb.rpcUrls = [proxies[1]!.url];
      arb.timeoutMs = 1_000;
    }),
    { backoff: { minMs: 50, maxMs: 1_000 } },
  );
  await feed.readAll();
  feed.start();
  const ethArb = () => feed.quotes().find((q) => q.chain === "arbitrum" && q.feed === "ETH/USD")?.price;
  const seen = async (price: string) => {
    while (ethArb() !== price) await new Promise((r) => setTimeout(r, 2));
  };
  const healthy: number[] = [];
  const failed: number[] = [];
  let p = 3_000;
  try {
    for (let i = 0; i < runs; i++) {
      p++;
      let t0 = performance.now();
      await net.setPrice("arbitrum", "ETH/USD", BigInt(p) * E8);
      await seen(String(p));
      healthy.push(performance.now() - t0);
      p++;
      await proxies[0]!.kill();
      t0 = performance.now();
      await net.setPrice("arbitrum", "ETH/USD", BigInt(p) * E8);
      await seen(String(p));
      failed.push(performance.now() - t0);
      await proxies[0]!.revive();
    }
  } finally {
    await feed.stop();
    await Promise.all(proxies.map((x) => x.kill()));
  }
  return { healthy, failover: failed };
}

/**
 * Live mode: update-to-report latency from a round's transaction (anvil mines it at once) to the WebSocket report,
 * for 1, 100 and 10,000 accounts, and RPC failover time, on two local anvil chains. Reference in the same run: one
 * eth_blockNumber round trip. Shared CPU: figures are noisy.
 */
export async function benchLiveLatency(): Promise<void> {
  const net = await startDevnet({ finalityBlocks: 2 });
  try {
    const rpc: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      await anvilRpc(net.nodes[1].rpcUrl, "eth_blockNumber");
      rpc.push(performance.now() - t0);
    }
    emit({ bench: "live.reference.rpcRoundTrip", ...stats(rpc) });
    for (const [n, rounds] of [
      [1, 40],
      [100, 30],
      [10_000, 15],
    ] as const) {
      const ms = await roundToReport(net, n, rounds);
      emit({ bench: "live.roundToReport", accounts: n, rounds, pollIntervalMs: POLL_MS, model: "grid", ...stats(ms) });
    }
    const f = await failover(net, 8);
    emit({ bench: "live.rpc.healthy", pollIntervalMs: POLL_MS, ...stats(f.healthy) });
    emit({ bench: "live.rpc.failover", pollIntervalMs: POLL_MS, ...stats(f.failover) });
  } finally {
    await net.stop();
  }
}
