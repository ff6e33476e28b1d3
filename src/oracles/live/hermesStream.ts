import { createParser } from "eventsource-parser";
import { parseHermesQuotes } from "../sources/pythHermes.js";
import type { SourceFailure, SourceQuote } from "../sources/sourceResult.js";
import type { HermesStream } from "../sourcesConfig.js";
import { type BackoffPolicy, backoffDelayMs, defaultBackoff } from "./backoff.js";

export interface HermesStreamOptions {
  config: HermesStream;
  /** Clock, epoch seconds (future-dated prices are rejected against it). */
  nowSec: () => number;
  onQuotes: (quotes: SourceQuote[], failures: SourceFailure[]) => void;
  /** Connection state changes ("up" on the first event after a (re)connect, "down" with the reason). */
  onStatus?: (state: "up" | "down", detail: string) => void;
  backoff?: BackoffPolicy;
}

/** The Hermes streaming URL for the configured feed ids (parsed prices requested). */
export function hermesStreamUrl(config: HermesStream): string {
  const url = new URL("/v2/updates/price/stream", config.url);
  for (const f of config.feeds) url.searchParams.append("ids[]", f.id.replace(/^0x/, ""));
  url.searchParams.set("parsed", "true");
  return url.toString();
}

/**
 * Pyth prices streamed from a Hermes-compatible server over Server-Sent Events (`/v2/updates/price/stream`). Each
 * event's `parsed` entries go through `parseHermesQuotes` (same checks as a saved response); feeds absent from an
 * event are simply not updated by it. A dropped or refused connection is retried with exponential backoff; while it
 * is down the last quotes age and go stale after their `maxAgeSec`. Adapter (network I/O).
 * @see docs/oracles.md#live-mode
 */
export class HermesPriceStream {
  private abort: AbortController | undefined;
  private stopped = true;
  private failures = 0;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: HermesStreamOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort?.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let reason = "stream ended";
      try {
        await this.connectOnce();
      } catch (err) {
        reason = err instanceof Error ? err.message : String(err);
      }
      if (this.stopped) return;
      this.failures++;
      this.options.onStatus?.("down", reason);
      const delay = backoffDelayMs(this.failures, this.options.backoff ?? defaultBackoff);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  private async connectOnce(): Promise<void> {
    this.abort = new AbortController();
    const res = await fetch(hermesStreamUrl(this.options.config), {
      headers: { accept: "text/event-stream" },
      signal: this.abort.signal,
    });
    if (!res.ok || !res.body) throw new Error(`Hermes stream answered HTTP ${res.status}`);
    const { config } = this.options;
    const pyth = { file: "", chain: config.chain, source: config.source, feeds: config.feeds };
    const parser = createParser({
      onEvent: (event) => {
        let json: unknown;
        try {
          json = JSON.parse(event.data);
        } catch {
          this.options.onQuotes([], [streamFailure(config, "event data is not JSON")]);
          return;
        }
        const result = parseHermesQuotes(json, pyth, this.options.nowSec(), 60, "$.hermes");
        if (this.failures > 0 || result.quotes.length > 0) {
          if (this.failures > 0) this.options.onStatus?.("up", "connected");
          this.failures = 0;
        }
        // An event carries some of the feeds: the others are not missing, just not in this event.
        this.options.onQuotes(
          result.quotes,
          result.failures.filter((f) => f.reason !== "NOT_FOUND"),
        );
      },
    });
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      parser.feed(decoder.decode(chunk, { stream: true }));
    }
  }
}

function streamFailure(config: HermesStream, message: string): SourceFailure {
  return { source: config.source, chain: config.chain, reason: "BAD_RESPONSE", message, path: "$.hermes" };
}
