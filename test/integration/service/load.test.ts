import { readFileSync } from "node:fs";
import { join } from "node:path";
import autocannon from "autocannon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../../src/service/paths.js";
import { type Harness, startHarness, TEST_API_KEY } from "./serviceHarness.js";

/**
 * Bounded loopback load test of POST /v1/margin (10 connections; 10 s by default). Slow, so outside the default
 * suite: XMARGIN_LOAD_TEST=1 npx vitest run test/integration/service/load.test.ts
 * (XMARGIN_LOAD_SECONDS, XMARGIN_LOAD_CONNECTIONS to change the bounds). Prints one JSON line per case.
 */
const enabled = process.env.XMARGIN_LOAD_TEST === "1";
const seconds = Number(process.env.XMARGIN_LOAD_SECONDS ?? 10);
const connections = Number(process.env.XMARGIN_LOAD_CONNECTIONS ?? 10);
const portfolio = (f: string) =>
  JSON.parse(readFileSync(join(REPO_ROOT, "examples", "portfolios", f), "utf8")) as unknown;

describe.runIf(enabled)("load: POST /v1/margin on loopback", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ rateLimit: { max: 10_000_000, timeWindowMs: 60_000 }, demo: false });
  });
  afterAll(async () => {
    await h.stop();
  });

  const market = JSON.parse(readFileSync(join(REPO_ROOT, "examples", "market-2023-06-30.json"), "utf8")) as unknown;
  for (const [name, file, model, withMarket] of [
    ["directional perp, grid, live market", "directional-perp.json", "grid", false],
    ["short strangle, grid, live market", "short-strangle.json", "grid", false],
    ["short strangle, grid, snapshot in the body (20 kB)", "short-strangle.json", "grid", true],
  ] as const) {
    it(name, { timeout: (seconds + 30) * 1000 }, async () => {
      const result = await autocannon({
        url: `${h.url}/v1/margin`,
        method: "POST",
        connections,
        duration: seconds,
        headers: { "content-type": "application/json", "x-api-key": TEST_API_KEY },
        body: JSON.stringify({ portfolio: portfolio(file), config: { model }, ...(withMarket ? { market } : {}) }),
      });
      const line = {
        bench: "service.margin",
        case: name,
        connections,
        durationSec: result.duration,
        requests: result.requests.total,
        requestsPerSec: Math.round(result.requests.average),
        latencyP50Ms: result.latency.p50,
        latencyP99Ms: result.latency.p99,
        latencyMaxMs: result.latency.max,
        non2xx: result.non2xx,
        errors: result.errors,
      };
      process.stdout.write(`${JSON.stringify(line)}\n`);
      expect(result.non2xx).toBe(0);
      expect(result.errors).toBe(0);
      expect(result.requests.total).toBeGreaterThan(0);
    });
  }
});
