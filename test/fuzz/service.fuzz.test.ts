import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../src/service/paths.js";
import { expectMatchesOpenApi, type Observed, recordAnswers } from "../integration/service/openApiContract.js";
import { type Harness, startHarness } from "../integration/service/serviceHarness.js";
import { mutate, nastyValue, pick, rng } from "./mutate.js";

const example = (f: string) => JSON.parse(readFileSync(join(REPO_ROOT, "examples", f), "utf8")) as unknown;
const market = example("market-2023-06-30.json");
const portfolios = ["directional-perp", "short-strangle", "cross-chain-basis", "delta-hedged-options"].map((n) =>
  example(`portfolios/${n}.json`),
);

/** JSON text of a value, or undefined when it is too deep for JSON.stringify itself. */
function jsonOrUndefined(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/** Every answer of the fuzzed service: never a 5xx, always a JSON error with a code, never a stack trace. */
function expectClientError(res: { status: number; body: Record<string, unknown> }, what: string): void {
  expect(res.status, what).toBeLessThan(500);
  if (res.status >= 400) {
    const error = res.body.error as { code?: unknown } | undefined;
    expect(typeof error?.code, what).toBe("string");
    expect(JSON.stringify(res.body), what).not.toMatch(/\bat .*\.(ts|js):\d+|"stack"/);
  }
}

/**
 * Fuzzing the HTTP endpoints of the real service on loopback: mutated and random JSON bodies, damaged raw bodies,
 * deep nesting, huge bodies and odd path parameters. Seeded, bounded in count, loopback only.
 */
describe("fuzzing the service endpoints", () => {
  let h: Harness;
  const tally = { requests: 0, ok: 0, clientErrors: 0 };
  const count = (status: number) => {
    tally.requests++;
    if (status < 400) tally.ok++;
    else tally.clientErrors++;
  };
  const observed: Observed[] = [];
  beforeAll(async () => {
    h = await startHarness({ rateLimit: { max: 100_000, timeWindowMs: 60_000 } });
    // Record every answer for the contract check against the OpenAPI document.
    recordAnswers(h, observed);
  });
  afterAll(async () => {
    if (process.env.FUZZ_REPORT) console.log(`service fuzz: ${JSON.stringify(tally)}`);
    await h.stop();
  });

  it("POST /v1/margin and /v1/whatif with mutated documents: only 2xx or JSON 4xx", async () => {
    const r = rng(404);
    for (let i = 0; i < 250; i++) {
      const model = pick(r, ["isolated", "cross", "grid", "xchain"]);
      const base = {
        portfolio: pick(r, portfolios),
        market,
        config: model === "xchain" ? { model, simulation: { paths: 500 } } : { model },
      };
      // A quarter unmutated (against the live market or the given snapshot), so successes are exercised too.
      const body =
        r() < 0.25
          ? r() < 0.5
            ? { portfolio: base.portfolio, config: base.config }
            : base
          : mutate(r() < 0.3 ? { portfolio: base.portfolio, config: base.config } : base, r, 3);
      const raw = jsonOrUndefined(body);
      if (raw === undefined) continue; // nested too deep for JSON.stringify: sent raw in the last test instead
      const res = await h.call("/v1/margin", { raw });
      count(res.status);
      expectClientError(res, `margin #${i}`);
    }
    for (let i = 0; i < 80; i++) {
      const body = mutate(
        { portfolio: pick(r, portfolios), whatIf: { moves: [{ underlying: "BTC", spotShockRel: -0.1 }] } },
        r,
        3,
      );
      const raw = jsonOrUndefined(body);
      if (raw === undefined) continue;
      const res = await h.call("/v1/whatif", { raw });
      count(res.status);
      expectClientError(res, `whatif #${i}`);
    }
  });

  it("PUT and GET /v1/accounts/:id with odd ids and mutated portfolios", async () => {
    const r = rng(505);
    const ids = ["a", "é🚀", "x".repeat(300), "%00", "..%2F..%2Fetc", "a b", "-", "__proto__", "constructor"];
    for (let i = 0; i < 120; i++) {
      const nasty = nastyValue(r);
      const text = typeof nasty === "string" ? nasty : (jsonOrUndefined(nasty) ?? "deep");
      const id = encodeURIComponent(i < ids.length ? ids[i]! : text.slice(0, 200));
      const raw = jsonOrUndefined(mutate(pick(r, portfolios), r, 2)) ?? "{}";
      const put = await h.call(`/v1/accounts/${id}`, { method: "PUT", raw });
      count(put.status);
      expectClientError(put, `PUT ${id}`);
      for (const path of [`/v1/accounts/${id}`, `/v1/accounts/${id}/margin`, `/v1/accounts/${id}/plans`]) {
        const get = await h.call(path);
        count(get.status);
        expectClientError(get, `GET ${path}`);
      }
    }
  });

  it("damaged raw bodies, deep nesting and a 10 MB body", async () => {
    const r = rng(606);
    const raws = [
      "",
      "{",
      "null",
      "[]",
      '"string"',
      "1e400",
      "NaN",
      '{"portfolio": }',
      `{"portfolio": ${"[".repeat(100_000)}${"]".repeat(100_000)}}`,
      `{"a":${'{"a":'.repeat(5_000)}1${"}".repeat(5_000)}}`,
      "\u0000\u0001\u0002",
      JSON.stringify({ portfolio: { accountId: "x".repeat(10_000_000) }, market }),
    ];
    for (let i = 0; i < 40; i++) {
      raws.push(
        Array.from({ length: 1 + Math.floor(r() * 200) }, () => String.fromCharCode(Math.floor(r() * 256))).join(""),
      );
    }
    for (const raw of raws) {
      for (const path of ["/v1/margin", "/v1/whatif"]) {
        const res = await h.call(path, { raw }).catch((err: Error) => ({ status: 0, body: { error: err.message } }));
        count(res.status);
        expect(res.status, `${path} ${raw.slice(0, 40)}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${path} ${raw.slice(0, 40)}`).toBeLessThan(500);
      }
    }
  });

  it("contract: every answer of the campaign is documented in /openapi.json (status per path and method, error shape)", async () => {
    const doc = (await h.call("/openapi.json")).body as Parameters<typeof expectMatchesOpenApi>[0];
    expect(observed.length).toBeGreaterThan(700);
    expectMatchesOpenApi(doc, observed);
  });

  it("the service is still up and answering after the campaign", async () => {
    const res = await h.call("/healthz");
    expect(res.status).toBe(200);
    expect(tally.requests).toBeGreaterThan(700);
    expect(tally.ok).toBeGreaterThan(40);
    expect(tally.clientErrors).toBeGreaterThan(0);
  });
});
