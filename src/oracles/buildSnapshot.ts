import { isAbsolute, resolve } from "node:path";
import type { PublicClient } from "viem";
import { XmarginError } from "../core/errors.js";
import type { Flag } from "../core/flags.js";
import { secToIso } from "../core/time.js";
import { type MarketSnapshot, marketSnapshotSchema } from "../schema/marketSnapshot.js";
import { parseDocument } from "../schema/validate.js";
import { aggregateFeeds } from "./aggregateFeeds.js";
import type { AggregatedPrice, AggregationRules } from "./aggregateQuotes.js";
import { readChainlinkFeeds } from "./sources/chainlinkSource.js";
import { readHermesFile } from "./sources/pythHermes.js";
import { readReplayQuotes } from "./sources/replaySource.js";
import { failureToFlag, type SourceFailure, type SourceQuote, type SourceResult } from "./sources/sourceResult.js";
import { parseSourcesConfig, type SourcesConfigInput } from "./sourcesConfig.js";

export interface BuildSnapshotOptions {
  /** Directory that relative paths in the config (pyth.file, replay.dir) are resolved against. Default: cwd. */
  baseDir?: string;
  /** Aggregation rules for the preview in `prices` and `flags`. Default `defaultAggregationRules`. */
  rules?: AggregationRules;
  /** Ready viem clients by chain name (tests, connection reuse). */
  clients?: ReadonlyMap<string, PublicClient>;
}

export interface BuiltSnapshot {
  /** The MarketSnapshot document (validated, defaults filled): `asOf` = `nowSec`, one quote per usable reading. */
  snapshot: MarketSnapshot;
  /** The quotes with their source's staleness limit and config path. */
  quotes: SourceQuote[];
  /** Readings that gave no quote (timeouts, reverts, bad answers): never turned into a price. */
  failures: SourceFailure[];
  /** Aggregated prices by `*:SYMBOL` and `chain:SYMBOL`, honouring each source's own staleness limit. */
  prices: Map<string, AggregatedPrice>;
  /** One PRICE_MISSING flag per failure, then the aggregation flags (stale, divergent, uncertain). */
  flags: Flag[];
}

/**
 * Reads every configured source at `nowSec` and returns a MarketSnapshot document plus what a document cannot say:
 * failures and per-source staleness. Adapter (network and file I/O); sources are read in parallel, chain by chain.
 * Throws MISSING_DATA when no source gave any quote, INVALID_INPUT when the config is malformed.
 * @example
 * const { snapshot, flags } = await buildSnapshot(config, Math.floor(Date.now() / 1000));
 * computeMargin({ portfolio, market: snapshot, config: { model: "xchain" } });
 * @see docs/oracles.md
 */
export async function buildSnapshot(
  configInput: SourcesConfigInput,
  nowSec: number,
  options: BuildSnapshotOptions = {},
): Promise<BuiltSnapshot> {
  const config = parseSourcesConfig(configInput);
  const baseDir = options.baseDir ?? process.cwd();
  const at = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const reads: Promise<SourceResult>[] = config.chains.map((chain) => {
    const feeds = config.feeds.flatMap((feed, i) =>
      feed.chain === chain.chain ? [{ feed, path: `$.feeds[${i}]` }] : [],
    );
    const client = options.clients?.get(chain.chain);
    return readChainlinkFeeds({ chain, feeds, nowSec, ...(client ? { client } : {}) });
  });
  if (config.pyth) reads.push(readHermesFile(at(config.pyth.file), config.pyth, nowSec));
  if (config.replay) reads.push(readReplayQuotes(config.replay, at(config.replay.dir)));
  const results = await Promise.all(reads);
  const quotes = results.flatMap((r) => r.quotes);
  const failures = results.flatMap((r) => r.failures);
  if (quotes.length === 0) {
    throw new XmarginError("no source gave a quote", {
      code: "MISSING_DATA",
      path: "$",
      details:
        failures.length > 0
          ? failures.map((f) => `${f.path} ${f.feed ?? ""} on ${f.chain}: ${f.reason}`).join("; ")
          : "the config names no feed",
    });
  }
  const failed = failures.map((f) => `${f.path} ${f.feed ?? "*"} on ${f.chain} ${f.reason}`).join("; ");
  const description = `xmargin sources: ${quotes.length} quote(s), ${failures.length} failure(s)${
    failed ? `: ${failed}` : ""
  }${config.description ? ` - ${config.description}` : ""}`.slice(0, 500);
  const snapshot = parseDocument(
    marketSnapshotSchema,
    {
      asOf: secToIso(nowSec),
      description,
      quotes: quotes.map((q) => ({ ...q.quote, maxAgeSec: String(q.maxAgeSec) })),
    },
    "MarketSnapshot",
  );
  const aggregated = aggregateFeeds(quotes, nowSec, options.rules);
  return {
    snapshot,
    quotes,
    failures,
    prices: aggregated.prices,
    flags: [...failures.map(failureToFlag), ...aggregated.flags],
  };
}
