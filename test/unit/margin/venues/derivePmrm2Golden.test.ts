/**
 * Derive's PMRM_2 golden cases (BUSL-1.1, test-only: read from ../shared at test time, never copied here). MM and IM
 * must match within 1e-8 relative through the CLI runner, and the intermediate Result fields the specification names
 * (../shared/design/venues/derive-pmrm2.md, section 10.4) must match by its comparison protocol (10.5), with the
 * exceptions listed there.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run, runCli } from "../../../../src/cli/run.js";
import { computePmrm2 } from "../../../../src/margin/venues/derivePmrm2/computePmrm2.js";
import { goldenCaseInputs } from "../../../../src/margin/venues/derivePmrm2/goldenCase.js";
import { skewMultiplier, skewShape } from "../../../../src/margin/venues/derivePmrm2/skewShocks.js";

// Read from ../shared at test time (BUSL-1.1 test-only licence): never copied into the repository.
const DIR = new URL("../../../../../shared/vectors/derive-pmrm2", import.meta.url).pathname;
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .sort();
const TOL = 1e-8;

/** Spec 10.1: relative 1e-8, or absolute 1e-8 when either side is below 1e-10 in size. */
function expectClose(got: number, want: number, what: string): void {
  const ok =
    Math.min(Math.abs(got), Math.abs(want)) < 1e-10
      ? Math.abs(got - want) <= TOL
      : Math.abs(got - want) <= TOL * Math.abs(want);
  if (!ok) expect.fail(`${what}: got ${got}, want ${want}`);
}

type Row = Array<string | number>;
const num = (v: unknown) => Number(v);

describe("derive-pmrm2 golden cases", () => {
  it("has the 106 shared cases", () => {
    expect(FILES).toHaveLength(106);
  });

  it("xmargin vectors --json: every case within 1e-8 relative, decimals as exact strings", async () => {
    const doc = JSON.parse(await run(["vectors", "derive-pmrm2", "--dir", DIR, "--json"]));
    expect(doc.cases.map((c: { case: string }) => c.case)).toEqual(FILES);
    for (const c of doc.cases) {
      const expected = JSON.parse(readFileSync(join(DIR, c.case), "utf8")).Result;
      expect(Number(c.expectedMM)).toBe(expected.MM);
      expect(Number(c.expectedIM)).toBe(expected.IM);
      expect(c.maintenanceMargin).toMatch(/^-?\d+(\.\d+)?$/);
      expect(c.relErrMM).toBeLessThanOrEqual(TOL);
      expect(c.relErrIM).toBeLessThanOrEqual(TOL);
      expect(c.relErrMM).toBeCloseTo(Math.abs(Number(c.maintenanceMargin) / expected.MM - 1), 12);
    }
  });

  it("xmargin vectors fails (non-zero exit) when a case misses, and still prints the report", async () => {
    const dir = mkdtempSync(join(tmpdir(), "xmargin-vectors-"));
    const doc = JSON.parse(readFileSync(join(DIR, FILES[0]!), "utf8"));
    doc.Result.MM *= 1 + 1e-6;
    writeFileSync(join(dir, "moved.json"), JSON.stringify(doc));
    const { text, exitCode } = await runCli(["vectors", "derive-pmrm2", "--dir", dir]);
    expect(exitCode).toBe(1);
    expect(text).toContain("0/1 cases within 1e-8");
    expect(text).toContain("MISS");
    expect((await runCli(["vectors", "derive-pmrm2", "--dir", DIR])).exitCode).toBe(0);
  });

  it("the xmargin binary exits 0 when every case matches and non-zero, report printed, when one misses", () => {
    // dist is built by `npm test` (tsc) before the tests run.
    const ok = spawnSync(process.execPath, ["dist/src/cli/main.js", "vectors", "derive-pmrm2", "--dir", DIR], {
      encoding: "utf8",
    });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain(`${FILES.length}/${FILES.length} cases within 1e-8 relative`);
    const dir = mkdtempSync(join(tmpdir(), "xmargin-vectors-bin-"));
    const doc = JSON.parse(readFileSync(join(DIR, FILES[0]!), "utf8"));
    doc.Result.IM = doc.Result.IM * (1 + 1e-7) + 1;
    writeFileSync(join(dir, "moved.json"), JSON.stringify(doc));
    const miss = spawnSync(
      process.execPath,
      ["dist/src/cli/main.js", "vectors", "derive-pmrm2", "--dir", dir, "--json"],
      {
        encoding: "utf8",
      },
    );
    expect(miss.status).not.toBe(0);
    expect(JSON.parse(miss.stdout).cases[0].relErrIM).toBeGreaterThan(1e-8);
    expect(miss.status).toBe(1);
  });

  it("rejects an unknown suite and a missing directory with clear errors", async () => {
    await expect(run(["vectors", "cme-span", "--dir", DIR])).rejects.toThrow(/unknown vector suite "cme-span"/);
    await expect(run(["vectors", "derive-pmrm2", "--dir", "/nonexistent-dir"])).rejects.toThrow(/cannot read/);
  });

  it.each(FILES)("%s: intermediate Result fields", (file) => {
    const doc = JSON.parse(readFileSync(join(DIR, file), "utf8"));
    const want = doc.Result;
    // W_max = 20 reproduces the generator's MarkVol and evaluated vols (spec 4.3); MM and IM do not depend on it.
    const g = goldenCaseInputs(doc, { maxTotalVariance: 20 });
    const r = computePmrm2(g.account, g.params);
    const at = (f: string) => `${file} ${f}`;
    expectClose(r.maintenanceMargin, want.MM, at("MM"));
    expectClose(r.initialMargin, want.IM, at("IM"));
    expectClose(r.maintenanceMargin, want.MMHand, at("MMHand"));
    expectClose(r.initialMargin, want.IMHand, at("IMHand"));
    expectClose(r.optionMtm, want.OptionMTM, at("OptionMTM"));
    want.OptionMTMPerExpiry.forEach((v: number, e: number) => {
      expectClose(r.optionMtmPerExpiry[e]!, v, at(`OptionMTMPerExpiry[${e}]`));
      expectClose(r.optionMtmPerExpiryDiscounted[e]!, want.OptionMTMPerExpiryDiscounted[e], at(`Discounted[${e}]`));
    });
    expect(Math.abs(r.collateralMtm - want.CollateralMTM)).toBeLessThanOrEqual(TOL);
    expectClose(r.portfolioMtm, want.PortfolioMTM, at("PortfolioMTM"));
    expectClose(r.basisContingency, want.ForwardContingency, at("ForwardContingency"));
    expectClose(-r.mmPerpCont, want.MMPerpCont, at("MMPerpCont"));
    expectClose(-r.imPerpCont, want.IMPerpCont, at("IMPerpCont"));
    expectClose(-(r.mmPerpCont + r.imPerpCont), want.IMPerpContNormal, at("IMPerpContNormal"));
    expectClose(-r.mmOptionCont, want.MMOptionCont, at("MMOptionCont"));
    expectClose(-r.imOptionCont, want.IMOptionCont, at("IMOptionCont"));
    expectClose(-(r.mmOptionCont + r.imOptionCont), want.IMOptionContNormal, at("IMOptionContNormal"));
    expectClose(-r.mmBaseCont, want.MMBaseCont, at("MMBaseCont"));
    expectClose(-r.imBaseCont, want.IMBaseCont, at("IMBaseCont"));
    expectClose(-(r.mmBaseCont + r.imBaseCont), want.IMBaseContNormal, at("IMBaseContNormal"));
    expectClose(-r.oracleCont.total, want.OracleCont, at("OracleCont"));
    expectClose(r.mmLossFactor, want.MMLossFactor, at("MMLossFactor"));
    expectClose(r.imLossFactor, want.IMLossFactor, at("IMLossFactor"));
    expectClose(r.imLossFactor, want.im_loss_factor, at("im_loss_factor"));
    g.account.expiries.forEach((e, i) => {
      // Exception (10.4): an expired expiry's discount factors are generator placeholders.
      if (e.secondsToExpiry <= 0) return;
      expectClose(r.discountFactors[i]![0], want.discount_factors[i][0], at(`discount_factors[${i}][0]`));
      expectClose(r.discountFactors[i]![1], want.discount_factors[i][1], at(`discount_factors[${i}][1]`));
    });

    // Scenario P&L by group, in list order.
    const byGroup = { regular: [] as number[], tail: [] as number[], skew: [] as number[] };
    r.scenarioPnl.forEach((v, k) => {
      byGroup[r.scenarioGroup[k]!].push(v);
    });
    expect(byGroup.regular).toHaveLength(want.reg_losses.length);
    expect(byGroup.tail).toHaveLength(want.tail_losses.length);
    expect(byGroup.skew).toHaveLength(want.skew_losses.length);
    want.reg_losses.forEach((row: Row, k: number) => {
      expectClose(byGroup.regular[k]!, num(row[2]), at(`reg_losses[${k}]`));
    });
    want.tail_losses.forEach((row: Row, k: number) => {
      expectClose(byGroup.tail[k]!, num(row[2]), at(`tail_losses[${k}]`));
    });
    // Exception (6.7): test_67's second skew row is a configuration the contract rejects.
    const skewException = file.startsWith("test_67_");
    want.skew_losses.forEach((row: Row, k: number) => {
      if (!(skewException && k === 1)) expectClose(byGroup.skew[k]!, num(row[1]), at(`skew_losses[${k}]`));
    });
    expectClose(r.worstLoss.regular, want.worst_reg_loss, at("worst_reg_loss"));
    expectClose(r.worstLoss.tail, want.worst_tail_loss, at("worst_tail_loss"));
    if (!skewException) expectClose(r.worstLoss.skew, want.worst_skew_loss, at("worst_skew_loss"));

    // Per option: vols, vol shocks, and the skew shape.
    const p = g.params;
    doc.Scenario.Options.forEach((o: Record<string, number>, i: number) => {
      const { expiry: e, option: j } = g.optionIndex[i]!;
      const exp = g.account.expiries[e]!;
      const sigma = exp.options[j]!.volAnnual;
      expectClose(sigma, o.MarkVol!, at(`Options[${i}].MarkVol`));
      expectClose(r.volShockUp[e]!, want.VolShockUpMultiplier[i], at(`VolShockUpMultiplier[${i}]`));
      expectClose(r.volShockDown[e]!, want.VolShockDownMultiplier[i], at(`VolShockDownMultiplier[${i}]`));
      expectClose(
        Math.max(p.volShock.minVolUpShock, sigma * r.volShockUp[e]!),
        want.VolShockUpEvaluated[i],
        at(`VolShockUpEvaluated[${i}]`),
      );
      expectClose(sigma * r.volShockDown[e]!, want.VolShockDownEvaluated[i], at(`VolShockDownEvaluated[${i}]`));
      // Exception (10.4): the expired option of test_66 has placeholder skew fields.
      if (exp.secondsToExpiry <= 0) return;
      const k = Math.log(o.Strike! / (exp.forwardFixed + exp.forwardVariable));
      expectClose(k, o.k!, at(`Options[${i}].k`));
      const linear = skewShape(exp.secondsToExpiry, p.skewShock, "linear");
      const abs = skewShape(exp.secondsToExpiry, p.skewShock, "abs");
      expectClose(linear.kStar, o.k_star!, at(`Options[${i}].k_star`));
      expectClose(linear.cap, o.linear_mult_cap!, at(`Options[${i}].linear_mult_cap`));
      expectClose(abs.cap, o.abs_mult_cap!, at(`Options[${i}].abs_mult_cap`));
      expectClose(skewMultiplier(k, linear), o.linear_multiplier!, at(`Options[${i}].linear_multiplier`));
      expectClose(skewMultiplier(Math.abs(k), abs), o.abs_multiplier!, at(`Options[${i}].abs_multiplier`));
    });
  });
});
