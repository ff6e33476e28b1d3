import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getAddress, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AnvilNode, anvilRpc, freePort, startAnvil } from "../../../src/chains/devnet/anvilNode.js";
import { chainTimeSec, connect, deploy, fund, send, type TestChain } from "../../../src/chains/devnet/devChain.js";
import { type CompiledContract, compileContracts } from "../../../src/chains/devnet/testContracts.js";
import { readAccountBalances, readAccountPortfolio } from "../../../src/chains/readAccountPortfolio.js";
import { accountMarginCommand } from "../../../src/cli/commands/accountMarginCommand.js";
import { snapshotCommand } from "../../../src/cli/commands/snapshotCommand.js";
import { XmarginError } from "../../../src/core/errors.js";
import { computeMargin } from "../../../src/margin/computeMargin.js";
import type { MarginReport } from "../../../src/margin/report.js";
import { xchainDefaults } from "../../../src/margin/xchain/config.js";
import { buildSnapshot } from "../../../src/oracles/buildSnapshot.js";
import type { SourcesConfigInput } from "../../../src/oracles/sourcesConfig.js";
import { marketSnapshotSchema } from "../../../src/schema/marketSnapshot.js";
import type { Portfolio } from "../../../src/schema/portfolio.js";

// Two real anvil nodes: A plays "ethereum" (with a Multicall3), B plays "arbitrum" (no Multicall3: plain eth_calls).
const CHAIN_ID_A = 31_401;
const CHAIN_ID_B = 31_402;
const ACCOUNT: Hex = "0x00000000000000000000000000000000000beef1";
/** EIP-55 checksum of ACCOUNT. */
const ACCOUNT_CHECKSUM = getAddress(ACCOUNT);
const E8 = 100_000_000n;
const XCHAIN = { model: "xchain", simulation: { paths: 2_000 } } as const;

let contracts: Record<"TestToken" | "MockAggregatorV3" | "Multicall3", CompiledContract>;
let nodes: AnvilNode[] = [];
let a: TestChain;
let b: TestChain;
const addr: Record<string, Hex> = {};
let tmp: string;

const feedAbi = () => contracts.MockAggregatorV3.abi;
const nowSec = () => Math.floor(Date.now() / 1000);

function baseConfig(): SourcesConfigInput {
  return {
    chains: [
      {
        chain: "ethereum",
        rpcUrl: a.node.rpcUrl,
        evmChainId: CHAIN_ID_A,
        multicall3: addr.multicallA,
        timeoutMs: 5_000,
      },
      { chain: "arbitrum", rpcUrl: b.node.rpcUrl, evmChainId: CHAIN_ID_B, timeoutMs: 5_000 },
    ],
    feeds: [
      { chain: "ethereum", feed: "ETH/USD", address: addr.ethUsdA!, decimals: 8, maxAgeSec: 3_600 },
      { chain: "ethereum", feed: "BTC/USD", address: addr.btcUsdA!, decimals: 8, maxAgeSec: 3_600 },
      { chain: "ethereum", feed: "USDC/USD", address: addr.usdcUsdA!, decimals: 8, maxAgeSec: 86_400 },
      { chain: "arbitrum", feed: "ETH/USD", address: addr.ethUsdB!, decimals: 8, maxAgeSec: 3_600 },
    ],
    tokens: [
      { chain: "ethereum", symbol: "ETH" },
      { chain: "ethereum", symbol: "USDC", address: addr.usdcA! },
      { chain: "ethereum", symbol: "WETH", address: addr.wethA! },
      { chain: "arbitrum", symbol: "ETH" },
      { chain: "arbitrum", symbol: "USDC", address: addr.usdcB! },
      { chain: "arbitrum", symbol: "WBTC", address: addr.wbtcB! },
    ],
  };
}

const component = (r: MarginReport, name: string) => r.components.find((c) => c.name === name)?.initialMarginUsd ?? 0;

async function marginNow(portfolio: Portfolio, config = baseConfig()) {
  const built = await buildSnapshot(config, nowSec());
  return { built, report: computeMargin({ portfolio, market: built.snapshot, config: XCHAIN }) };
}

beforeAll(async () => {
  contracts = compileContracts();
  nodes = await Promise.all([startAnvil(CHAIN_ID_A), startAnvil(CHAIN_ID_B)]);
  [a, b] = (await Promise.all(nodes.map(connect))) as [TestChain, TestChain];
  const token = (c: TestChain, symbol: string, decimals: number) =>
    deploy(c, contracts.TestToken, [`Test ${symbol}`, symbol, decimals]);
  const feed = (c: TestChain, description: string, answer: bigint) =>
    deploy(c, contracts.MockAggregatorV3, [8, description, answer]);
  // Sequential per chain (one deployer nonce), both chains in parallel.
  await Promise.all([
    (async () => {
      addr.multicallA = await deploy(a, contracts.Multicall3);
      addr.usdcA = await token(a, "USDC", 6);
      addr.wethA = await token(a, "WETH", 18);
      addr.ethUsdA = await feed(a, "ETH / USD", 2_000n * E8);
      addr.btcUsdA = await feed(a, "BTC / USD", 40_000n * E8);
      addr.usdcUsdA = await feed(a, "USDC / USD", E8);
      addr.badA = await feed(a, "BAD / USD", 10n * E8);
      addr.usdc18A = await token(a, "USDC", 18);
      await send(a, addr.usdcA, contracts.TestToken.abi, "mint", [ACCOUNT, 50_000n * 10n ** 6n]);
      await send(a, addr.wethA, contracts.TestToken.abi, "mint", [ACCOUNT, 10n * 10n ** 18n]);
      await fund(a, ACCOUNT, 5n * 10n ** 18n);
    })(),
    (async () => {
      addr.usdcB = await token(b, "USDC", 6);
      addr.wbtcB = await token(b, "WBTC", 8);
      addr.ethUsdB = await feed(b, "ETH / USD", 2_000n * E8);
      addr.badB = await feed(b, "BAD / USD", 10n * E8);
      await send(b, addr.usdcB, contracts.TestToken.abi, "mint", [ACCOUNT, 25_000n * 10n ** 6n]);
      await send(b, addr.wbtcB, contracts.TestToken.abi, "mint", [ACCOUNT, 1n * E8]);
      await fund(b, ACCOUNT, 2n * 10n ** 18n);
    })(),
  ]);
  tmp = mkdtempSync(join(tmpdir(), "xmargin-evm-"));
}, 60_000);

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}, 20_000);

describe("chain readers over two anvil nodes", () => {
  it("reads ERC-20 and native balances on both chains, in base units, at one block per chain", async () => {
    const balances = await readAccountBalances(baseConfig(), ACCOUNT);
    expect(balances.failures).toEqual([]);
    expect(balances.account).toBe(ACCOUNT_CHECKSUM);
    expect(Object.keys(balances.blocks).sort()).toEqual(["arbitrum", "ethereum"]);
    const byKey = Object.fromEntries(balances.holdings.map((h) => [`${h.chain}:${h.token}`, h.amountRaw]));
    expect(byKey).toEqual({
      "ethereum:ETH": "5000000000000000000",
      "ethereum:USDC": "50000000000",
      "ethereum:WETH": "10000000000000000000",
      "arbitrum:ETH": "2000000000000000000",
      "arbitrum:USDC": "25000000000",
      "arbitrum:WBTC": "100000000",
    });
  });

  it("reads every feed on both chains (Multicall3 on A, plain calls on B) with exact prices and round times", async () => {
    const t0 = nowSec();
    const built = await buildSnapshot(baseConfig(), t0);
    expect(built.failures).toEqual([]);
    const quotes = built.snapshot.quotes.map((q) => `${q.chain} ${q.feed} ${q.price}`).sort();
    expect(quotes).toEqual([
      "arbitrum ETH/USD 2000",
      "ethereum BTC/USD 40000",
      "ethereum ETH/USD 2000",
      "ethereum USDC/USD 1",
    ]);
    for (const q of built.snapshot.quotes) {
      const age = t0 - Date.parse(q.publishedAt) / 1000;
      expect(age).toBeGreaterThanOrEqual(-2);
      expect(age).toBeLessThan(120);
    }
    expect(built.flags).toEqual([]);
    expect(built.prices.get("*:ETH")?.priceUsd).toBe(2000);
    expect(built.prices.get("*:ETH")?.uncertaintyUsd).toBe(0);
    expect(() => marketSnapshotSchema.parse(JSON.parse(JSON.stringify(built.snapshot)))).not.toThrow();
  });

  it("really goes through the configured Multicall3: a wrong Multicall3 address fails every feed on A only", async () => {
    const config = baseConfig();
    config.chains![0]!.multicall3 = addr.usdcA; // a contract without aggregate3
    const built = await buildSnapshot(config, nowSec());
    expect(built.failures.map((f) => `${f.chain} ${f.feed} ${f.reason}`).sort()).toEqual([
      "ethereum BTC/USD REVERTED",
      "ethereum ETH/USD REVERTED",
      "ethereum USDC/USD REVERTED",
    ]);
    expect(built.snapshot.quotes.map((q) => q.chain)).toEqual(["arbitrum"]);
  });

  it("values the account from chain state: equity is the sum of balances at the feed prices", async () => {
    const portfolio = await readAccountPortfolio(baseConfig(), ACCOUNT);
    const { report } = await marginNow(portfolio);
    // 50,000 + 25,000 USDC; (5 + 10 + 2) ETH x 2,000; 1 WBTC x 40,000
    expect(report.equityUsd).toBeCloseTo(75_000 + 17 * 2_000 + 40_000, 6);
    // ETH is read on both chains (two fresh sources agreeing: no band); BTC and USDC have one source each, so each gets
    // the single-source band (R9, 0.5% of the price) on its exposure: 0.005 x (1 x 40,000 + 75,000) of MM, and
    // IM = MM / 0.8 (xchain's maintenance ratio).
    expect(component(report, "oracle uncertainty")).toBeCloseTo((0.005 * (40_000 + 75_000)) / 0.8, 6);
    expect(report.initialMarginUsd).toBeGreaterThan(0);
  });
});

describe("oracle rules end to end", () => {
  it("a price moved on one chain moves the snapshot and the margin report", async () => {
    const portfolio = await readAccountPortfolio(baseConfig(), ACCOUNT);
    const before = await marginNow(portfolio);
    await send(a, addr.btcUsdA!, feedAbi(), "updateAnswer", [30_000n * E8]);
    try {
      const after = await marginNow(portfolio);
      expect(after.built.snapshot.quotes.find((q) => q.feed === "BTC/USD")?.price).toBe("30000");
      // 1 WBTC on arbitrum is priced by the BTC feed on ethereum: equity falls by exactly 10,000
      expect(after.report.equityUsd - before.report.equityUsd).toBeCloseTo(-10_000, 6);
      expect(after.report.initialMarginUsd).not.toBeCloseTo(before.report.initialMarginUsd, 2);
    } finally {
      await send(a, addr.btcUsdA!, feedAbi(), "updateAnswer", [40_000n * E8]);
    }
  });

  it("a stale feed (updatedAt 2 h old, heartbeat 1 h) is flagged critical and raises margin by the stale add-on", async () => {
    const portfolio = await readAccountPortfolio(baseConfig(), ACCOUNT);
    const fresh = await marginNow(portfolio);
    const t = await chainTimeSec(a);
    await send(a, addr.btcUsdA!, feedAbi(), "setUpdatedAt", [BigInt(t - 7_200)]);
    try {
      const stale = await marginNow(portfolio);
      expect(stale.built.snapshot.quotes.find((q) => q.feed === "BTC/USD")?.publishedAt).toBe(
        new Date((t - 7_200) * 1000).toISOString(),
      );
      const critical = (flags: { code: string; severity: string }[]) =>
        flags.some((f) => f.code === "ORACLE_STALE" && f.severity === "critical");
      expect(critical(stale.built.flags)).toBe(true);
      expect(critical(stale.report.flags)).toBe(true);
      // xchain stale add-on: 5% of the 40,000 of WBTC marked with the stale BTC price, at maintenance; IM = MM / ratio
      expect(component(stale.report, "oracle uncertainty") - component(fresh.report, "oracle uncertainty")).toBeCloseTo(
        (0.05 * 40_000) / xchainDefaults.maintenanceRatio,
        6,
      );
      expect(stale.report.initialMarginUsd).toBeGreaterThan(fresh.report.initialMarginUsd);
    } finally {
      await send(a, addr.btcUsdA!, feedAbi(), "updateAnswer", [40_000n * E8]);
    }
  });

  it("a feed within the global hour but past its own 10-minute heartbeat is stale in the snapshot's own aggregation", async () => {
    const t = await chainTimeSec(a);
    await send(a, addr.btcUsdA!, feedAbi(), "setUpdatedAt", [BigInt(t - 1_200)]);
    try {
      const config = baseConfig();
      config.feeds![1]!.maxAgeSec = 600;
      const built = await buildSnapshot(config, nowSec());
      expect(built.prices.get("*:BTC")?.freshSources).toBe(0);
      expect(
        built.flags.some((f) => f.code === "ORACLE_STALE" && f.severity === "critical" && /BTC/.test(f.message)),
      ).toBe(true);
    } finally {
      await send(a, addr.btcUsdA!, feedAbi(), "updateAnswer", [40_000n * E8]);
    }
  });

  it("two chains diverging by 5% are flagged and widen the oracle uncertainty", async () => {
    const portfolio = await readAccountPortfolio(baseConfig(), ACCOUNT);
    const agree = await marginNow(portfolio);
    await send(b, addr.ethUsdB!, feedAbi(), "updateAnswer", [2_100n * E8]);
    try {
      const apart = await marginNow(portfolio);
      const eth = apart.built.prices.get("*:ETH")!;
      expect(eth.priceUsd).toBe(2_050);
      expect(eth.crossChainSpreadUsd).toBe(50);
      // R5: the band is at least twice the farthest chain median's distance (docs/oracles.md)
      expect(eth.uncertaintyUsd).toBe(100);
      expect(apart.built.flags.some((f) => f.code === "ORACLE_DIVERGENT" && /chains diverge/.test(f.message))).toBe(
        true,
      );
      expect(apart.report.flags.some((f) => f.code === "ORACLE_DIVERGENT")).toBe(true);
      // exposure x band / price per (chain, feed), the larger of the chain's and the all-chain band. Each chain's own
      // ETH/USD is 50 from the all-chain 2,050, so its band is 2 x 50 + 100 = 200 (R8). Native ETH and WETH share the
      // ethereum ETH bucket: (5 x 2000 + 10 x 2050) x 200 / 2000; arbitrum: 2 x 2100 x 200 / 2100. At maintenance;
      // IM = MM / ratio.
      const chainBandUsd = 2 * 50 + 100;
      const bucketsUsd = ((5 * 2_000 + 10 * 2_050) * chainBandUsd) / 2_000 + (2 * 2_100 * chainBandUsd) / 2_100;
      expect(component(apart.report, "oracle uncertainty") - component(agree.report, "oracle uncertainty")).toBeCloseTo(
        bucketsUsd / xchainDefaults.maintenanceRatio,
        6,
      );
      expect(apart.report.initialMarginUsd).toBeGreaterThan(agree.report.initialMarginUsd);
    } finally {
      await send(b, addr.ethUsdB!, feedAbi(), "updateAnswer", [2_000n * E8]);
    }
  });
});

describe("bad answers give failures or errors, never a price", () => {
  const badFeedConfig = (chain: "ethereum" | "arbitrum", extra: Record<string, unknown> = {}): SourcesConfigInput => {
    const config = baseConfig();
    config.feeds = [
      ...config.feeds!,
      { chain, feed: "LINK/USD", address: chain === "ethereum" ? addr.badA! : addr.badB!, decimals: 8, ...extra },
    ];
    return config;
  };
  const linkFailure = async (config: SourcesConfigInput) => {
    const built = await buildSnapshot(config, nowSec());
    expect(built.snapshot.quotes.some((q) => q.feed === "LINK/USD")).toBe(false);
    expect(built.flags.some((f) => f.code === "PRICE_MISSING" && f.path === "$.feeds[4]")).toBe(true);
    return built.failures.filter((f) => f.feed === "LINK/USD").map((f) => f.reason);
  };

  it("zero and negative answers", async () => {
    for (const chain of ["ethereum", "arbitrum"] as const) {
      const c = chain === "ethereum" ? a : b;
      const feed = chain === "ethereum" ? addr.badA! : addr.badB!;
      for (const answer of [0n, -5n * E8]) {
        await send(c, feed, feedAbi(), "updateAnswer", [answer]);
        expect(await linkFailure(badFeedConfig(chain)), `${chain} ${answer}`).toEqual(["NON_POSITIVE_PRICE"]);
      }
      await send(c, feed, feedAbi(), "updateAnswer", [10n * E8]);
    }
  });

  it("decimals other than configured, a carried-over round, an incomplete round, out of bounds", async () => {
    await send(a, addr.badA!, feedAbi(), "setDecimals", [18]);
    expect(await linkFailure(badFeedConfig("ethereum"))).toEqual(["WRONG_DECIMALS"]);
    await send(a, addr.badA!, feedAbi(), "setDecimals", [8]);
    const t = BigInt(await chainTimeSec(a));
    await send(a, addr.badA!, feedAbi(), "setRoundData", [7n, 10n * E8, t, t, 6n]);
    expect(await linkFailure(badFeedConfig("ethereum"))).toEqual(["STALE_ROUND"]);
    await send(a, addr.badA!, feedAbi(), "setRoundData", [8n, 10n * E8, t, 0n, 8n]);
    expect(await linkFailure(badFeedConfig("ethereum"))).toEqual(["INCOMPLETE_ROUND"]);
    await send(a, addr.badA!, feedAbi(), "updateAnswer", [10n * E8]);
    expect(await linkFailure(badFeedConfig("ethereum", { maxPriceUsd: "5" }))).toEqual(["OUT_OF_BOUNDS"]);
  });

  it("a reverting feed, through Multicall3 and through plain calls, and an address without code", async () => {
    await send(a, addr.badA!, feedAbi(), "setReverting", [true]);
    await send(b, addr.badB!, feedAbi(), "setReverting", [true]);
    try {
      expect(await linkFailure(badFeedConfig("ethereum"))).toEqual(["REVERTED"]);
      expect(await linkFailure(badFeedConfig("arbitrum"))).toEqual(["REVERTED"]);
    } finally {
      await send(a, addr.badA!, feedAbi(), "setReverting", [false]);
      await send(b, addr.badB!, feedAbi(), "setReverting", [false]);
    }
    const noCode = baseConfig();
    noCode.feeds!.push({ chain: "arbitrum", feed: "LINK/USD", address: "0x000000000000000000000000000000000000dEaD" });
    expect(await linkFailure(noCode)).toEqual(["BAD_RESPONSE"]);
  });

  it("a token whose on-chain decimals differ from the registry is a failure, and the portfolio read refuses", async () => {
    const config = baseConfig();
    config.tokens![1] = { chain: "ethereum", symbol: "USDC", address: addr.usdc18A! };
    const balances = await readAccountBalances(config, ACCOUNT);
    expect(balances.failures.map((f) => `${f.feed} ${f.reason}`)).toEqual(["USDC WRONG_DECIMALS"]);
    await expect(readAccountPortfolio(config, ACCOUNT)).rejects.toMatchObject({
      code: "IO_ERROR",
      path: "$.tokens[1]",
    });
  });

  it("a closed port, a node that never answers, and a node with the wrong chain id", async () => {
    const closedPort = await freePort();
    let hung: Server | undefined;
    const sockets = new Set<Socket>();
    const hungPort = await new Promise<number>((resolve) => {
      hung = createServer((socket) => {
        // accept the connection and never answer
        sockets.add(socket);
      });
      hung.listen(0, "127.0.0.1", () => {
        const address = hung!.address();
        resolve(typeof address === "object" && address ? address.port : 0);
      });
    });
    try {
      const reasons = async (rpcUrl: string, timeoutMs = 5_000) => {
        const config = baseConfig();
        config.chains![1] = { chain: "arbitrum", rpcUrl, evmChainId: CHAIN_ID_B, timeoutMs };
        const built = await buildSnapshot(config, nowSec());
        expect(built.snapshot.quotes.every((q) => q.chain === "ethereum")).toBe(true);
        await expect(readAccountPortfolio(config, ACCOUNT)).rejects.toMatchObject({ code: "IO_ERROR" });
        return built.failures.map((f) => `${f.chain} ${f.feed} ${f.reason}`);
      };
      expect(await reasons(`http://127.0.0.1:${closedPort}`)).toEqual(["arbitrum ETH/USD RPC_ERROR"]);
      const started = Date.now();
      expect(await reasons(`http://127.0.0.1:${hungPort}`, 300)).toEqual(["arbitrum ETH/USD TIMEOUT"]);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(await reasons(a.node.rpcUrl)).toEqual(["arbitrum ETH/USD CHAIN_ID_MISMATCH"]);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => hung?.close(r));
    }
  });

  it("no usable source at all is MISSING_DATA, not an empty snapshot", async () => {
    const config = baseConfig();
    config.chains = [{ chain: "ethereum", rpcUrl: `http://127.0.0.1:${await freePort()}`, evmChainId: CHAIN_ID_A }];
    config.feeds = config.feeds!.filter((f) => f.chain === "ethereum");
    config.tokens = [];
    const err = await buildSnapshot(config, nowSec()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(XmarginError);
    expect((err as XmarginError).code).toBe("MISSING_DATA");
    expect((err as XmarginError).details).toContain("$.feeds[0] ETH/USD on ethereum: RPC_ERROR");
  });
});

describe("CLI commands over chain state", () => {
  it("snapshot --sources prints a valid MarketSnapshot; margin --account computes from the chains", async () => {
    const config = baseConfig();
    config.feeds!.push({ chain: "arbitrum", feed: "LINK/USD", address: "0x000000000000000000000000000000000000dEaD" });
    const file = join(tmp, "sources.json");
    writeFileSync(file, JSON.stringify(config));
    const doc = JSON.parse(await snapshotCommand({ sources: file, json: true })) as unknown;
    const snapshot = marketSnapshotSchema.parse(doc);
    expect(snapshot.quotes).toHaveLength(4);
    expect(snapshot.description).toContain("$.feeds[4] LINK/USD on arbitrum BAD_RESPONSE");
    const text = await snapshotCommand({ sources: file, json: false });
    expect(text).toContain("PRICE_MISSING");
    const report = JSON.parse(
      await accountMarginCommand({ account: ACCOUNT, sources: file, model: "cross", json: true }),
    ) as {
      accountId: string;
      equity: string;
      flags: { code: string; path?: string }[];
    };
    expect(report.accountId).toBe(ACCOUNT_CHECKSUM);
    expect(report.equity).toBe("149000.00");
    expect(report.flags.some((f) => f.code === "PRICE_MISSING" && f.path === "$.feeds[4]")).toBe(true);
    await expect(accountMarginCommand({ account: "0x12", sources: file, json: true })).rejects.toMatchObject({
      code: "INVALID_INPUT",
    });
  });
});

describe("time moving on one chain (runs last: it moves chain B's clock for good)", () => {
  it("after evm_increaseTime on B, chain A's feeds are stale at B's time and only B's fresh quote is used", async () => {
    await anvilRpc(b.node.rpcUrl, "evm_increaseTime", [7_200]);
    await anvilRpc(b.node.rpcUrl, "evm_mine", []);
    await send(b, addr.ethUsdB!, feedAbi(), "updateAnswer", [2_010n * E8]);
    const tB = await chainTimeSec(b);
    expect(tB - nowSec()).toBeGreaterThan(7_000);
    const built = await buildSnapshot(baseConfig(), tB);
    const eth = built.prices.get("*:ETH")!;
    expect(eth.freshSources).toBe(1);
    expect(eth.priceUsd).toBe(2_010);
    expect(built.prices.get("*:BTC")?.freshSources).toBe(0);
    expect(
      built.flags.some((f) => f.code === "ORACLE_STALE" && f.severity === "critical" && /BTC/.test(f.message)),
    ).toBe(true);
  });
});
