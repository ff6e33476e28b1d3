import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../../../src/cli/run.js";
import { market, portfolio } from "../../support/fixtures.js";
import { jsonFileWriter } from "../../support/tempFiles.js";

const { dir, write } = jsonFileWriter("xmargin-cli-");
const m = write("market.json", market());
const p = write(
  "portfolio.json",
  portfolio({
    holdings: [{ chain: "arbitrum", token: "USDC", amount: "10000" }],
    positions: [{ kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "ETH", size: "10" }],
  }),
);

describe("xmargin CLI", () => {
  it("margin --json prints one document with the required decimal-string fields", async () => {
    const doc = JSON.parse(await run(["margin", "--portfolio", p, "--market", m, "--model", "grid", "--json"]));
    // 10 ETH x 2000 x 16% default grid range = 3200
    expect(doc.initialMargin).toBe("3200.00");
    expect(doc.maintenanceMargin).toBe("1600.00");
    expect(doc.equity).toBe("10000.00");
    // USDC haircut 2%: 9800 - 3200
    expect(doc.freeCollateral).toBe("6600.00");
    expect(doc.breakdown.byChain[0].chain).toBe("arbitrum");
    expect(doc.breakdown.byPosition).toHaveLength(2);
  });

  it("margin --config reads a config file and compare shows every model", async () => {
    const c = write("config.json", { model: "grid", priceShocks: [-0.15, 0, 0.15], volShocks: [0] });
    const doc = JSON.parse(await run(["margin", "--portfolio", p, "--market", m, "--config", c, "--json"]));
    // extreme moves 3 x 15% = 45% at 33% weight = 14.85% < 15%: IM = 0.15 x 20000
    expect(doc.initialMargin).toBe("3000.00");
    const cmp = JSON.parse(await run(["compare", "--portfolio", p, "--market", m, "--json"]));
    expect(cmp.models.map((x: { model: string }) => x.model)).toEqual(["isolated", "cross", "grid", "xchain"]);
  });

  it("value prints marks and greeks", async () => {
    const doc = JSON.parse(await run(["value", "--portfolio", p, "--market", m, "--json"]));
    expect(doc.positions[1].delta).toBe("10");
    expect(doc.positions[0].value).toBe("10000.00");
  });

  it("exits non-zero with one line naming the bad field", () => {
    const bad = write("bad.json", {
      accountId: "x",
      positions: [{ kind: "perp", chain: "arbitrum", venue: "v", underlying: "ETH", size: "abc" }],
    });
    const res = spawnSync(process.execPath, ["dist/src/cli/main.js", "margin", "--portfolio", bad, "--market", m], {
      encoding: "utf8",
    });
    expect(res.status).toBe(2);
    expect(res.stdout).toBe("");
    const lines = res.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("$.positions[0].size");
    expect(lines[0]).toContain("bad.json");
  });

  it("names a missing file and an unknown option", () => {
    const res = spawnSync(
      process.execPath,
      ["dist/src/cli/main.js", "margin", "--portfolio", join(dir, "nope.json"), "--market", m],
      {
        encoding: "utf8",
      },
    );
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/cannot read portfolio file .*nope\.json \(ENOENT\)/);
    const opt = spawnSync(process.execPath, ["dist/src/cli/main.js", "margin", "--leverage", "3"], {
      encoding: "utf8",
    });
    expect(opt.status).toBe(2);
    expect(opt.stderr).toContain("--leverage");
  });

  it("risk --json estimates factor vols and a valid correlation from the real history without look-ahead", async () => {
    const history = join(process.cwd(), "../shared/data");
    const doc = JSON.parse(
      await run(["risk", "--history", history, "--factors", "BTC,ETH,basis:stETH", "--to", "2023-06-30", "--json"]),
    );
    expect(doc.factors.map((f: { name: string }) => f.name)).toEqual(["BTC", "ETH", "basis:stETH"]);
    expect(doc.source).toContain("..2023-06-30");
    for (let i = 0; i < 3; i++) {
      expect(doc.correlations[i][i]).toBe("1");
      for (let j = 0; j < 3; j++) expect(doc.correlations[i][j]).toBe(doc.correlations[j][i]);
    }
    // BTC and ETH moved together in 2021-2023: strongly positive correlation
    expect(Number(doc.correlations[0][1])).toBeGreaterThan(0.6);
    const bad = spawnSync(
      process.execPath,
      ["dist/src/cli/main.js", "risk", "--history", history, "--method", "magic"],
      {
        encoding: "utf8",
      },
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--method");
  });
});
