import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../../src/cli/commandTable.js";
import { run, runCli } from "../../../src/cli/run.js";
import { market, portfolio } from "../../support/fixtures.js";
import { jsonFileWriter } from "../../support/tempFiles.js";

// Spawned tests run the built CLI (npm test builds dist/ first), as a user runs it.
const CLI = "dist/src/cli/main.js";
const { dir, write } = jsonFileWriter("xmargin-conv-");
const m = write("market.json", market());
// 10 ETH perp (IM 3,200 under grid: 10 x 2000 x 16%) against 2,500 USDC (2,450 after the 2% haircut):
// below initial margin, and liquidatable only when equity falls below the maintenance margin 1,600.
const belowIm = write(
  "below-im.json",
  portfolio({
    holdings: [{ chain: "arbitrum", token: "USDC", amount: "2500" }],
    positions: [{ kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "ETH", size: "10" }],
  }),
);
const liquidatable = write(
  "liquidatable.json",
  portfolio({
    holdings: [{ chain: "arbitrum", token: "USDC", amount: "1000" }],
    positions: [{ kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "ETH", size: "10" }],
  }),
);

describe("CLI conventions", () => {
  it("--version prints package.json's version; help, -h and <command> --help print the command's options", async () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
    expect(await run(["--version"])).toBe(pkg.version);
    expect(await run(["-h"])).toBe(await run(["help"]));
    for (const c of COMMANDS) {
      const help = await run(["help", c.name]);
      expect(help).toContain(`xmargin ${c.name}`);
      for (const o of c.options) expect(help).toContain(`--${o}`);
      expect(await run([c.name, "--help"])).toBe(help);
      expect(await run([c.name, "-h"])).toBe(help);
    }
  });

  it("suggests the nearest command, option and model", async () => {
    await expect(run(["marign"])).rejects.toThrow(/unknown command "marign" \(did you mean margin\?/);
    await expect(run(["margin", "--portfoli", "x"])).rejects.toThrow(
      /unknown option --portfoli for margin.*did you mean --portfolio\?/,
    );
    await expect(run(["margin", "--paths", "3"])).rejects.toThrow(/margin does not take --paths/);
    await expect(run(["margin", "--portfolio", belowIm, "--market", m, "--model", "gird"])).rejects.toThrow(
      /unknown model "gird".*did you mean grid\?/,
    );
    await expect(run(["margin", "--portfolio", belowIm, "--market", m, "--fail-on", "liquidable"])).rejects.toThrow(
      /did you mean liquidatable\?/,
    );
  });

  it("--fail-on exits 3 when the condition holds and 0 otherwise, still printing the report", async () => {
    const args = (p: string, c: string) => ["margin", "--portfolio", p, "--market", m, "--fail-on", c, "--json"];
    const r1 = await runCli(args(belowIm, "below-im"));
    expect(JSON.parse(r1.text).freeCollateral).toBe("-750.00"); // 2450 - 3200
    expect(r1.exitCode).toBe(3);
    expect((await runCli(args(belowIm, "liquidatable"))).exitCode).toBe(0);
    expect((await runCli(args(liquidatable, "liquidatable"))).exitCode).toBe(3);
    expect((await runCli(["margin", "--portfolio", belowIm, "--market", m])).exitCode).toBe(0);
    const health = await runCli(["health", "--portfolio", liquidatable, "--market", m, "--fail-on", "liquidatable"]);
    expect(health.exitCode).toBe(3);
  });

  it("under --json an error is one JSON document on stderr with code, path and message", () => {
    const res = spawnSync(
      process.execPath,
      [CLI, "margin", "--portfolio", join(dir, "nope.json"), "--market", m, "--json"],
      {
        encoding: "utf8",
      },
    );
    expect(res.status).toBe(2);
    expect(res.stdout).toBe("");
    const doc = JSON.parse(res.stderr) as { error: { code: string; path: string | null; message: string } };
    expect(doc.error.code).toBe("IO_ERROR");
    expect(doc.error.message).toMatch(/nope\.json/);
    const failOn = spawnSync(
      process.execPath,
      [CLI, "margin", "--portfolio", belowIm, "--market", m, "--fail-on", "below-im"],
      {
        encoding: "utf8",
      },
    );
    expect(failOn.status).toBe(3);
    expect(failOn.stdout).toContain("free collateral");
  });

  it("ends quietly when stdout is closed early (| head -c1): no EPIPE stack", async () => {
    const child = spawn(process.execPath, [CLI, "compare", "--portfolio", belowIm, "--market", m, "--json"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += String(d);
    });
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).not.toMatch(/EPIPE|at .*\(/);
    expect(code).toBe(0);
  });
});
