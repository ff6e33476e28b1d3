import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testBridgeAbi } from "../../../src/chains/bridge/bridgeAbi.js";
import { BridgeExecutor, type BridgeMove, transferIdOf } from "../../../src/chains/bridge/bridgeExecutor.js";
import { movesOfPlanSteps } from "../../../src/chains/bridge/bridgeMoves.js";
import { BridgeRelayer } from "../../../src/chains/bridge/bridgeRelayer.js";
import { keyValueJournal } from "../../../src/chains/bridge/executionJournal.js";
import { anvilRpc } from "../../../src/chains/devnet/anvilNode.js";
import { type Devnet, startDevnet } from "../../../src/chains/devnet/deployDevnet.js";
import { LiveFeed } from "../../../src/chains/live/liveFeed.js";
import { liveMarketSnapshot } from "../../../src/chains/live/liveSnapshot.js";
import { computeMargin } from "../../../src/margin/computeMargin.js";
import { resolveMarginConfig } from "../../../src/margin/resolveConfig.js";
import type { MarketSnapshot } from "../../../src/schema/marketSnapshot.js";
import { liquidationPlanEngine } from "../../../src/service/liquidationEngines.js";
import { bandStateOf, rebalancePolicySchema } from "../../../src/service/rebalancePolicy.js";
import type { MarginStore } from "../../../src/store/marginStore.js";
import { openSqliteStore } from "../../../src/store/sqliteStore.js";
import { exampleTemplate, followedPortfolio } from "./support/liveAccount.js";

// Executed rebalancing on two anvil chains: a plan's move locks USDC on ethereum, the relayer releases it on
// arbitrum after the bridge delay, and a restart in the middle never sends the lock twice.
const DELAY_SEC = 2;
// cross: one pool per chain, so USDC on ethereum does not back the perp on arbitrum until it is moved there.
const CONFIG = { model: "cross" } as const;

let net: Devnet;
let feed: LiveFeed;
let template: MarketSnapshot;
let dir: string;
const nowSec = () => Math.floor(Date.now() / 1000);

const portfolio = () => followedPortfolio(feed, net.user, "-20");
const snapshot = () => liveMarketSnapshot(template, feed.quotes(), nowSec());
const health = () => computeMargin({ portfolio: portfolio(), market: snapshot(), config: CONFIG }).healthRatio;

async function mine(blocks: number): Promise<void> {
  for (const n of net.nodes) for (let i = 0; i < blocks; i++) await anvilRpc(n.rpcUrl, "evm_mine");
}

beforeAll(async () => {
  net = await startDevnet({ bridgeDelaySec: DELAY_SEC, finalityBlocks: 2 });
  template = exampleTemplate();
  // Only gas money in ETH on ethereum, so that the plan's collateral move is the user's USDC.
  await anvilRpc(net.nodes[0].rpcUrl, "anvil_setBalance", [net.user, `0x${(10n ** 16n).toString(16)}`]);
  await mine(3);
  feed = new LiveFeed(net.sources);
  await feed.readAll();
  dir = mkdtempSync(join(tmpdir(), "xmargin-exec-"));
}, 90_000);

afterAll(async () => {
  await feed?.stop();
  await net?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 20_000);

describe("executed rebalancing on two anvil chains", () => {
  it("locks once despite a crash mid-way, releases after the delay, and the account is back in band", async () => {
    const h0 = health()!;
    const proposal = liquidationPlanEngine.rebalance(portfolio(), snapshot(), resolveMarginConfig(CONFIG), {
      maxLatencySec: 3_600,
      excludeRoutes: [],
    });
    // The USDC move (gas money in ETH stays: the test bridge carries ERC-20 tokens only).
    const moves: BridgeMove[] = movesOfPlanSteps(proposal.steps).filter((m) => m.token === "USDC");
    expect(moves).toHaveLength(1);
    expect(moves[0]).toMatchObject({ token: "USDC", fromChain: "ethereum", toChain: "arbitrum" });
    const hAfter = proposal.after.healthRatio!;
    expect(hAfter).toBeGreaterThan(h0);
    // The band sits between today's health and the plan's: the account is below it now.
    const policy = rebalancePolicySchema.parse({ targetHealth: { min: Math.max(1, (h0 + hAfter) / 2), max: 1e6 } });
    expect(bandStateOf(h0, 1, policy)).toBe("below-band");

    const planId = "plan-7";
    const file = join(dir, "store.db");
    let store: MarginStore = openSqliteStore({ file });
    const crashing = new BridgeExecutor({
      config: feed.config,
      journal: keyValueJournal(store),
      afterSend: (_step, tx) => {
        if (tx.kind === "lock") throw new Error("simulated crash after sending the lock");
      },
    });
    await expect(crashing.execute(planId, net.user, moves)).rejects.toThrow("simulated crash");
    await store.close();

    // Restart: a new store handle and a new executor resume the journal.
    store = openSqliteStore({ file });
    const executor = new BridgeExecutor({ config: feed.config, journal: keyValueJournal(store) });
    const lockedAtMs = Date.now();
    const record = await executor.execute(planId, net.user, moves);
    expect(record.state).toBe("awaiting-release");
    const lockTx = record.steps[0]!.txs.find((t) => t.kind === "lock")!;
    expect(lockTx.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(lockTx.receipt?.status).toBe("success");
    // Running the plan again sends nothing either.
    await executor.execute(planId, net.user, moves);

    const [a, b] = net.chains;
    const locks = await a.publicClient.getContractEvents({
      address: net.addresses["ethereum:bridge"]!,
      abi: testBridgeAbi,
      eventName: "Locked",
      fromBlock: 0n,
    });
    expect(locks.map((l) => l.args.transferId)).toEqual([transferIdOf(planId, 0)]);
    const usdcAbi = net.contracts.TestToken.abi;
    const balance = async (c: typeof a, token: Hex) =>
      (await c.publicClient.readContract({
        address: token,
        abi: usdcAbi,
        functionName: "balanceOf",
        args: [net.user],
      })) as bigint;
    expect(await balance(a, net.addresses["ethereum:USDC"]!)).toBe(50_000_000_000n - moves[0]!.amountRaw);

    // The relayer releases on arbitrum once the delay has passed, not before.
    const relayer = new BridgeRelayer({ config: feed.config, relayer: net.relayer, pollIntervalMs: 100 });
    relayer.start();
    const deadline = Date.now() + 15_000;
    while (relayer.releasedIds.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await relayer.stop();
    expect(relayer.releasedIds).toEqual([transferIdOf(planId, 0)]);
    expect(Date.now() - lockedAtMs).toBeGreaterThanOrEqual((DELAY_SEC - 1) * 1000);
    expect(await balance(b, net.addresses["arbitrum:USDC"]!)).toBe(moves[0]!.amountRaw);
    expect((await executor.refresh(planId))?.state).toBe("completed");

    // Once final on both chains, the followed holdings show the move and health is back in band.
    await mine(3);
    await feed.readAll();
    const h1 = health()!;
    expect(bandStateOf(h1, 1, policy)).toBe("in-band");
    await store.close();
  }, 60_000);
});
