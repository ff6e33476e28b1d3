import { isAddress } from "viem";
import { z } from "zod";
import { chainProfiles } from "../market/chainRegistry.js";
import { findToken } from "../market/tokenRegistry.js";
import { chainId, identifier, isoTime, positiveDecimalString } from "../schema/primitives.js";
import { parseDocument } from "../schema/validate.js";

/** A 20-byte hex address: all lower-case, all upper-case, or mixed case with a valid EIP-55 checksum. */
export const evmAddress = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, { message: "must be a 0x-prefixed 20-byte address" })
  .refine((v) => isAddress(v), { message: "mixed-case address with a wrong EIP-55 checksum" });

const feedName = z.string().regex(/^[A-Za-z0-9_.-]+\/USD$/, { message: 'must look like "ETH/USD"' });
const registryChain = chainId.refine((c) => chainProfiles.has(c), {
  message: `must be a chain in the registry (${[...chainProfiles.keys()].join(", ")})`,
});

/** One EVM chain to read: where its RPC answers and which EVM chain id it must report. */
export const sourceChainSchema = z
  .object({
    /** Registry chain name ("ethereum"); quotes and holdings read here carry it. */
    chain: registryChain,
    /** JSON-RPC over HTTP(S). */
    rpcUrl: z.url({ protocol: /^https?$/ }),
    /** The id `eth_chainId` must return; a different answer is a failure (wrong endpoint), never a silent read. */
    evmChainId: z.number().int().positive(),
    /** Multicall3 address on this chain; when absent every call is sent on its own (in parallel). */
    multicall3: evmAddress.optional(),
    /** Per-request timeout, milliseconds. */
    timeoutMs: z.number().int().min(50).max(120_000).default(5_000),
    /** Further endpoints of the same chain, tried in order when `rpcUrl` fails (failover). */
    rpcUrls: z
      .array(z.url({ protocol: /^https?$/ }))
      .max(8)
      .optional(),
    /** Live mode: blocks after which an update is final; default from the chain registry (finality / block time). */
    finalityBlocks: z.number().int().min(0).max(10_000).optional(),
    /** Live mode: new-block polling interval, milliseconds. */
    pollIntervalMs: z.number().int().min(10).max(600_000).default(1_000),
  })
  .strict();

/** One Chainlink AggregatorV3Interface feed. */
export const chainlinkFeedSchema = z
  .object({
    chain: registryChain,
    /** "<SYMBOL>/USD": an underlying (ETH) or a token representation (stETH, USDC.e). */
    feed: feedName,
    address: evmAddress,
    /** Source name written into the quote. */
    source: identifier.default("chainlink"),
    /** The feed's heartbeat: an answer older than this is stale. Seconds. */
    maxAgeSec: z.number().int().positive().default(3_600),
    /** Decimals the feed must report; any other `decimals()` answer is a WRONG_DECIMALS failure. */
    decimals: z.number().int().min(0).max(36).optional(),
    /** Circuit-breaker bounds (Chainlink's minAnswer/maxAnswer): an answer outside is OUT_OF_BOUNDS, USD. */
    minPriceUsd: positiveDecimalString.optional(),
    maxPriceUsd: positiveDecimalString.optional(),
  })
  .strict();

/** One token whose balance the chain reader reads. No `address` means the chain's native coin. */
export const sourceTokenSchema = z
  .object({
    chain: registryChain,
    symbol: identifier,
    address: evmAddress.optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    const token = findToken(t.chain, t.symbol);
    if (!token) {
      ctx.addIssue({ code: "custom", message: `unknown token "${t.symbol}" on ${t.chain}`, path: ["symbol"] });
      return;
    }
    if (token.kind === "native" && t.address !== undefined) {
      ctx.addIssue({ code: "custom", message: "a native coin has no contract address", path: ["address"] });
    }
    if (token.kind !== "native" && t.address === undefined) {
      ctx.addIssue({
        code: "custom",
        message: `${t.symbol} is not native on ${t.chain}: give its address`,
        path: ["address"],
      });
    }
  });

/** Pyth prices from a Hermes JSON response saved to a file (for chains without an EVM RPC, e.g. Solana). */
export const pythSourceSchema = z
  .object({
    /** Path of the Hermes response (`/v2/updates/price/latest` or `/api/latest_price_feeds`), relative to the config. */
    file: z.string().min(1),
    /** Chain the quotes are attributed to. */
    chain: registryChain,
    source: identifier.default("pyth"),
    feeds: z
      .array(
        z
          .object({
            /** Pyth price feed id, 32 bytes hex (with or without 0x). */
            id: z.string().regex(/^(0x)?[0-9a-fA-F]{64}$/, { message: "must be a 32-byte hex feed id" }),
            feed: feedName,
            maxAgeSec: z.number().int().positive().default(60),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

/** Replay of daily closes from CSV files (`SYMBOL-USD.csv`, columns date,open,high,low,close[,volume]). */
export const replaySourceSchema = z
  .object({
    /** Directory of the CSV files, relative to the config. */
    dir: z.string().min(1),
    /** Replay day: quotes are that day's closes, published at the end of the day (next day 00:00Z). */
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: "must be YYYY-MM-DD" }),
    chain: registryChain,
    source: identifier.default("replay"),
    /** Feeds to replay; default every `*-USD.csv` file in `dir`. */
    feeds: z.array(feedName).optional(),
    /** Staleness limit of a daily close, seconds (default one day). */
    maxAgeSec: z.number().int().positive().default(86_400),
  })
  .strict();

/** Pyth prices streamed live from a Hermes-compatible server over Server-Sent Events (`/v2/updates/price/stream`). */
export const hermesStreamSchema = z
  .object({
    /** Base URL of the Hermes server, e.g. https://hermes.pyth.network */
    url: z.url({ protocol: /^https?$/ }),
    chain: registryChain,
    source: identifier.default("pyth"),
    feeds: pythSourceSchema.shape.feeds,
  })
  .strict();

/**
 * SourcesConfig: where market data and balances are read from. Paths are relative to the config file.
 * @see docs/oracles.md
 */
export const sourcesConfigSchema = z
  .object({
    description: z.string().max(500).optional(),
    /** Fixed snapshot time (for replays); default: the caller's clock. */
    asOf: isoTime.optional(),
    chains: z.array(sourceChainSchema).default([]),
    feeds: z.array(chainlinkFeedSchema).default([]),
    tokens: z.array(sourceTokenSchema).default([]),
    pyth: pythSourceSchema.optional(),
    replay: replaySourceSchema.optional(),
    /** Live mode: Pyth over SSE. */
    hermes: hermesStreamSchema.optional(),
    /** Lock-and-release bridge contracts (contracts/TestBridge.sol interface) that executed rebalancing uses. */
    bridges: z
      .array(z.object({ chain: registryChain, address: evmAddress }).strict())
      .max(32)
      .default([]),
    /** Live mode: on-chain accounts whose balances are followed (holdings update live). */
    accounts: z.array(evmAddress).max(10_000).default([]),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.chains.forEach((c, i) => {
      if (seen.has(c.chain))
        ctx.addIssue({ code: "custom", message: `chain ${c.chain} listed twice`, path: ["chains", i, "chain"] });
      seen.add(c.chain);
    });
    const needChain = (list: "feeds" | "tokens", chain: string, i: number) => {
      if (!seen.has(chain)) {
        ctx.addIssue({ code: "custom", message: `no entry in chains[] for ${chain}`, path: [list, i, "chain"] });
      }
    };
    cfg.feeds.forEach((f, i) => {
      needChain("feeds", f.chain, i);
      if (
        f.minPriceUsd !== undefined &&
        f.maxPriceUsd !== undefined &&
        Number(f.minPriceUsd) >= Number(f.maxPriceUsd)
      ) {
        ctx.addIssue({
          code: "custom",
          message: "minPriceUsd must be below maxPriceUsd",
          path: ["feeds", i, "maxPriceUsd"],
        });
      }
    });
    const tokenKeys = new Set<string>();
    cfg.tokens.forEach((t, i) => {
      needChain("tokens", t.chain, i);
      const key = `${t.chain}:${t.symbol}`;
      if (tokenKeys.has(key))
        ctx.addIssue({ code: "custom", message: `token ${key} listed twice`, path: ["tokens", i, "symbol"] });
      tokenKeys.add(key);
    });
  });

export type SourcesConfig = z.infer<typeof sourcesConfigSchema>;
export type SourcesConfigInput = z.input<typeof sourcesConfigSchema>;
export type SourceChain = z.infer<typeof sourceChainSchema>;
export type ChainlinkFeed = z.infer<typeof chainlinkFeedSchema>;
export type SourceToken = z.infer<typeof sourceTokenSchema>;
export type PythSource = z.infer<typeof pythSourceSchema>;
export type ReplaySource = z.infer<typeof replaySourceSchema>;
export type HermesStream = z.infer<typeof hermesStreamSchema>;

/** Validates a SourcesConfig document; errors are INVALID_INPUT at the JSON path of the first bad field. */
export function parseSourcesConfig(input: unknown): SourcesConfig {
  return parseDocument(sourcesConfigSchema, input, "SourcesConfig");
}
