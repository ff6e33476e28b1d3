import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BridgeRelayer } from "../../../src/chains/bridge/bridgeRelayer.js";
import { anvilRpc } from "../../../src/chains/devnet/anvilNode.js";
import { type Devnet, startDevnet } from "../../../src/chains/devnet/deployDevnet.js";
import { parseSourcesConfig } from "../../../src/oracles/sourcesConfig.js";
import { type RunningService, startService } from "../../../src/service/startService.js";
import { type Message, StreamClient } from "../service/streamClient.js";

// `xmargin serve --sources`: the service follows two anvil chains, pushes reports over the WebSocket when a round is
// mined, and executes a rebalancing plan on chain (automatic mode), idempotently across a restart.
const E8 = 100_000_000n;
const KEY = "live-test-key-0123456789";

let net: Devnet;
let dir: string;
let svc: RunningService;
let relayer: BridgeRelayer;

async function mine(blocks: number): Promise<void> {
  for (const n of net.nodes) for (let i = 0; i < blocks; i++) await anvilRpc(n.rpcUrl, "evm_mine");
}

function start(): Promise<RunningService> {
  const sources = { ...net.sources, chains: net.sources.chains!.map((c) => ({ ...c, pollIntervalMs: 50 })) };
  return startService({
    port: 0,
    dbFile: join(dir, "store.db"),
    apiKeys: [KEY],
    live: { sources: sources as Record<string, unknown>, clockTickMs: 60_000, execution: "automatic" },
  });
}

const reportOf = (m: Message) => m.report as { equity: string; healthRatio: string | null };

beforeAll(async () => {
  net = await startDevnet({ bridgeDelaySec: 2, finalityBlocks: 2 });
  await anvilRpc(net.nodes[0].rpcUrl, "anvil_setBalance", [net.user, `0x${(10n ** 16n).toString(16)}`]);
  await mine(3);
  dir = mkdtempSync(join(tmpdir(), "xmargin-live-svc-"));
  svc = await start();
  relayer = new BridgeRelayer({ config: parseSourcesConfig(net.sources), relayer: net.relayer, pollIntervalMs: 100 });
}, 90_000);

afterAll(async () => {
  await relayer?.stop();
  await svc?.close();
  await net?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 20_000);

describe("serve --sources: live chains in the service", () => {
  it("examples/sources-local.json names the contracts `xmargin devnet` deploys (same addresses, ports 8545/8546)", () => {
    const example = JSON.parse(readFileSync("examples/sources-local.json", "utf8")) as typeof net.sources;
    const strip = (s: typeof net.sources) => ({
      feeds: s.feeds,
      tokens: s.tokens,
      bridges: s.bridges,
      accounts: s.accounts,
      chains: s.chains?.map((c) => [c.chain, c.evmChainId, c.multicall3]),
    });
    expect(strip(example)).toEqual(strip(net.sources));
    expect(example.chains?.map((c) => c.rpcUrl)).toEqual(["http://127.0.0.1:8545", "http://127.0.0.1:8546"]);
  });

  it("registers the followed account and pushes its report when a round is mined", async () => {
    const acc = svc.service.getAccount(net.user);
    expect(acc.portfolio.holdings.map((h) => `${h.chain}:${h.token}`).sort()).toEqual([
      "arbitrum:ETH",
      "ethereum:ETH",
      "ethereum:USDC",
    ]);
    const client = await StreamClient.open(svc.url, KEY);
    client.send({ type: "subscribe", accounts: [net.user] });
    await client.next((m) => m.type === "report" && m.accountId === net.user);
    client.clear();
    const before = Number(svc.service.getAccount(net.user).reportJson!.equity);
    const sent = Date.now();
    await net.setPrice("ethereum", "ETH/USD", 2_200n * E8);
    // 0.01 ETH held on ethereum, valued at ethereum's own feed: +200 x 0.01.
    const first = await client.next(
      (m) => m.type === "report" && m.accountId === net.user && Number(reportOf(m).equity) !== before,
    );
    const latencyMs = Date.now() - sent;
    expect(Number(reportOf(first).equity) - before).toBeCloseTo(0.01 * 200, 6);
    // Then arbitrum's round: its 1 ETH moves too, 1.01 ETH x 200 in all.
    await net.setPrice("arbitrum", "ETH/USD", 2_200n * E8);
    const both = await client.next(
      (m) =>
        m.type === "report" && m.accountId === net.user && Math.abs(Number(reportOf(m).equity) - before - 202) < 1e-6,
    );
    expect(both.type).toBe("report");
    expect(latencyMs).toBeLessThan(3_000);
    client.close();
  });

  it("a round re-margins only the accounts that depend on its feed; a reorg is announced on the stream", async () => {
    // A BTC-only account does not depend on ETH/USD.
    await svc.service.putAccount("btc-only", {
      portfolio: {
        accountId: "btc-only",
        holdings: [{ chain: "ethereum", token: "WBTC", amount: "1" }],
        positions: [],
      },
    });
    const client = await StreamClient.open(svc.url, KEY);
    const snap = (await anvilRpc(net.nodes[1].rpcUrl, "evm_snapshot")) as string;
    await net.setPrice("arbitrum", "ETH/USD", 2_300n * E8);
    const tick = await client.next((m) => m.type === "tick" && String(m.source).startsWith("live arbitrum@"));
    expect(tick.clockMoved).toBe(false);
    expect(tick.changed).toContain("ETH");
    expect(tick.recomputed).toContain(net.user);
    expect(tick.recomputed).not.toContain("btc-only");
    // The round is removed by a reorg on arbitrum: announced, and the price is back.
    await anvilRpc(net.nodes[1].rpcUrl, "evm_revert", [snap]);
    for (let i = 0; i < 3; i++) await anvilRpc(net.nodes[1].rpcUrl, "evm_mine");
    const reorg = await client.next((m) => m.type === "chain" && m.reorg !== undefined);
    expect(reorg.reorg).toMatchObject({ chain: "arbitrum", reverted: ["ETH/USD"] });
    expect((reorg.flags as Array<{ code: string }>).map((f) => f.code)).toContain("CHAIN_REORG");
    const arb = () => svc.live!.feed.quotes().find((q) => q.chain === "arbitrum" && q.feed === "ETH/USD")?.price;
    expect(arb()).toBe("2200");
    client.close();
  });

  it("executes a rebalancing plan on chain (automatic), never twice across a restart, and the band is restored after the bridge delay", async () => {
    const call = (path: string, init?: { method: string; body?: unknown }) =>
      fetch(`${svc.url}${path}`, {
        method: init?.method ?? "GET",
        headers: { "content-type": "application/json", "x-api-key": KEY },
        ...(init?.body ? { body: JSON.stringify(init.body) } : {}),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
    const client = await StreamClient.open(svc.url, KEY);
    client.send({ type: "subscribe", accounts: [net.user] });
    const acc = svc.service.getAccount(net.user);
    const put = await call(`/v1/accounts/${net.user}`, {
      method: "PUT",
      body: {
        portfolio: {
          ...acc.portfolio,
          positions: [
            {
              id: "eth-short",
              kind: "perp",
              chain: "arbitrum",
              venue: "gmx",
              underlying: "ETH",
              size: "-20",
              entryPrice: "2200",
            },
          ],
        },
        // cross: the USDC on ethereum does not back the perp on arbitrum until it is moved there.
        config: { model: "cross" },
        policy: { targetHealth: { min: 3, max: 1000000 }, dryRun: false },
      },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const executed = await client.next(
      (m) => m.type === "execution" && (m.execution as { state: string }).state === "awaiting-release",
      20_000,
    );
    const planId = executed.planId as number;
    const execution = executed.execution as { steps: Array<{ token: string; txs: Array<{ kind: string }> }> };
    expect(execution.steps.map((s) => s.token)).toContain("USDC");
    const usdcStep = execution.steps.find((s) => s.token === "USDC")!;
    expect(usdcStep.txs.map((t) => t.kind)).toEqual(["approve", "lock"]);
    client.close();

    // Restart mid-way (locked, not released yet): the plan is not sent again, also when an operator approves it.
    await svc.close();
    svc = await start();
    const again = await call(`/v1/accounts/${net.user}/plans/${planId}/approve`, { method: "POST", body: {} });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    const locks = await net.chains[0].publicClient.getContractEvents({
      address: net.addresses["ethereum:bridge"]!,
      abi: (await import("../../../src/chains/bridge/bridgeAbi.js")).testBridgeAbi,
      eventName: "Locked",
      fromBlock: 0n,
    });
    expect(locks).toHaveLength(1);

    // The relayer releases after the delay; once final on arbitrum the account is back in its band.
    relayer.start();
    const deadline = Date.now() + 20_000;
    let health = 0;
    while (Date.now() < deadline) {
      await mine(1);
      await new Promise((r) => setTimeout(r, 200));
      health = Number(svc.service.getAccount(net.user).reportJson?.healthRatio ?? 0);
      if (health >= 3) break;
    }
    expect(health).toBeGreaterThanOrEqual(3);
    expect(relayer.releasedIds).toHaveLength(1);
  }, 60_000);
});
