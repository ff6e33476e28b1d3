import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anvilRpc } from "../../../src/chains/devnet/anvilNode.js";
import { type Devnet, startDevnet } from "../../../src/chains/devnet/deployDevnet.js";
import type { ChainStatus } from "../../../src/chains/live/chainFollower.js";
import { LiveFeed, type LiveUpdate } from "../../../src/chains/live/liveFeed.js";
import { liveMarketSnapshot } from "../../../src/chains/live/liveSnapshot.js";
import { computeMargin } from "../../../src/margin/computeMargin.js";
import type { MarginReport } from "../../../src/margin/report.js";
import type { SourcesConfigInput } from "../../../src/oracles/sourcesConfig.js";
import type { MarketSnapshot } from "../../../src/schema/marketSnapshot.js";
import { exampleTemplate, followedPortfolio } from "./support/liveAccount.js";
import { type RpcProxy, startRpcProxy } from "./support/rpcProxy.js";

// Live mode on two real anvil chains: new rounds, a reorg, a dead RPC with failover and recovery.
const E8 = 100_000_000n;
const XCHAIN = { model: "xchain", simulation: { paths: 2_000 } } as const;
/** arbitrum's ETH/USD heartbeat in this suite: short, so that a dead RPC makes it stale within the test. */
const SHORT_HEARTBEAT_SEC = 3;

let net: Devnet;
let feed: LiveFeed;
let proxies: RpcProxy[];
let template: MarketSnapshot;
const updates: LiveUpdate[] = [];
const statuses: ChainStatus[] = [];
const nowSec = () => Math.floor(Date.now() / 1000);

/** The followed user: on-chain ETH and USDC (live), plus a static 3 ETH short perp on arbitrum entered at 2000. */
const portfolio = () => followedPortfolio(feed, net.user, "-3");

function marginNow(): MarginReport {
  const market = liveMarketSnapshot(template, feed.quotes(), nowSec());
  return computeMargin({ portfolio: portfolio(), market, config: XCHAIN });
}

const oracleUsd = (r: MarginReport) => r.components.find((c) => c.name === "oracle uncertainty")?.initialMarginUsd ?? 0;
/** A stale flag about ETH/USD itself (the template's other feeds are old and flagged too). */
const ethStale = (r: MarginReport, severity?: string) =>
  r.flags.some(
    (f) => f.code === "ORACLE_STALE" && /^ETH\/USD/.test(f.message) && (!severity || f.severity === severity),
  );

/** Waits until an update satisfies `pred` (polling the recorded list), at most `ms`. */
async function until<T>(pred: () => T | undefined, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = pred();
    if (v) return v;
    if (Date.now() > deadline) throw new Error("timed out waiting for the live feed");
    await new Promise((r) => setTimeout(r, 20));
  }
}

const usdcA = () => feed.holdingsOf(net.user).find((h) => h.chain === "ethereum" && h.token === "USDC")?.amountRaw;
const ethQuote = (chain: string) => feed.quotes().find((q) => q.chain === chain && q.feed === "ETH/USD")?.price;

beforeAll(async () => {
  net = await startDevnet({ bridgeDelaySec: 2, finalityBlocks: 2, pollIntervalMs: 50 });
  template = exampleTemplate();
  // arbitrum is reached through two killable proxies: the first endpoint and a failover endpoint.
  proxies = [await startRpcProxy(net.nodes[1].port), await startRpcProxy(net.nodes[1].port)];
  const sources = structuredClone(net.sources) as SourcesConfigInput & Required<Pick<SourcesConfigInput, "chains">>;
  const arb = sources.chains.find((c) => c.chain === "arbitrum")!;
  arb.rpcUrl = proxies[0]!.url;
  arb.rpcUrls = [proxies[1]!.url];
  arb.timeoutMs = 500;
  for (const f of sources.feeds ?? [])
    if (f.chain === "arbitrum" && f.feed === "ETH/USD") f.maxAgeSec = SHORT_HEARTBEAT_SEC;
  // Past the finality depth, so the deployment's mints are final before the first read.
  for (const n of net.nodes) for (let i = 0; i < 3; i++) await anvilRpc(n.rpcUrl, "evm_mine");
  feed = new LiveFeed(sources, { backoff: { minMs: 50, maxMs: 400 } });
  feed.onUpdate((u) => updates.push(u));
  feed.onStatus((s) => statuses.push(s));
  await feed.readAll();
  feed.start();
}, 90_000);

afterAll(async () => {
  await feed?.stop();
  await Promise.all((proxies ?? []).map((p) => p.kill()));
  await net?.stop();
}, 20_000);

describe("live mode on two anvil chains", () => {
  it("reads every feed and the user's final-safe USDC on both chains at start", () => {
    expect(
      feed
        .quotes()
        .map((q) => `${q.chain} ${q.feed} ${q.price}`)
        .sort(),
    ).toEqual(["arbitrum ETH/USD 2000", "arbitrum USDC/USD 1", "ethereum ETH/USD 2000", "ethereum USDC/USD 1"]);
    expect(feed.holdingsOf(net.user)).toEqual([
      { chain: "ethereum", token: "ETH", amountRaw: "1000000000000000000" },
      { chain: "ethereum", token: "USDC", amountRaw: "50000000000" },
      { chain: "arbitrum", token: "ETH", amountRaw: "1000000000000000000" },
    ]);
  });

  it("a new round on both chains re-margins: equity moves by exactly the perp's P&L", async () => {
    const before = marginNow();
    const mark = updates.length;
    await Promise.all([
      net.setPrice("ethereum", "ETH/USD", 2_100n * E8),
      net.setPrice("arbitrum", "ETH/USD", 2_100n * E8),
    ]);
    await until(() => ethQuote("ethereum") === "2100" && ethQuote("arbitrum") === "2100");
    const seen = updates.slice(mark).filter((u) => u.changedFeeds.includes("ETH/USD"));
    expect(seen.map((u) => u.origin.split("@")[0]).sort()).toEqual(["arbitrum", "ethereum"]);
    // Not final yet (finality 2 blocks): flagged provisional.
    expect(seen.every((u) => u.flags.some((f) => f.code === "CHAIN_PROVISIONAL"))).toBe(true);
    const after = marginNow();
    // 1 ETH held on each chain, 3 ETH short: net -1 ETH, so a 100 USD rise costs 100 USD of equity.
    expect(after.equityUsd - before.equityUsd).toBeCloseTo(-100, 6);
  });

  it("a reorg that removes a round reverts the price and is flagged", async () => {
    const snap = (await anvilRpc(net.nodes[0].rpcUrl, "evm_snapshot")) as string;
    await net.setPrice("ethereum", "ETH/USD", 2_500n * E8);
    await until(() => ethQuote("ethereum") === "2500");
    const mark = updates.length;
    await anvilRpc(net.nodes[0].rpcUrl, "evm_revert", [snap]);
    for (let i = 0; i < 3; i++) await anvilRpc(net.nodes[0].rpcUrl, "evm_mine");
    const reorg = await until(() => updates.slice(mark).find((u) => u.reorg));
    expect(reorg.reorg?.chain).toBe("ethereum");
    expect(reorg.reorg?.depth).toBeGreaterThanOrEqual(1);
    expect(reorg.reorg?.reverted).toContain("ETH/USD");
    expect(reorg.flags.find((f) => f.code === "CHAIN_REORG")?.message).toContain("reverted: ETH/USD");
    expect(ethQuote("ethereum")).toBe("2100");
  });

  it("a transfer counts only once final, an outgoing one at once; a reorg that removes a transfer reverts it", async () => {
    const usdc = net.addresses["ethereum:USDC"]!;
    const abi = net.contracts.TestToken.abi;
    const a = net.chains[0];
    // Incoming 1,000 USDC: provisional for 2 blocks, not counted until then.
    await a.wallet.writeContract({
      address: usdc,
      abi,
      functionName: "mint",
      args: [net.user, 1_000n * 10n ** 6n],
      account: a.deployer,
      chain: a.wallet.chain,
      gas: 200_000n,
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(usdcA()).toBe("50000000000");
    for (let i = 0; i < 2; i++) await anvilRpc(net.nodes[0].rpcUrl, "evm_mine");
    await until(() => usdcA() === "51000000000");
    // Outgoing 500 USDC: counted at once (the smaller of head and final).
    const sendOut = (units: bigint) =>
      a.wallet.writeContract({
        address: usdc,
        abi,
        functionName: "transfer",
        args: [a.deployer, units * 10n ** 6n],
        account: net.user,
        chain: a.wallet.chain,
        gas: 200_000n,
      });
    await sendOut(500n);
    await until(() => usdcA() === "50500000000");
    // A reorg removes an outgoing transfer: the balance is back and the update names the account as reverted.
    const snap = (await anvilRpc(net.nodes[0].rpcUrl, "evm_snapshot")) as string;
    await sendOut(100n);
    await until(() => usdcA() === "50400000000");
    const mark = updates.length;
    await anvilRpc(net.nodes[0].rpcUrl, "evm_revert", [snap]);
    for (let i = 0; i < 3; i++) await anvilRpc(net.nodes[0].rpcUrl, "evm_mine");
    const reorg = await until(() => updates.slice(mark).find((u) => u.reorg));
    expect(reorg.reorg?.reverted).toContain(`holdings of ${net.user}`);
    expect(usdcA()).toBe("50500000000");
  });

  it("a dead RPC fails over, then with every endpoint dead the feed goes stale and margin rises; recovery restores it", async () => {
    await net.setPrice("arbitrum", "ETH/USD", 2_100n * E8);
    await until(() =>
      updates.some(
        (u) =>
          u.origin.startsWith("arbitrum") && u.changedFeeds.includes("ETH/USD") && Date.now() - u.receivedAtMs < 2_000,
      ),
    );
    const baseline = marginNow();
    expect(ethStale(baseline)).toBe(false);

    // First endpoint dies: the follower fails over to the second and still sees new rounds.
    await proxies[0]!.kill();
    const killedAt = Date.now();
    await net.setPrice("arbitrum", "ETH/USD", 2_105n * E8);
    await until(() => (ethQuote("arbitrum") === "2105" ? true : undefined));
    const failoverMs = Date.now() - killedAt;
    expect(failoverMs).toBeLessThan(5_000);

    // Every endpoint dead: status down, and once the heartbeat passes the arbitrum feed is stale.
    await proxies[1]!.kill();
    await until(() => statuses.find((s) => s.chain === "arbitrum" && s.state === "down"));
    await new Promise((r) => setTimeout(r, (SHORT_HEARTBEAT_SEC + 1.2) * 1000));
    const stale = marginNow();
    // ETH/USD on arbitrum is stale (ignored beside ethereum's fresh copy: flagged) and its positions pay the add-on.
    expect(ethStale(stale)).toBe(true);
    expect(oracleUsd(stale)).toBeGreaterThan(oracleUsd(baseline));
    expect(stale.initialMarginUsd).toBeGreaterThan(baseline.initialMarginUsd);

    // Keeper posts a round meanwhile; the RPC comes back; the follower recovers by itself (backoff) and reads it.
    await net.setPrice("arbitrum", "ETH/USD", 2_100n * E8);
    await Promise.all(proxies.map((p) => p.revive()));
    await until(() =>
      statuses.filter((s) => s.chain === "arbitrum").at(-1)?.state === "up" && ethQuote("arbitrum") === "2100"
        ? true
        : undefined,
    );
    const recovered = marginNow();
    expect(ethStale(recovered)).toBe(false);
    expect(oracleUsd(recovered)).toBeCloseTo(oracleUsd(baseline), 6);
  }, 30_000);

  it("the same feed diverging on two chains raises the divergence add-on live", async () => {
    const base = marginNow();
    await net.setPrice("arbitrum", "ETH/USD", 2_205n * E8);
    await until(() => (ethQuote("arbitrum") === "2205" ? true : undefined));
    const diverged = marginNow();
    expect(diverged.flags.some((f) => f.code === "ORACLE_DIVERGENT" && f.message.includes("chains diverge"))).toBe(
      true,
    );
    expect(oracleUsd(diverged)).toBeGreaterThan(oracleUsd(base));
    await net.setPrice("arbitrum", "ETH/USD", 2_100n * E8);
    await until(() => (ethQuote("arbitrum") === "2100" ? true : undefined));
  });
});
