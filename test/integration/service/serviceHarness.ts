import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ServiceConfigInput } from "../../../src/service/serviceConfig.js";
import { type RunningService, type StartOptions, startService } from "../../../src/service/startService.js";

export const TEST_API_KEY = "test-key-0123456789abcdef";

export interface Harness {
  svc: RunningService;
  dir: string;
  url: string;
  /** fetch + JSON body, status. */
  call(
    path: string,
    init?: { method?: string; body?: unknown; key?: string | null; raw?: string },
  ): Promise<{
    status: number;
    body: Record<string, unknown>;
    headers: Headers;
  }>;
  stop(): Promise<void>;
}

/**
 * Starts the real service on loopback (random port) with a fresh SQLite file in a temp folder, demo accounts and a
 * replay that only advances on POST /v1/feed/step unless told otherwise.
 */
export async function startHarness(config: ServiceConfigInput = {}, options: StartOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), "xmargin-svc-"));
  const svc = await startService(
    {
      host: "127.0.0.1",
      port: 0,
      dbFile: join(dir, "xmargin.db"),
      demo: true,
      apiKeys: [TEST_API_KEY],
      ...config,
      feed: { autoStart: false, ...config.feed },
    },
    options,
  );
  return {
    svc,
    dir,
    url: svc.url,
    async call(path, init = {}) {
      const headers: Record<string, string> = {};
      if (init.body !== undefined || init.raw !== undefined) headers["content-type"] = "application/json";
      if (init.key !== null) headers["x-api-key"] = init.key ?? TEST_API_KEY;
      const res = await fetch(svc.url + path, {
        method: init.method ?? (init.body !== undefined || init.raw !== undefined ? "POST" : "GET"),
        headers,
        ...(init.raw !== undefined
          ? { body: init.raw }
          : init.body !== undefined
            ? { body: JSON.stringify(init.body) }
            : {}),
      });
      const text = await res.text();
      return {
        status: res.status,
        body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
        headers: res.headers,
      };
    },
    async stop() {
      await svc.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
