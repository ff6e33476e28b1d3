/**
 * Mutation fuzzing of derive-pmrm2 inputs: Derive's golden case files (read from ../shared at test time) through the
 * golden-case mapping and the PMRM_2 maths, and the example portfolios and market through the model. Accepted
 * outcomes: finite MM and IM (and report numbers), or an XmarginError with a JSON path: INVALID_INPUT / MISSING_DATA
 * for bad input, CALCULATION_FAILED where Derive's contract reverts, UNSUPPORTED where Derive cannot hold the book.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { XmarginError } from "../../src/core/errors.js";
import { computeMargin } from "../../src/margin/computeMargin.js";
import { reportToJson } from "../../src/margin/reportJson.js";
import { computePmrm2 } from "../../src/margin/venues/derivePmrm2/computePmrm2.js";
import { goldenCaseInputs } from "../../src/margin/venues/derivePmrm2/goldenCase.js";
import { firstNonFinite } from "../property/support.js";
import { mutate, pick, rng, show } from "./mutate.js";

const VECTORS = new URL("../../../shared/vectors/derive-pmrm2", import.meta.url).pathname;
const EXAMPLES = join(import.meta.dirname, "../../examples");
const ACCEPTED = new Set(["INVALID_INPUT", "MISSING_DATA", "CALCULATION_FAILED", "UNSUPPORTED"]);

/** undefined when the outcome is accepted, else a crash signature. */
function crashOf(fn: () => unknown): { crash?: string; ok: boolean } {
  try {
    const bad = firstNonFinite(fn());
    return bad ? { crash: `non-finite ${bad}`, ok: false } : { ok: true };
  } catch (err) {
    if (err instanceof XmarginError && ACCEPTED.has(err.code) && err.path?.startsWith("$")) return { ok: false };
    const e = err as { name?: string; code?: string; path?: string; message?: string };
    return {
      crash: `${e.name} ${e.code ?? ""} ${e.path ?? "(no path)"}: ${String(e.message).slice(0, 160)}`,
      ok: false,
    };
  }
}

function campaign(n: number, seed: number, make: (r: () => number) => { doc: unknown; run: () => unknown }): void {
  const r = rng(seed);
  const crashes = new Map<string, string>();
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const { doc, run } = make(r);
    const outcome = crashOf(run);
    if (outcome.ok) ok++;
    if (outcome.crash && !crashes.has(outcome.crash)) crashes.set(outcome.crash, show(doc));
  }
  expect([...crashes.entries()]).toEqual([]);
  expect(ok).toBeGreaterThan(0);
  expect(ok).toBeLessThan(n);
}

describe("derive-pmrm2 fuzzing", () => {
  it("mutated golden case files: finite MM and IM or a typed error with a path (600 documents)", () => {
    const files = readdirSync(VECTORS).filter((f) => f.endsWith(".json"));
    const cases = files.slice(0, 30).map((f) => JSON.parse(readFileSync(join(VECTORS, f), "utf8")));
    campaign(600, 1515, (r) => {
      const doc = mutate(pick(r, cases), r);
      return {
        doc,
        run: () => {
          const g = goldenCaseInputs(doc);
          const res = computePmrm2(g.account, g.params);
          return [res.maintenanceMargin, res.initialMargin, ...res.scenarioPnl];
        },
      };
    });
  });

  it("mutated example portfolios and market through the model (300 documents)", () => {
    const portfolios = readdirSync(join(EXAMPLES, "portfolios"))
      .filter((f) => f.endsWith(".json"))
      .map((f) => JSON.parse(readFileSync(join(EXAMPLES, "portfolios", f), "utf8")));
    const market = JSON.parse(readFileSync(join(EXAMPLES, "market-2023-06-30.json"), "utf8"));
    campaign(300, 1516, (r) => {
      const mutateMarket = r() < 0.5;
      const portfolio = mutateMarket ? pick(r, portfolios) : mutate(pick(r, portfolios), r);
      const m = mutateMarket ? mutate(market, r) : market;
      return {
        doc: mutateMarket ? m : portfolio,
        run: () => reportToJson(computeMargin({ portfolio, market: m, config: { model: "derive-pmrm2" } })),
      };
    });
  });
});
