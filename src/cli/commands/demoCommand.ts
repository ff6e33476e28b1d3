import { readdirSync } from "node:fs";
import { join } from "node:path";
import { XmarginError } from "../../core/errors.js";
import { compareModelsOn, renderComparison } from "./compareCommand.js";

/** `xmargin demo`: every example portfolio under every model against the example market snapshot. */
export function demoCommand(examplesDir: string): string {
  const markets = readdirSync(examplesDir).filter((f) => /^market-.*\.json$/.test(f));
  const marketFile = markets.sort().at(-1);
  if (!marketFile) throw new XmarginError(`no market-*.json in ${examplesDir}`, { code: "MISSING_DATA" });
  const portfolioDir = join(examplesDir, "portfolios");
  const out = [`xmargin demo: example portfolios against ${marketFile} (real closes, see examples/README.md)`];
  for (const file of readdirSync(portfolioDir)
    .filter((f) => f.endsWith(".json"))
    .sort()) {
    const { reports, unavailable } = compareModelsOn(join(portfolioDir, file), join(examplesDir, marketFile));
    out.push("", `== ${file} (account ${reports[0]?.accountId})`, renderComparison(reports, unavailable));
  }
  return out.join("\n");
}
