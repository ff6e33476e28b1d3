import type { Hex } from "viem";
import type { SourcesConfigInput } from "../../oracles/sourcesConfig.js";
import { type AnvilNode, anvilRpc, startAnvil } from "./anvilNode.js";
import { connect, deploy, send, type TestChain } from "./devChain.js";
import { type CompiledContract, compileContracts } from "./testContracts.js";

/** The two local chains of the devnet: A plays "ethereum" (with Multicall3), B plays "arbitrum". */
export const DEVNET_CHAINS = [
  { chain: "ethereum", evmChainId: 31_401 },
  { chain: "arbitrum", evmChainId: 31_402 },
] as const;

const E8 = 100_000_000n;
const USDC = 1_000_000n;

export interface DevnetOptions {
  /** Bridge delay between a lock and its release, seconds. */
  bridgeDelaySec?: number;
  /** Starting ETH/USD answer on both chains, USD. */
  ethUsd?: bigint;
  /** USDC the user account holds on A (ethereum), whole tokens. */
  userUsdcA?: bigint;
  /** Fixed ports (the `xmargin devnet` command); default free ports. */
  ports?: readonly [number, number];
  /** Blocks to finality written into the sources config. */
  finalityBlocks?: number;
  pollIntervalMs?: number;
  /** Mine a block every so many seconds (the `xmargin devnet` command: blocks flow, so deposits become final). */
  blockTimeSec?: number;
}

export interface Devnet {
  nodes: [AnvilNode, AnvilNode];
  chains: [TestChain, TestChain];
  contracts: Record<"TestToken" | "MockAggregatorV3" | "Multicall3" | "TestBridge", CompiledContract>;
  /** Contract addresses by `chain:name` ("ethereum:USDC", "arbitrum:ETH/USD", "ethereum:bridge", "ethereum:multicall3"). */
  addresses: Record<string, Hex>;
  /** The followed user account (anvil dev account 1) and the relayer (dev account 0, the deployer). */
  user: Hex;
  relayer: Hex;
  /** A SourcesConfig for the devnet: both chains, the feeds, the tokens, the bridges and the user account. */
  sources: SourcesConfigInput;
  /** A new Chainlink round on one chain (whole USD, 8 decimals on chain). */
  setPrice(chain: "ethereum" | "arbitrum", feed: "ETH/USD" | "USDC/USD", priceE8: bigint): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts two anvil chains and deploys on each a Chainlink-compatible ETH/USD and USDC/USD feed, a 6-decimal USDC
 * TestToken, a TestBridge (relayer = dev account 0) with 1,000,000 USDC of liquidity, and on A a Multicall3; the user
 * (dev account 1) gets `userUsdcA` USDC on A. Dev tool: needs the clone's dev dependencies (anvil, solc).
 * @example
 * const net = await startDevnet({ bridgeDelaySec: 2 });
 * await net.setPrice("ethereum", "ETH/USD", 2100n * 10n ** 8n);
 * await net.stop();
 */
export async function startDevnet(options: DevnetOptions = {}): Promise<Devnet> {
  const contracts = compileContracts();
  const started = await Promise.all(DEVNET_CHAINS.map((c, i) => startAnvil(c.evmChainId, 30_000, options.ports?.[i])));
  const nodes = started as [AnvilNode, AnvilNode];
  try {
    const chains = (await Promise.all(nodes.map(connect))) as [TestChain, TestChain];
    const accounts = (await chains[0].wallet.getAddresses()) as Hex[];
    const relayer = accounts[0]!;
    const user = accounts[1]!;
    const addresses: Record<string, Hex> = {};
    const delay = BigInt(options.bridgeDelaySec ?? 5);
    const ethUsd = options.ethUsd ?? 2_000n;
    await Promise.all(
      chains.map(async (c, i) => {
        const name = DEVNET_CHAINS[i]!.chain;
        if (i === 0) addresses[`${name}:multicall3`] = await deploy(c, contracts.Multicall3);
        const usdc = await deploy(c, contracts.TestToken, ["Test USDC", "USDC", 6]);
        addresses[`${name}:USDC`] = usdc;
        addresses[`${name}:ETH/USD`] = await deploy(c, contracts.MockAggregatorV3, [8, "ETH / USD", ethUsd * E8]);
        addresses[`${name}:USDC/USD`] = await deploy(c, contracts.MockAggregatorV3, [8, "USDC / USD", E8]);
        const bridge = await deploy(c, contracts.TestBridge, [relayer, delay]);
        addresses[`${name}:bridge`] = bridge;
        await send(c, usdc, contracts.TestToken.abi, "mint", [bridge, 1_000_000n * USDC]);
        if (i === 0)
          await send(c, usdc, contracts.TestToken.abi, "mint", [user, (options.userUsdcA ?? 50_000n) * USDC]);
        // A user with 1 ETH of gas money per chain, not anvil's 10,000 ETH.
        await anvilRpc(c.node.rpcUrl, "anvil_setBalance", [user, `0x${(10n ** 18n).toString(16)}`]);
      }),
    );
    // Deployed with a block per transaction (fast); from now on blocks also flow on a timer when asked.
    if (options.blockTimeSec) {
      await Promise.all(nodes.map((n) => anvilRpc(n.rpcUrl, "evm_setIntervalMining", [options.blockTimeSec])));
    }
    const sources: SourcesConfigInput = {
      description: "xmargin devnet: two local anvil chains",
      chains: DEVNET_CHAINS.map((c, i) => ({
        chain: c.chain,
        rpcUrl: nodes[i]!.rpcUrl,
        evmChainId: c.evmChainId,
        ...(i === 0 ? { multicall3: addresses[`${c.chain}:multicall3`]! } : {}),
        timeoutMs: 2_000,
        finalityBlocks: options.finalityBlocks ?? 2,
        pollIntervalMs: options.pollIntervalMs ?? 250,
      })),
      feeds: DEVNET_CHAINS.flatMap((c) => [
        { chain: c.chain, feed: "ETH/USD", address: addresses[`${c.chain}:ETH/USD`]!, decimals: 8, maxAgeSec: 3_600 },
        {
          chain: c.chain,
          feed: "USDC/USD",
          address: addresses[`${c.chain}:USDC/USD`]!,
          decimals: 8,
          maxAgeSec: 86_400,
        },
      ]),
      tokens: DEVNET_CHAINS.flatMap((c) => [
        { chain: c.chain, symbol: "ETH" },
        { chain: c.chain, symbol: "USDC", address: addresses[`${c.chain}:USDC`]! },
      ]),
      bridges: DEVNET_CHAINS.map((c) => ({ chain: c.chain, address: addresses[`${c.chain}:bridge`]! })),
      accounts: [user],
    };
    const setPrice = async (chain: "ethereum" | "arbitrum", feed: "ETH/USD" | "USDC/USD", priceE8: bigint) => {
      const c = chains[chain === "ethereum" ? 0 : 1];
      await send(c, addresses[`${chain}:${feed}`]!, contracts.MockAggregatorV3.abi, "updateAnswer", [priceE8]);
    };
    return {
      nodes,
      chains,
      contracts,
      addresses,
      user,
      relayer,
      sources,
      setPrice,
      stop: async () => {
        await Promise.all(nodes.map((n) => n.stop()));
      },
    };
  } catch (err) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw err;
  }
}
