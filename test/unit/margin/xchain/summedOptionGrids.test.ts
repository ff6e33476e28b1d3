import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateOptionsBook } from "../../../../bench/generateOptionsBook.js";
import { generatePortfolio } from "../../../../bench/generatePortfolio.js";
import { runMarginModel } from "../../../../src/margin/computeMargin.js";
import type { MarginReport } from "../../../../src/margin/report.js";
import type { ResolvedPortfolio } from "../../../../src/margin/resolve/resolvedPortfolio.js";
import { resolvePortfolio } from "../../../../src/margin/resolve/resolvePortfolio.js";
import { resolveMarginConfig } from "../../../../src/margin/resolveConfig.js";
import type { XchainConfig } from "../../../../src/margin/xchain/config.js";
import { liquidationHorizons } from "../../../../src/margin/xchain/horizons.js";
import { unitPnlOnPaths } from "../../../../src/margin/xchain/pnlTerms.js";
import { buildFactorModel } from "../../../../src/margin/xchain/riskFactorModel.js";
import {
  clearSharedScenarios,
  type SharedScenarios,
  sharedScenarios,
} from "../../../../src/margin/xchain/sharedScenarios.js";
import { simulatePnlVectors } from "../../../../src/margin/xchain/simulatePnlVectors.js";
import { MIN_SUMMED_INSTRUMENTS } from "../../../../src/margin/xchain/summedOptionGrids.js";
import { portfolioSchema } from "../../../../src/schema/portfolio.js";
import { exampleMarket } from "../../../support/exampleMarket.js";

const ROOT = join(import.meta.dirname, "../../../..");
const market = exampleMarket();
const resolved = (doc: unknown) => resolvePortfolio(portfolioSchema.parse(doc), market);
const example = (name: string) =>
  resolved(JSON.parse(readFileSync(join(ROOT, `examples/portfolios/${name}.json`), "utf8")));
/** The grid floor off, so that the first component is the simulated ES itself (not the floor). */
const xchain = (optionGrids: "summed" | "perInstrument") =>
  resolveMarginConfig({ model: "xchain", gridFloor: { fraction: 0 }, simulation: { optionGrids } }) as XchainConfig;

/**
 * Summed grids change only the order of summation (interpolation is linear in the node values): the tolerance on
 * IM, MM and ES is 1e-12 relative; each position's attribution is within 1e-12 of the IM.
 */
const REL = 1e-12;

const books: Array<[string, () => ResolvedPortfolio]> = [
  ["delta-hedged-options", () => example("delta-hedged-options")],
  ["multichain-fund", () => example("multichain-fund")],
  ["short-strangle", () => example("short-strangle")],
  ["200 ETH options on 4 expiries", () => resolved(generateOptionsBook(200, 7))],
  ["300 mixed positions on 3 chains", () => resolved(generatePortfolio(300, 42))],
];

/** One report on a tick of its own (nothing kept from another report). */
function alone(book: ResolvedPortfolio, optionGrids: "summed" | "perInstrument"): MarginReport {
  clearSharedScenarios();
  return runMarginModel(book, market, xchain(optionGrids));
}

/** The P&L vectors of a book on a private copy of its tick's set (nothing read from or kept for other reports). */
function vectors(book: ResolvedPortfolio, summedGrids: boolean) {
  const config = xchain("summed");
  const factors = buildFactorModel(book.items, market, config);
  const horizons = liquidationHorizons(book.items, market, config);
  clearSharedScenarios();
  const set = sharedScenarios(factors, horizons.timesDays, config.simulation).set;
  const shared: SharedScenarios = { set, vectors: new Map(), vectorBytesLeft: 0, seen: new Set() };
  const { minVolAnnual, moveResponse } = config.impliedVol;
  return simulatePnlVectors(
    book.items,
    market,
    factors,
    horizons,
    shared,
    minVolAnnual,
    "interpolated",
    moveResponse,
    summedGrids,
  );
}

describe("summed option grids (issue 17 item 1)", () => {
  for (const [name, make] of books) {
    it(`${name}: IM, MM and ES as with every option its own vector, to 1e-12 relative; attribution to 1e-12 of IM`, () => {
      const book = make();
      const summed = alone(book, "summed");
      const own = alone(book, "perInstrument");
      expect(summed.components[0]!.id).toBe("expected-shortfall");
      const close = (a: number, b: number, scale: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(REL * scale);
      close(summed.initialMarginUsd, own.initialMarginUsd, Math.abs(own.initialMarginUsd));
      close(summed.maintenanceMarginUsd, own.maintenanceMarginUsd, Math.abs(own.maintenanceMarginUsd));
      const es = own.components[0]!.maintenanceMarginUsd;
      close(summed.components[0]!.maintenanceMarginUsd, es, es);
      expect(summed.byPosition.length).toBe(own.byPosition.length);
      summed.byPosition.forEach((row, i) => {
        close(row.initialMarginUsd, own.byPosition[i]!.initialMarginUsd, own.initialMarginUsd);
      });
    });
  }

  it("a book's options are summed into one group per (underlying, chain, expiry), not one vector per option", () => {
    const book = resolved(generateOptionsBook(200, 7));
    const pnl = vectors(book, true);
    const options = book.items.filter((it) => it.priced.kind === "option").length;
    expect(options).toBe(200);
    // one underlying on one chain, 4 expiries; at most one group per expiry and grid geometry
    expect(pnl.summed.groups.length).toBeGreaterThanOrEqual(4);
    expect(pnl.summed.groups.length).toBeLessThanOrEqual(8);
    // the USDC holding's and the perp's vectors and the groups': far fewer vectors than options
    expect(pnl.vectors.length).toBe(2 + pnl.summed.groups.length);
  });

  for (const [name, make] of books.slice(3)) {
    it(`${name}: each option's own P&L on chosen paths is bit for bit its own vector's; a group's vector is the sum`, () => {
      const book = make();
      const summed = vectors(book, true);
      const own = vectors(book, false);
      const n = summed.nPaths;
      // every 37th path, and the extremes of the first option's vector (where the grid's edges are read)
      const paths = Uint32Array.from({ length: Math.ceil(n / 37) }, (_, k) => k * 37);
      const out = new Float64Array(paths.length);
      let members = 0;
      book.items.forEach((item, i) => {
        if (item.priced.kind !== "option" || summed.vector[i]! >= 0) return;
        members++;
        unitPnlOnPaths(summed, i, paths, out);
        const vec = own.vectors[own.vector[i]!]!;
        paths.forEach((s, k) => {
          expect(out[k]).toBe(vec[s]);
        });
      });
      expect(members).toBeGreaterThan(1);
      // each group's vector against its members' own vectors x their sizes, summed here path by path
      for (const g of summed.summed.groups) {
        const groupVec = summed.vectors[g.vector]!;
        const terms = g.members.map((m) => {
          const i = summed.summed.memberOf.indexOf(m);
          return { size: summed.summed.members[m]!.size, vec: own.vectors[own.vector[i]!]! };
        });
        for (let s = 0; s < n; s += 101) {
          let sum = 0;
          let scale = 0;
          for (const t of terms) {
            sum += t.size * t.vec[s]!;
            scale += Math.abs(t.size * t.vec[s]!);
          }
          expect(Math.abs(groupVec[s]! - sum)).toBeLessThanOrEqual(1e-12 * Math.max(scale, 1));
        }
      }
    });
  }

  it("the first report of an instrument on a tick sums it; the second keeps a vector of its own; later ones read it", () => {
    const book = resolved(generateOptionsBook(12, 3));
    const config = xchain("summed");
    const factors = buildFactorModel(book.items, market, config);
    const horizons = liquidationHorizons(book.items, market, config);
    clearSharedScenarios();
    const shared = sharedScenarios(factors, horizons.timesDays, config.simulation);
    const run = () =>
      simulatePnlVectors(book.items, market, factors, horizons, shared, 0.05, "interpolated", 0.015, true);
    const optionIdx = book.items.flatMap((it, i) => (it.priced.kind === "option" ? [i] : []));
    const first = run();
    expect(optionIdx.every((i) => first.vector[i] === -1)).toBe(true);
    const kept = () => [...shared.vectors.keys()].filter((k) => k.startsWith("O")).length;
    expect(kept()).toBe(0);
    const second = run();
    expect(optionIdx.every((i) => second.vector[i]! >= 0)).toBe(true);
    expect(kept()).toBe(new Set(optionIdx.map((i) => book.items[i]!.priced)).size);
    const third = run();
    for (const i of optionIdx) expect(third.vectors[third.vector[i]!]).toBe(second.vectors[second.vector[i]!]);
  });

  it("a report's figures do not depend on which of its instruments another report on the tick summed (1e-12)", () => {
    const book = resolved(generateOptionsBook(200, 7));
    const first = alone(book, "summed");
    // same tick, same instruments: every option is now seen, so this report revalues each one on its own vector
    const second = runMarginModel(book, market, xchain("summed"));
    expect(Math.abs(second.initialMarginUsd - first.initialMarginUsd)).toBeLessThanOrEqual(
      REL * first.initialMarginUsd,
    );
    // and the third reads those kept vectors: the per-instrument figures exactly
    expect(runMarginModel(book, market, xchain("summed")).initialMarginUsd).toBe(second.initialMarginUsd);
  });

  it(`a group of fewer than ${MIN_SUMMED_INSTRUMENTS} instruments gets vectors of their own on first sight, kept`, () => {
    const book = example("short-strangle");
    const config = xchain("summed");
    const factors = buildFactorModel(book.items, market, config);
    const horizons = liquidationHorizons(book.items, market, config);
    clearSharedScenarios();
    const shared = sharedScenarios(factors, horizons.timesDays, config.simulation);
    const pnl = simulatePnlVectors(book.items, market, factors, horizons, shared, 0.05, "interpolated", 0.015, true);
    const optionIdx = book.items.flatMap((it, i) => (it.priced.kind === "option" ? [i] : []));
    expect(optionIdx.length).toBe(2);
    expect(pnl.summed.groups).toEqual([]);
    for (const i of optionIdx) expect(pnl.vector[i]).toBeGreaterThanOrEqual(0);
    expect([...shared.vectors.keys()].filter((k) => k.startsWith("O")).length).toBe(2);
  });
});
