import { z } from "zod";
import { MARGIN_MODEL_NAMES, type MarginModelName } from "../margin/modelNames.js";
import { parseDocument } from "../schema/validate.js";
import { DEFAULT_EXAMPLES_DIR, DEFAULT_HISTORY_DIR, DEFAULT_WEB_DIR } from "./paths.js";

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: "must be a date YYYY-MM-DD" });

const apiKey = z.string().min(16).max(256);
/**
 * A key: a plain string is an admin key (every account, market pushes, the replay); an object is scoped to accounts,
 * read-only unless `write`.
 */
const apiKeyConfigSchema = z.union([
  apiKey,
  z
    .object({
      key: apiKey,
      /** Account ids this key may read (and write); "*" = all. */
      accounts: z.array(z.string().min(1).max(64)).min(1).max(10_000),
      write: z.boolean().default(false),
      admin: z.boolean().default(false),
    })
    .strict(),
]);
export type ApiKeyConfig = z.output<typeof apiKeyConfigSchema>;

/** Limits of every on-demand computation; requests over a limit get a 400 naming the field and the limit. */
export const computeBudgetSchema = z
  .object({
    /** Holdings + positions of one portfolio. */
    maxItems: z.number().int().min(1).max(100_000).default(500),
    /** Monte Carlo paths of an xchain config. */
    maxPaths: z.number().int().min(100).max(1_000_000).default(50_000),
    /** Paths x items of one xchain computation (the work of one call). */
    maxPathItems: z.number().int().min(1000).max(1e9).default(2_000_000),
    /** Price shocks x vol shocks of a grid config (also the grid floor of xchain). */
    maxGridScenarios: z.number().int().min(1).max(100_000).default(500),
    /** Smallest maintenance ratio: a tiny ratio makes the health ratio overflow to infinity. */
    minMaintenanceRatio: z.number().gt(0).max(1).default(0.01),
    /** Heavy calls (margin, what-if, backtest) running at once; more wait in the queue. */
    concurrency: z.number().int().min(1).max(64).default(1),
    /**
     * Worker threads for margin calls, backtests and tick recomputations (0 = on the event loop; used only in the
     * built service). One leaves a core of a 2-core machine to the event loop.
     */
    workers: z.number().int().min(0).max(64).default(1),
    /** Heavy calls waiting; when full the service answers 503 with retry-after. */
    queueLength: z.number().int().min(0).max(10_000).default(16),
    /** Longest a heavy call may wait in the queue, and longest it may run in a worker, ms; then 503. */
    timeoutMs: z.number().int().min(100).max(600_000).default(10_000),
  })
  .strict();
export type ComputeBudget = z.output<typeof computeBudgetSchema>;

/** WebSocket limits: a flooding or slow client is dropped, never the service. */
export const streamLimitsSchema = z
  .object({
    maxConnections: z.number().int().min(1).max(100_000).default(200),
    /** Messages per second per connection (token bucket with a burst of twice this); over it the socket is closed. */
    maxMessagesPerSec: z.number().min(0.1).max(10_000).default(20),
    /** Unsent bytes per client before it is dropped as too slow. */
    maxBufferedBytesPerClient: z
      .number()
      .int()
      .min(1024)
      .max(256 * 1024 * 1024)
      .default(1024 * 1024),
    /** Unsent bytes over all clients; over it the client with the largest backlog is dropped. */
    maxBufferedBytesTotal: z
      .number()
      .int()
      .min(1024)
      .max(4 * 1024 * 1024 * 1024)
      .default(64 * 1024 * 1024),
  })
  .strict();
export type StreamLimits = z.output<typeof streamLimitsSchema>;

/** Settings of the margin service (plain JSON numbers). Every field has a default; see docs/service.md. */
export const serviceConfigSchema = z
  .object({
    /** Interface to listen on (default loopback only). */
    host: z.string().min(1).default("127.0.0.1"),
    /** TCP port; 0 picks a free one. */
    port: z.number().int().min(0).max(65_535).default(8080),
    /** SQLite file of the embedded store (":memory:" for a throw-away store). */
    dbFile: z.string().min(1).default("data/xmargin.db"),
    /** Store URL, taking precedence over `dbFile`: `postgres://...`, `sqlite:FILE` or a file path (docs/service.md#store). */
    store: z.string().min(1).optional(),
    /** Keys accepted in `x-api-key` (at least 16 characters); see `apiKeyConfigSchema` for scopes. */
    apiKeys: z.array(apiKeyConfigSchema).default([]),
    /** Let anyone read (accounts, reports, markets, the stream) without a key; writes still need one. */
    publicRead: z.boolean().default(false),
    /** Host names (without port) the service answers to besides loopback and `host` (DNS-rebinding guard). */
    allowedHosts: z.array(z.string().min(1).max(253)).max(100).default([]),
    /** Origins (e.g. "https://dash.example.com") allowed besides the service's own. */
    allowedOrigins: z.array(z.string().min(1).max(300)).max(100).default([]),
    budget: computeBudgetSchema.prefault({}),
    stream: streamLimitsSchema.prefault({}),
    /** Largest request body, bytes. */
    bodyLimitBytes: z
      .number()
      .int()
      .min(1024)
      .max(16 * 1024 * 1024)
      .default(512 * 1024),
    /** Requests per client IP per window, every route. */
    rateLimit: z
      .object({
        max: z.number().int().min(1).default(600),
        timeWindowMs: z.number().int().min(1000).default(60_000),
      })
      .strict()
      .prefault({}),
    /** Load the example portfolios as demo accounts (with demo rebalancing policies) when they are not stored yet. */
    demo: z.boolean().default(false),
    examplesDir: z.string().default(DEFAULT_EXAMPLES_DIR),
    webDir: z.string().default(DEFAULT_WEB_DIR),
    /** The live feed: a replay of the daily history, one day per `intervalMs`. */
    feed: z
      .object({
        enabled: z.boolean().default(true),
        dataDir: z.string().default(DEFAULT_HISTORY_DIR),
        /** First day replayed when the store has no replay position yet. */
        from: isoDate.default("2023-06-30"),
        /** Last day (default: the end of the BTC/ETH history). */
        to: isoDate.optional(),
        /** Wall-clock milliseconds per replayed day. */
        intervalMs: z.number().int().min(10).default(2000),
        /** Tick on a timer; false = only `POST /v1/feed/step` advances the replay. */
        autoStart: z.boolean().default(true),
        /** Start again from `from` after `to`. */
        loop: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    /** Where rebalancing plans are POSTed (optional). */
    webhook: z
      .object({
        url: z.url({ protocol: /^https?$/ }).optional(),
        timeoutMs: z.number().int().min(100).max(60_000).default(3000),
      })
      .strict()
      .prefault({}),
    /** Live mode: follow chains (a SourcesConfig document) instead of replaying history; see docs/service.md. */
    live: z
      .object({
        /** SourcesConfig (validated when the service starts; errors name its fields). */
        sources: z.record(z.string(), z.unknown()).optional(),
        /** How often the market clock moves (staleness, time decay), milliseconds. */
        clockTickMs: z.number().int().min(100).max(60_000).default(5_000),
        /** Plans on chain: only recorded (default), after operator approval, or at once. */
        execution: z.enum(["dry-run", "approval", "automatic"]).default("dry-run"),
      })
      .strict()
      .prefault({}),
    /**
     * Scale-out: a shared store and the NATS JetStream bus; workers (`xmargin worker`) re-margin, this node serves.
     * Without `bus` the service is one process on its own store. See docs/scale-out.md.
     */
    scaleOut: z
      .object({
        /** nats://host:port, several comma-separated for a cluster. */
        bus: z.string().min(1).optional(),
        /** Shards of the re-margin work; every process of a deployment must use the same number. */
        shards: z.number().int().min(1).max(1024).default(16),
        /** Replicas of each stream (3 on a 3-node cluster). */
        replicas: z.number().int().min(1).max(5).default(1),
      })
      .strict()
      .prefault({}),
    /** MarginConfig of accounts stored without one. */
    defaultModel: z.enum(MARGIN_MODEL_NAMES as [MarginModelName, ...MarginModelName[]]).default("grid"),
    /** Margin-history rows kept in memory per answer of `GET /v1/accounts/:id/history`. */
    historyLimit: z.number().int().min(1).max(100_000).default(2000),
  })
  .strict();

export type ServiceConfig = z.infer<typeof serviceConfigSchema>;
export type ServiceConfigInput = z.input<typeof serviceConfigSchema>;

/** Validates a service config; errors name the field (`$.feed.intervalMs`). */
export function parseServiceConfig(input: unknown): ServiceConfig {
  return parseDocument(serviceConfigSchema, input, "ServiceConfig");
}

/**
 * Settings from the environment, to be merged under explicit options:
 * XMARGIN_API_KEYS (comma-separated), XMARGIN_HOST, XMARGIN_PORT, XMARGIN_DB, XMARGIN_WEBHOOK_URL,
 * XMARGIN_HISTORY_DIR, XMARGIN_REPLAY_FROM, XMARGIN_REPLAY_TO, XMARGIN_REPLAY_INTERVAL_MS, XMARGIN_REPLAY_LOOP (1),
 * XMARGIN_FEED (off), XMARGIN_RATE_LIMIT_MAX, XMARGIN_BODY_LIMIT_BYTES, XMARGIN_PUBLIC_READ (1),
 * XMARGIN_ALLOWED_HOSTS and XMARGIN_ALLOWED_ORIGINS (comma-separated), XMARGIN_BUS, XMARGIN_SHARDS,
 * XMARGIN_BUS_REPLICAS (scale-out).
 */
export function serviceConfigFromEnv(env: NodeJS.ProcessEnv): ServiceConfigInput {
  const out: ServiceConfigInput = {};
  const feed: NonNullable<ServiceConfigInput["feed"]> = {};
  const int = (v: string) => (/^\d+$/.test(v) ? Number(v) : Number.NaN);
  if (env.XMARGIN_API_KEYS)
    out.apiKeys = env.XMARGIN_API_KEYS.split(",")
      .map((k) => k.trim())
      .filter(Boolean);
  if (env.XMARGIN_HOST) out.host = env.XMARGIN_HOST;
  if (env.XMARGIN_PUBLIC_READ === "1") out.publicRead = true;
  const list = (v: string) =>
    v
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean);
  if (env.XMARGIN_ALLOWED_HOSTS) out.allowedHosts = list(env.XMARGIN_ALLOWED_HOSTS);
  if (env.XMARGIN_ALLOWED_ORIGINS) out.allowedOrigins = list(env.XMARGIN_ALLOWED_ORIGINS);
  if (env.XMARGIN_PORT) out.port = int(env.XMARGIN_PORT);
  if (env.XMARGIN_DB) out.dbFile = env.XMARGIN_DB;
  if (env.XMARGIN_STORE) out.store = env.XMARGIN_STORE;
  if (env.XMARGIN_WEBHOOK_URL) out.webhook = { url: env.XMARGIN_WEBHOOK_URL };
  if (env.XMARGIN_RATE_LIMIT_MAX) out.rateLimit = { max: int(env.XMARGIN_RATE_LIMIT_MAX) };
  if (env.XMARGIN_BODY_LIMIT_BYTES) out.bodyLimitBytes = int(env.XMARGIN_BODY_LIMIT_BYTES);
  if (env.XMARGIN_HISTORY_DIR) feed.dataDir = env.XMARGIN_HISTORY_DIR;
  if (env.XMARGIN_REPLAY_FROM) feed.from = env.XMARGIN_REPLAY_FROM;
  if (env.XMARGIN_REPLAY_TO) feed.to = env.XMARGIN_REPLAY_TO;
  if (env.XMARGIN_REPLAY_INTERVAL_MS) feed.intervalMs = int(env.XMARGIN_REPLAY_INTERVAL_MS);
  if (env.XMARGIN_REPLAY_LOOP === "1") feed.loop = true;
  if (env.XMARGIN_FEED === "off") feed.enabled = false;
  if (Object.keys(feed).length > 0) out.feed = feed;
  const scaleOut: NonNullable<ServiceConfigInput["scaleOut"]> = {};
  if (env.XMARGIN_BUS) scaleOut.bus = env.XMARGIN_BUS;
  if (env.XMARGIN_SHARDS) scaleOut.shards = int(env.XMARGIN_SHARDS);
  if (env.XMARGIN_BUS_REPLICAS) scaleOut.replicas = int(env.XMARGIN_BUS_REPLICAS);
  if (Object.keys(scaleOut).length > 0) out.scaleOut = scaleOut;
  return out;
}
