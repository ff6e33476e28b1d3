/**
 * Adversarial load test on loopback (issue 14): the built service (dist/, so heavy calls run in worker threads) in a
 * child process, hit at once by honest requests, maximal-but-allowed margin bodies, backtests with ever-changing
 * `days`, a WebSocket flood and slow WebSocket readers, while /healthz is probed every 50 ms, the replay ticks every
 * FEED_MS and the child's RSS is sampled. Bounded (XMARGIN_LOAD_SECONDS, default 20 s); slow, so outside the default
 * suite: `npm run build && XMARGIN_LOAD_TEST=1 npx vitest run test/integration/service/adversarial.test.ts`.
 * Prints one JSON line with the figures reported in docs/reliability.md.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { REPO_ROOT } from "../../../src/service/paths.js";

const enabled = process.env.XMARGIN_LOAD_TEST === "1";
const SECONDS = Number(process.env.XMARGIN_LOAD_SECONDS ?? 20);
const FEED_MS = 1000;
const KEY = "adversarial-key-0123456789";
const DIST = join(REPO_ROOT, "dist", "src", "service", "startService.js");

const example = (f: string) =>
  JSON.parse(readFileSync(join(REPO_ROOT, "examples", f), "utf8")) as Record<string, unknown>;

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 10) / 10;
  return {
    n: s.length,
    min: r(s[0] ?? Number.NaN),
    p50: r(quantile(s, 0.5)),
    p90: r(quantile(s, 0.9)),
    p99: r(quantile(s, 0.99)),
    max: r(s.at(-1) ?? Number.NaN),
  };
};

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

describe.runIf(enabled && existsSync(DIST))("adversarial load on loopback (built service, worker threads)", () => {
  let child: ChildProcess;
  let url = "";
  let dir = "";
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "xmargin-adv-"));
    const config = {
      host: "127.0.0.1",
      port: 0,
      dbFile: join(dir, "xmargin.db"),
      demo: true,
      apiKeys: [KEY],
      rateLimit: { max: 1_000_000, timeWindowMs: 60_000 },
      feed: { intervalMs: FEED_MS, loop: true },
    };
    const script = `import(${JSON.stringify(DIST)}).then(async (m) => { const s = await m.startService(${JSON.stringify(config)}, { log: (l) => process.stderr.write("svc: " + l.slice(0, 600) + "\\n") }); process.stdout.write("URL " + s.url + "\\n"); });`;
    child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    url = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /URL (\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on("exit", (code) => reject(new Error(`service exited ${code}`)));
    });
  }, 60_000);
  afterAll(() => {
    child?.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps /healthz p99 < 100 ms, the tick gap < 1.5 x the feed interval and RSS < 1 GB", {
    timeout: (SECONDS + 60) * 1000,
  }, async () => {
    // Reference in the same run: the same probes with no attack (only the replay ticking).
    const reference = { health: [] as number[], ticks: [] as number[] };
    const refWatcher = new WebSocket(`${url.replace("http", "ws")}/v1/stream?key=${KEY}`);
    refWatcher.on("message", (d) => {
      if ((JSON.parse(String(d)) as { type: string }).type === "tick") reference.ticks.push(performance.now());
    });
    const refUntil = Date.now() + (SECONDS / 4) * 1000;
    while (Date.now() < refUntil) {
      const t0 = performance.now();
      await (await fetch(`${url}/healthz`)).arrayBuffer();
      reference.health.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 50));
    }
    refWatcher.close();
    const until = Date.now() + SECONDS * 1000;
    const headers = { "content-type": "application/json", "x-api-key": KEY };
    const counts: Record<string, Record<string, number>> = {};
    const tally = (kind: string, status: number) => {
      counts[kind] ??= {};
      counts[kind][status] = (counts[kind][status] ?? 0) + 1;
    };
    const loop = async (kind: string, make: (i: number) => Promise<Response>) => {
      for (let i = 0; Date.now() < until; i++) {
        const res = await make(i).catch(() => undefined);
        tally(kind, res?.status ?? 0);
        await res?.arrayBuffer().catch(() => undefined);
        if (res?.status === 503) await new Promise((r) => setTimeout(r, 200));
      }
    };
    const perp = example("portfolios/directional-perp.json");
    const fund = example("portfolios/multichain-fund.json");
    const market = example("market-2023-06-30.json");
    // maximal-but-allowed: xchain with paths x items at the budget (2,000,000 / 14 items), the snapshot in the body
    const maximal = JSON.stringify({
      portfolio: fund,
      market,
      config: {
        model: "xchain",
        simulation: { paths: Math.min(50_000, Math.floor(2_000_000 / 14)) },
      },
    });
    const accounts = ["acct-btc-strangle-01", "acct-directional-perp-01", "fund-multichain-01"];

    // health probe and tick gaps
    const health: number[] = [];
    const rss: number[] = [];
    const probe = (async () => {
      while (Date.now() < until) {
        const t0 = performance.now();
        const res = await fetch(`${url}/healthz`).catch(() => undefined);
        await res?.arrayBuffer();
        health.push(performance.now() - t0);
        rss.push(rssMb(child.pid!));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const tickTimes: number[] = [];
    const watcher = new WebSocket(`${url.replace("http", "ws")}/v1/stream?key=${KEY}`);
    watcher.on("message", (d) => {
      if ((JSON.parse(String(d)) as { type: string }).type === "tick") tickTimes.push(performance.now());
    });

    // WebSocket flood: clients subscribing and pinging far over the rate limit (they get closed and come back)
    let floodSent = 0;
    const flood = async () => {
      while (Date.now() < until) {
        const ws = new WebSocket(`${url.replace("http", "ws")}/v1/stream?key=${KEY}`);
        await new Promise<void>((resolve) => {
          ws.on("open", () => {
            const timer = setInterval(() => {
              if (ws.readyState !== ws.OPEN) return;
              for (let k = 0; k < 20; k++) ws.send(JSON.stringify({ type: "subscribe", accounts: ["*"] }));
              floodSent += 20;
            }, 50);
            ws.on("close", () => {
              clearInterval(timer);
              resolve();
            });
          });
          ws.on("error", () => resolve());
        });
      }
    };
    // slow readers: subscribe to everything, then never read
    const slow: WebSocket[] = [];
    for (let k = 0; k < 30; k++) {
      const ws = new WebSocket(`${url.replace("http", "ws")}/v1/stream?key=${KEY}`);
      ws.on("open", () => {
        ws.send(JSON.stringify({ type: "subscribe", accounts: ["*"] }));
        (ws as unknown as { _socket: { pause(): void } })._socket.pause();
      });
      ws.on("error", () => undefined);
      slow.push(ws);
    }

    await Promise.all([
      probe,
      loop("honest GET /v1/accounts", () => fetch(`${url}/v1/accounts`, { headers })),
      loop("honest POST /v1/margin", () =>
        fetch(`${url}/v1/margin`, { method: "POST", headers, body: JSON.stringify({ portfolio: perp }) }),
      ),
      loop("maximal POST /v1/margin", () => fetch(`${url}/v1/margin`, { method: "POST", headers, body: maximal })),
      loop("maximal POST /v1/margin", () => fetch(`${url}/v1/margin`, { method: "POST", headers, body: maximal })),
      loop("backtest, varying days", (i) =>
        fetch(`${url}/v1/accounts/${accounts[i % 3]}/backtest?days=${1 + ((i * 37) % 730)}`, { headers }),
      ),
      loop("backtest, varying days", (i) =>
        fetch(`${url}/v1/accounts/${accounts[(i + 1) % 3]}/backtest?days=${1 + ((i * 53) % 730)}`, { headers }),
      ),
      flood(),
      flood(),
    ]);
    watcher.close();
    for (const ws of slow) ws.terminate();

    const gaps = tickTimes.slice(1).map((t, i) => t - tickTimes[i]!);
    const stats = (await (await fetch(`${url}/healthz`)).json()) as { stats: unknown; compute: unknown };
    const figures = {
      reference: {
        healthzMs: summary(reference.health),
        tickGapMs: summary(reference.ticks.slice(1).map((t, i) => t - reference.ticks[i]!)),
      },
      serviceStats: stats.stats,
      compute: stats.compute,
      seconds: SECONDS,
      feedIntervalMs: FEED_MS,
      healthzMs: summary(health),
      tickGapMs: summary(gaps),
      rssMb: summary(rss),
      floodMessagesSent: floodSent,
      answers: counts,
    };
    console.log(`adversarial load: ${JSON.stringify(figures)}`);
    expect(health.length).toBeGreaterThan(SECONDS * 5);
    expect(figures.healthzMs.p99).toBeLessThan(100);
    expect(gaps.length).toBeGreaterThan(SECONDS / (FEED_MS / 1000) / 2);
    expect(figures.tickGapMs.max).toBeLessThan(1.5 * FEED_MS);
    expect(figures.rssMb.max).toBeLessThan(1024);
    const five = Object.entries(counts).flatMap(([k, c]) =>
      Object.keys(c)
        .filter((s) => Number(s) >= 500 && s !== "503")
        .map((s) => `${k} ${s}`),
    );
    expect(five).toEqual([]);
  });
});
