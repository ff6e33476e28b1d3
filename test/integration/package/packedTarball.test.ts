import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../../src/cli/run.js";
import { ensureWebBundle, WEB_BUNDLE_DIR } from "../../support/webBundle.js";

// Packs the repository as npm would publish it, installs the tarball in a fresh folder and runs the installed
// `xmargin`, as a user who installs the package does. Needs dist/ built (npm test runs tsc first) and the npm
// registry or the npm cache for the dependencies (--prefer-offline: the cache first, no other network).
const ROOT = new URL("../../../", import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { name: string; version: string };
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const work = mkdtempSync(join(tmpdir(), "xmargin-pack-"));
const app = join(work, "app");
const installed = join(app, "node_modules", "xmargin");
const bin = join(app, "node_modules", ".bin", "xmargin");
let files: string[] = [];

/** The native SQLite binding the repository built, for the same better-sqlite3 version (no download, no compiler). */
function copySqliteBinding(): void {
  const from = join(ROOT, "node_modules/better-sqlite3/build/Release/better_sqlite3.node");
  const to = join(app, "node_modules/better-sqlite3/build/Release");
  mkdirSync(to, { recursive: true });
  copyFileSync(from, join(to, "better_sqlite3.node"));
}

describe.skipIf(!existsSync(join(ROOT, "dist/src/cli/main.js")))("the packed npm tarball", () => {
  beforeAll(() => {
    // `npm pack --ignore-scripts` skips prepack: the dashboard bundle must already be built (npm test builds it).
    ensureWebBundle();
    const packed = JSON.parse(
      execFileSync(npm, ["pack", "--ignore-scripts", "--json", "--pack-destination", work], {
        cwd: ROOT,
        encoding: "utf8",
      }),
    ) as Array<{ filename: string; files: Array<{ path: string }> }>;
    files = packed[0]!.files.map((f) => f.path);
    const sqlite = JSON.parse(readFileSync(join(ROOT, "node_modules/better-sqlite3/package.json"), "utf8")) as {
      version: string;
    };
    mkdirSync(app);
    // The binding copied below must match the JavaScript side: the same better-sqlite3 version as the repository's.
    writeFileSync(
      join(app, "package.json"),
      JSON.stringify({ name: "app", private: true, overrides: { "better-sqlite3": sqlite.version } }),
    );
    execFileSync(
      npm,
      ["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund", join(work, packed[0]!.filename)],
      { cwd: app, encoding: "utf8", stdio: "pipe" },
    );
    copySqliteBinding();
  }, 300_000);

  it("ships the code, the dashboard, the examples, the docs and the LICENSE, but no tests or benchmarks", () => {
    for (const f of [
      "dist/src/cli/main.js",
      "dist/src/index.d.ts",
      "dist/dashboard/index.html",
      "LICENSE",
      "README.md",
    ]) {
      expect(files).toContain(f);
    }
    expect(files.some((f) => f.startsWith("examples/portfolios/"))).toBe(true);
    expect(files.filter((f) => /^dist\/(test|bench)\//.test(f))).toEqual([]);
    // The dashboard ships built (dist/dashboard), not as its TypeScript sources.
    expect(files.some((f) => /^dist\/dashboard\/assets\/.+\.js$/.test(f))).toBe(true);
    expect(files.filter((f) => f.startsWith("web/"))).toEqual([]);
    expect(readFileSync(join(installed, "LICENSE"), "utf8")).toMatch(/Apache License\s+Version 2\.0/);
  });

  it("runs `xmargin --version` and `xmargin margin` on an example, with the repository's numbers", async () => {
    expect(execFileSync(bin, ["--version"], { encoding: "utf8" }).trim()).toBe(pkg.version);
    const args = (dir: string) => [
      "margin",
      "--portfolio",
      join(dir, "examples/portfolios/short-strangle.json"),
      "--market",
      join(dir, "examples/market-2023-06-30.json"),
      "--json",
    ];
    const fromTarball = JSON.parse(execFileSync(bin, args(installed), { encoding: "utf8" })) as Record<string, unknown>;
    const fromRepo = JSON.parse(await run(args(ROOT))) as Record<string, unknown>;
    expect(fromTarball.initialMargin).toBe(fromRepo.initialMargin);
    expect(fromTarball.maintenanceMargin).toBe(fromRepo.maintenanceMargin);
  });

  it("imports the package by name through its exports map (typed entry point)", () => {
    const out = execFileSync(
      process.execPath,
      ["--input-type=module", "-e", "const m = await import('xmargin'); console.log(typeof m.computeMargin);"],
      { cwd: app, encoding: "utf8" },
    );
    expect(out.trim()).toBe("function");
    const exported = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as {
      exports: Record<string, { types: string }>;
    };
    expect(existsSync(join(installed, exported.exports["."]!.types))).toBe(true);
  });

  describe("serve", () => {
    let child: ChildProcess | undefined;
    afterAll(() => {
      child?.kill("SIGTERM");
    });

    it("answers / with the dashboard shipped in the package", async () => {
      child = spawn(bin, ["serve", "--port", "0", "--db", join(work, "serve.db")], {
        cwd: app,
        env: { ...process.env, XMARGIN_HISTORY_DIR: join(work, "no-history") },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 30_000);
        child!.stdout!.on("data", (d) => {
          out += String(d);
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
        child!.on("exit", (code) => reject(new Error(`serve exited ${code}: ${out}`)));
      });
      const res = await fetch(`${url}/`);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toBe(readFileSync(join(WEB_BUNDLE_DIR, "index.html"), "utf8"));
      // The bundle the page loads is served too, from the installed package.
      const script = /<script type="module"[^>]*src="([^"]+)"/.exec(html)?.[1];
      expect(script).toMatch(/^\/assets\/.+\.js$/);
      const js = await fetch(`${url}${script}`);
      expect(js.status).toBe(200);
      expect(js.headers.get("content-type")).toContain("javascript");
      expect(await js.text()).toBe(readFileSync(join(WEB_BUNDLE_DIR, script!.slice(1)), "utf8"));
      // The API docs page and its Swagger UI assets come from the installed package's dependencies, not a CDN.
      const docs = await fetch(`${url}/docs`);
      expect(docs.status).toBe(200);
      const page = await docs.text();
      expect(page).toContain('src="/docs/swagger-ui-bundle.js"');
      expect(page).not.toMatch(/https?:\/\//);
      const bundle = await fetch(`${url}/docs/swagger-ui-bundle.js`);
      expect(bundle.status).toBe(200);
      expect((await bundle.text()).length).toBeGreaterThan(100_000);
      const metrics = await fetch(`${url}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain("xmargin_nodejs_eventloop_lag_seconds");
    });
  });
});
