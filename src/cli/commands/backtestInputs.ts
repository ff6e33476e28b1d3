import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { BacktestRunOptions } from "../../backtest/compare.js";
import { XmarginError } from "../../core/errors.js";
import { type BridgeRouteDoc, marketSnapshotSchema } from "../../schema/marketSnapshot.js";
import { type Portfolio, portfolioSchema } from "../../schema/portfolio.js";
import { parseDocument } from "../../schema/validate.js";
import { DEFAULT_EXAMPLES_DIR } from "../../service/paths.js";
import { readJsonFile } from "../readJsonFile.js";

// Inputs shared by `xmargin backtest` and `xmargin backtest-compare`.

/** The newest `market-*.json` of a folder (the example market whose bridges and chains every replayed day reuses). */
export function latestMarketFile(dir: string = DEFAULT_EXAMPLES_DIR): string | undefined {
  if (!existsSync(dir)) return undefined;
  const f = readdirSync(dir)
    .filter((x) => /^market-.*\.json$/.test(x))
    .sort()
    .at(-1);
  return f ? join(dir, f) : undefined;
}

/** Bridges and chain overrides of a snapshot file: the static part of every replayed day. */
export function staticMarket(file: string | undefined): Pick<BacktestRunOptions, "bridges" | "chains"> {
  if (!file) return {};
  const snap = parseDocument(marketSnapshotSchema, readJsonFile(file, "market snapshot"), "MarketSnapshot");
  return { bridges: snap.bridges as BridgeRouteDoc[], chains: snap.chains };
}

export function parsePaths(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 100) {
    throw new XmarginError("--paths must be an integer >= 100", { code: "INVALID_INPUT", path: "--paths" });
  }
  return n;
}

export function checkDate(v: string | undefined, name: string): string | undefined {
  if (v !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    throw new XmarginError(`--${name} must be YYYY-MM-DD`, { code: "INVALID_INPUT", path: `--${name}` });
  }
  return v;
}

export function readPortfolio(file: string): Portfolio {
  return parseDocument(portfolioSchema, readJsonFile(file, "portfolio"), "Portfolio");
}
