import { getAddress, type PublicClient } from "viem";
import { XmarginError } from "../core/errors.js";
import { getToken } from "../market/tokenRegistry.js";
import { callAll, type EvmCall, type EvmCallOutcome } from "../oracles/sources/evmCalls.js";
import { checkChainId, classifyRpcError, createEvmClient } from "../oracles/sources/evmClient.js";
import type { SourceFailure } from "../oracles/sources/sourceResult.js";
import { evmAddress, parseSourcesConfig, type SourceChain, type SourcesConfigInput } from "../oracles/sourcesConfig.js";
import { type Holding, type Portfolio, portfolioSchema } from "../schema/portfolio.js";
import { parseDocument } from "../schema/validate.js";

/** ERC-20 functions the reader calls. */
export const erc20Abi = [
  {
    type: "function",
    name: "balanceOf",
    stateMutability: "view",
    inputs: [{ name: "account", type: "address" }],
    outputs: [{ name: "", type: "uint256" }],
  },
  { type: "function", name: "decimals", stateMutability: "view", inputs: [], outputs: [{ name: "", type: "uint8" }] },
] as const;

/** Multicall3's native-balance getter (used when the chain has a Multicall3). */
export const multicall3BalanceAbi = [
  {
    type: "function",
    name: "getEthBalance",
    stateMutability: "view",
    inputs: [{ name: "addr", type: "address" }],
    outputs: [{ name: "balance", type: "uint256" }],
  },
] as const;

export interface ReadBalancesOptions {
  /** Ready viem clients by chain name. */
  clients?: ReadonlyMap<string, PublicClient>;
  /** Keep zero balances as holdings (default: left out). */
  includeZero?: boolean;
  /** Read at this block on every chain (live mode: the head and the final block); default the latest block. */
  blockNumber?: ReadonlyMap<string, bigint>;
}

export interface AccountBalances {
  /** Checksummed account address. */
  account: string;
  /** Holdings in base units (`amountRaw`), one per configured token with a balance. */
  holdings: Holding[];
  /** Block each chain was read at, by chain name. */
  blocks: Record<string, string>;
  failures: SourceFailure[];
}

/**
 * Reads the account's balance of every configured token on every configured chain: ERC-20 `balanceOf` and
 * `decimals` (checked against the token registry: a token whose on-chain decimals differ from the registry's is a
 * WRONG_DECIMALS failure, since its amount would be misread) and the native balance, all at one block per chain, in
 * one Multicall3 call (native via `getEthBalance`) when the chain has one, else as one JSON-RPC batch.
 * Adapter (network I/O). Never throws for an RPC problem: it is a failure in the result.
 * @example
 * const { holdings, failures } = await readAccountBalances(config, "0x...");
 * @see docs/oracles.md
 */
export async function readAccountBalances(
  configInput: SourcesConfigInput,
  account: string,
  options: ReadBalancesOptions = {},
): Promise<AccountBalances> {
  const config = parseSourcesConfig(configInput);
  const parsedAccount = evmAddress.safeParse(account);
  if (!parsedAccount.success)
    throw new XmarginError(`not an EVM address: ${JSON.stringify(account)}`, {
      code: "INVALID_INPUT",
      path: "$.account",
    });
  const address = getAddress(parsedAccount.data);
  const perChain = await Promise.all(
    config.chains.map((chain) => {
      const tokens = config.tokens.flatMap((t, i) =>
        t.chain === chain.chain ? [{ token: t, path: `$.tokens[${i}]` }] : [],
      );
      return readChain(chain, tokens, address, options);
    }),
  );
  const holdings: Holding[] = [];
  const failures: SourceFailure[] = [];
  const blocks: Record<string, string> = {};
  for (const r of perChain) {
    holdings.push(...r.holdings);
    failures.push(...r.failures);
    if (r.block !== undefined) blocks[r.chain] = r.block.toString();
  }
  return { account: address, holdings, blocks, failures };
}

type TokenEntry = { token: { chain: string; symbol: string; address?: string | undefined }; path: string };

async function readChain(
  chain: SourceChain,
  tokens: readonly TokenEntry[],
  account: `0x${string}`,
  options: ReadBalancesOptions,
): Promise<{ chain: string; block?: bigint; holdings: Holding[]; failures: SourceFailure[] }> {
  const out: { chain: string; block?: bigint; holdings: Holding[]; failures: SourceFailure[] } = {
    chain: chain.chain,
    holdings: [],
    failures: [],
  };
  if (tokens.length === 0) return out;
  const fail = (t: TokenEntry, reason: SourceFailure["reason"], message: string) =>
    out.failures.push({ source: "balance", chain: chain.chain, feed: t.token.symbol, reason, message, path: t.path });
  const client = options.clients?.get(chain.chain) ?? createEvmClient(chain);
  const chainFailure = await checkChainId(client, chain);
  const fixed = options.blockNumber?.get(chain.chain);
  const block = chainFailure
    ? chainFailure
    : (fixed ?? (await client.getBlockNumber({ cacheTime: 0 }).catch((err: unknown) => classifyRpcError(err))));
  if (typeof block !== "bigint") {
    for (const t of tokens) fail(t, block.reason, block.message);
    return out;
  }
  out.block = block;
  // Calls: per ERC-20 [balanceOf, decimals]; per native coin [getEthBalance] via Multicall3 when there is one.
  const calls: EvmCall[] = [];
  const slots: { entry: TokenEntry; first: number; kind: "erc20" | "native-mc" | "native-rpc" }[] = [];
  for (const entry of tokens) {
    if (entry.token.address) {
      const a = entry.token.address as `0x${string}`;
      slots.push({ entry, first: calls.length, kind: "erc20" });
      calls.push({ address: a, abi: erc20Abi, functionName: "balanceOf", args: [account] });
      calls.push({ address: a, abi: erc20Abi, functionName: "decimals" });
    } else if (chain.multicall3) {
      slots.push({ entry, first: calls.length, kind: "native-mc" });
      calls.push({
        address: chain.multicall3 as `0x${string}`,
        abi: multicall3BalanceAbi,
        functionName: "getEthBalance",
        args: [account],
      });
    } else slots.push({ entry, first: -1, kind: "native-rpc" });
  }
  const [outcomes, nativeRpc] = await Promise.all([
    callAll(client, chain, calls, block),
    slots.some((s) => s.kind === "native-rpc")
      ? client.getBalance({ address: account, blockNumber: block }).then(
          (value): EvmCallOutcome => ({ ok: true, value }),
          (error: unknown): EvmCallOutcome => ({ ok: false, error }),
        )
      : Promise.resolve<EvmCallOutcome>({ ok: true, value: 0n }),
  ]);
  for (const slot of slots) {
    const { entry } = slot;
    const registry = getToken(chain.chain, entry.token.symbol, `${entry.path}.symbol`);
    const balance = slot.kind === "native-rpc" ? nativeRpc : outcomes[slot.first]!;
    if (!balance.ok) {
      const c = classifyRpcError(balance.error);
      fail(entry, c.reason, `balance: ${c.message}`);
      continue;
    }
    if (typeof balance.value !== "bigint" || balance.value < 0n) {
      fail(entry, "BAD_RESPONSE", `balance is not a non-negative integer: ${String(balance.value)}`);
      continue;
    }
    if (slot.kind === "erc20") {
      const decimals = outcomes[slot.first + 1]!;
      if (!decimals.ok) {
        const c = classifyRpcError(decimals.error);
        fail(entry, c.reason, `decimals(): ${c.message}`);
        continue;
      }
      if (decimals.value !== registry.decimals) {
        fail(
          entry,
          "WRONG_DECIMALS",
          `decimals() returned ${String(decimals.value)}, the token registry says ${registry.decimals} for ${registry.symbol} on ${chain.chain}`,
        );
        continue;
      }
    }
    if (balance.value === 0n && !options.includeZero) continue;
    out.holdings.push({ chain: chain.chain, token: registry.symbol, amountRaw: balance.value.toString() });
  }
  return out;
}

/**
 * Reads the account's balances (`readAccountBalances`) and returns them as a Portfolio document (holdings in
 * `amountRaw`, no positions). Any failed read is an IO_ERROR naming the config entries: a portfolio silently missing
 * a balance would misstate the account.
 * @example
 * const portfolio = await readAccountPortfolio(config, "0x...");
 * computeMargin({ portfolio, market: snapshot, config: { model: "xchain" } });
 */
export async function readAccountPortfolio(
  config: SourcesConfigInput,
  account: string,
  options: ReadBalancesOptions = {},
): Promise<Portfolio> {
  const balances = await readAccountBalances(config, account, options);
  if (balances.failures.length > 0) {
    const first = balances.failures[0]!;
    throw new XmarginError(`cannot read ${balances.failures.length} balance(s) of ${balances.account}`, {
      code: "IO_ERROR",
      path: first.path,
      details: balances.failures.map((f) => `${f.path} ${f.feed} on ${f.chain}: ${f.reason}: ${f.message}`).join("; "),
    });
  }
  const blocks = Object.entries(balances.blocks)
    .map(([c, b]) => `${c}@${b}`)
    .join(", ");
  return parseDocument(
    portfolioSchema,
    {
      accountId: balances.account,
      description: `balances read on chain at blocks ${blocks}`.slice(0, 500),
      holdings: balances.holdings,
    },
    "Portfolio",
  );
}
