import { readFile } from "node:fs/promises";
import { z } from "zod";
import { formatUnits } from "../../core/decimal.js";
import { secToIso } from "../../core/time.js";
import type { PythSource } from "../sourcesConfig.js";
import type { SourceFailure, SourceResult } from "./sourceResult.js";

const intString = z.union([z.string().regex(/^-?\d+$/), z.number().int()]);

/** One price as Hermes returns it: integer `price` and `conf` scaled by 10^expo, `publish_time` in epoch seconds. */
const hermesPriceSchema = z.object({
  price: intString,
  conf: intString,
  expo: z.number().int().min(-30).max(30),
  publish_time: z.number().int().nonnegative(),
});

const hermesFeedSchema = z.object({
  id: z.string(),
  price: hermesPriceSchema,
});

/**
 * Hermes responses: `/v2/updates/price/latest` gives `{ binary, parsed: [...] }`; the older `/api/latest_price_feeds`
 * gives the array itself. Unknown keys (ema_price, metadata, binary) are allowed and ignored.
 */
export const hermesResponseSchema = z.union([
  z.object({ parsed: z.array(z.unknown()) }).transform((r) => r.parsed),
  z.array(z.unknown()),
]);

/** Scales an integer by 10^expo into an exact decimal string ("-8" expo: 6412345678 -> "64.12345678"). */
function scaled(mantissa: bigint, expo: number): string {
  return expo <= 0 ? formatUnits(mantissa, -expo) : (mantissa * 10n ** BigInt(expo)).toString();
}

const normaliseId = (id: string) => id.toLowerCase().replace(/^0x/, "");

/**
 * Turns a parsed Hermes response into quotes for the configured feed ids. Pure. A feed is a failure when its id is
 * absent (NOT_FOUND), its entry is malformed (BAD_RESPONSE), its price is <= 0 (NON_POSITIVE_PRICE), its confidence
 * is negative (BAD_RESPONSE) or it was published after `nowSec + maxFutureSec` (FUTURE_TIMESTAMP). The confidence
 * `conf x 10^expo` becomes the quote's `confidence`: it is part of the price, never dropped.
 * @example
 * const { quotes } = parseHermesQuotes(json, pythConfig, nowSec);
 */
export function parseHermesQuotes(
  response: unknown,
  config: PythSource,
  nowSec: number,
  maxFutureSec = 60,
  path = "$.pyth",
): SourceResult {
  const result: SourceResult = { quotes: [], failures: [] };
  const fail = (i: number, reason: SourceFailure["reason"], message: string): void => {
    result.failures.push({
      source: config.source,
      chain: config.chain,
      feed: config.feeds[i]!.feed,
      reason,
      message,
      path: `${path}.feeds[${i}]`,
    });
  };
  const list = hermesResponseSchema.safeParse(response);
  if (!list.success) {
    for (const i of config.feeds.keys()) {
      fail(i, "BAD_RESPONSE", "not a Hermes response (expected { parsed: [...] } or [...])");
    }
    return result;
  }
  const byId = new Map<string, unknown>();
  for (const entry of list.data) {
    if (entry && typeof entry === "object" && "id" in entry && typeof entry.id === "string") {
      byId.set(normaliseId(entry.id), entry);
    }
  }
  for (const [i, f] of config.feeds.entries()) {
    const entry = byId.get(normaliseId(f.id));
    if (entry === undefined) {
      fail(i, "NOT_FOUND", `feed id ${f.id} is not in the response`);
      continue;
    }
    const parsed = hermesFeedSchema.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      fail(i, "BAD_RESPONSE", `malformed entry at ${issue?.path.join(".") ?? "?"}: ${issue?.message ?? ""}`);
      continue;
    }
    const { price, conf, expo, publish_time } = parsed.data.price;
    const mantissa = BigInt(price);
    const confMantissa = BigInt(conf);
    if (mantissa <= 0n) {
      fail(i, "NON_POSITIVE_PRICE", `price ${price}e${expo} is not > 0`);
      continue;
    }
    if (confMantissa < 0n) {
      fail(i, "BAD_RESPONSE", `conf ${conf} is negative`);
      continue;
    }
    if (publish_time > nowSec + maxFutureSec) {
      fail(i, "FUTURE_TIMESTAMP", `publish_time ${publish_time} is ${publish_time - nowSec}s after the snapshot time`);
      continue;
    }
    result.quotes.push({
      quote: {
        source: config.source,
        chain: config.chain,
        feed: f.feed,
        price: scaled(mantissa, expo),
        confidence: scaled(confMantissa, expo),
        publishedAt: secToIso(publish_time),
      },
      maxAgeSec: f.maxAgeSec,
      path: `${path}.feeds[${i}]`,
    });
  }
  return result;
}

/**
 * Reads a saved Hermes JSON response and parses it with `parseHermesQuotes`. An unreadable file or invalid JSON is
 * one failure per configured feed (the rest of the snapshot still builds).
 */
export async function readHermesFile(file: string, config: PythSource, nowSec: number): Promise<SourceResult> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    const code = cause instanceof Error && "code" in cause ? String(cause.code) : "unreadable";
    return failAll(config, "RPC_ERROR", `cannot read ${file} (${code})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    return failAll(config, "BAD_RESPONSE", `${file} is not valid JSON: ${(cause as Error).message}`);
  }
  return parseHermesQuotes(json, config, nowSec);
}

function failAll(config: PythSource, reason: SourceFailure["reason"], message: string): SourceResult {
  return {
    quotes: [],
    failures: config.feeds.map((f, i) => ({
      source: config.source,
      chain: config.chain,
      feed: f.feed,
      reason,
      message,
      path: `$.pyth.feeds[${i}]`,
    })),
  };
}
