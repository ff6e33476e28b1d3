import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runMarginModel } from "../src/margin/computeMargin.js";
import { resolveMarket } from "../src/margin/resolve/resolveMarket.js";
import { resolvePortfolio } from "../src/margin/resolve/resolvePortfolio.js";
import { resolveMarginConfig } from "../src/margin/resolveConfig.js";
import { computePmrm2 } from "../src/margin/venues/derivePmrm2/computePmrm2.js";
import { goldenCaseInputs } from "../src/margin/venues/derivePmrm2/goldenCase.js";
import { marketSnapshotSchema } from "../src/schema/marketSnapshot.js";
import { portfolioSchema } from "../src/schema/portfolio.js";
import { generatePortfolio } from "./generatePortfolio.js";
import { emit, measure, summarize } from "./measure.js";

/**
 * derive-pmrm2: (1) Derive's golden cases, all of them per call, from mapped inputs to MM and IM (vectors read from
 * ../shared at run time; skipped when absent); (2) the model on the 50-position portfolio beside the grid model, the
 * reference measured in the same run.
 */
export function benchDerivePmrm2(root: string, marketFile: string): void {
  const dir = join(root, "../shared/vectors/derive-pmrm2");
  if (existsSync(dir)) {
    const cases = readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => goldenCaseInputs(JSON.parse(readFileSync(join(dir, f), "utf8"))));
    const times = measure(() => {
      for (const c of cases) computePmrm2(c.account, c.params);
    }, 30);
    emit({ bench: "derive_pmrm2_golden_cases", cases: cases.length, ...summarize(times) });
  }
  const market = resolveMarket(marketSnapshotSchema.parse(JSON.parse(readFileSync(marketFile, "utf8"))));
  const portfolio = resolvePortfolio(portfolioSchema.parse(generatePortfolio(50, 42)), market);
  for (const model of ["derive-pmrm2", "grid"]) {
    const config = resolveMarginConfig({ model });
    const times = measure(() => runMarginModel(portfolio, market, config), 50);
    emit({ bench: `${model.replace("-", "_")}_report_50pos`, ...summarize(times), positions: portfolio.items.length });
  }
}
