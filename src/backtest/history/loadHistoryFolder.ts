import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { XmarginError } from "../../core/errors.js";
import { parseDailyPriceCsv } from "../../market/dailyPriceCsv.js";
import { type History, historyOf } from "./history.js";
import { withRatioSeries } from "./ratioSeries.js";

/**
 * Reads every `*.csv` of a folder as a daily series named by its file stem (the one loader of the backtest, the
 * service's replay and the CLI; the only file I/O of the history module). Every file obeys `parseDailyPriceCsv`'s
 * rules; a bad row fails the load with `file:line`. Ratio series without a file (WSTETH-ETH) are derived here.
 * @param dir folder of daily CSVs, e.g. ../shared/data.
 * @param path how the caller names the folder in errors (`--history`, `$.feed.dataDir`).
 */
export function loadHistoryFolder(dir: string, path = "$.historyDir"): History {
  if (!existsSync(dir)) {
    throw new XmarginError(`no history folder ${dir}`, {
      code: "IO_ERROR",
      path,
      details: "point --history (or XMARGIN_HISTORY_DIR) at a folder of daily <SYMBOL>.csv files",
    });
  }
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".csv"))
    .sort();
  if (files.length === 0) throw new XmarginError(`no *.csv in ${dir}`, { code: "IO_ERROR", path });
  return withRatioSeries(
    historyOf(
      files.map((f) => parseDailyPriceCsv(readFileSync(join(dir, f), "utf8"), basename(f, ".csv"), join(dir, f))),
    ),
  );
}
