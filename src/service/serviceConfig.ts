import { z } from "zod";
import { parseDocument } from "../schema/validate.js";
import { DEFAULT_EXAMPLES_DIR, DEFAULT_HISTORY_DIR, DEFAULT_WEB_DIR } from "./paths.js";

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: "must be a date YYYY-MM-DD" });

/** Settings of the margin service (plain JSON numbers). Every field has a default; see docs/service.md. */
export const serviceConfigSchema = z
  .object({
    /** Interface to listen on (default loopback only). */
    host: z.string().min(1).default("127.0.0.1"),
    /** TCP port; 0 picks a free one. */
    port: z.number().int().min(0).max(65_535).default(8080),
    /** SQLite file of the embedded store (":memory:" for a throw-away store). */
    dbFile: z.string().min(1).default("data/xmargin.db"),
    /** Keys accepted in `x-api-key` by the write endpoints; at least 16 characters each. */
    apiKeys: z.array(z.string().min(16).max(256)).default([]),
    /** Keys accepted in `x-admin-key` by the rulebook edit endpoint; none = rulebook edits disabled. */
    adminKeys: z.array(z.string().min(16).max(256)).default([]),
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
    /** MarginConfig of accounts stored without one. */
    defaultModel: z.enum(["isolated", "cross", "grid", "xchain"]).default("grid"),
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
 * XMARGIN_API_KEYS (comma-separated), XMARGIN_ADMIN_KEYS (comma-separated), XMARGIN_HOST, XMARGIN_PORT, XMARGIN_DB, XMARGIN_WEBHOOK_URL,
 * XMARGIN_HISTORY_DIR, XMARGIN_REPLAY_FROM, XMARGIN_REPLAY_TO, XMARGIN_REPLAY_INTERVAL_MS, XMARGIN_REPLAY_LOOP (1),
 * XMARGIN_FEED (off), XMARGIN_RATE_LIMIT_MAX, XMARGIN_BODY_LIMIT_BYTES.
 */
export function serviceConfigFromEnv(env: NodeJS.ProcessEnv): ServiceConfigInput {
  const out: ServiceConfigInput = {};
  const feed: NonNullable<ServiceConfigInput["feed"]> = {};
  const int = (v: string) => (/^\d+$/.test(v) ? Number(v) : Number.NaN);
  if (env.XMARGIN_API_KEYS)
    out.apiKeys = env.XMARGIN_API_KEYS.split(",")
      .map((k) => k.trim())
      .filter(Boolean);
  if (env.XMARGIN_ADMIN_KEYS)
    out.adminKeys = env.XMARGIN_ADMIN_KEYS.split(",")
      .map((k) => k.trim())
      .filter(Boolean);
  if (env.XMARGIN_HOST) out.host = env.XMARGIN_HOST;
  if (env.XMARGIN_PORT) out.port = int(env.XMARGIN_PORT);
  if (env.XMARGIN_DB) out.dbFile = env.XMARGIN_DB;
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
  return out;
}
