import { XmarginError } from "../core/errors.js";
import type { ResolvedMarket } from "../margin/resolve/resolvedMarket.js";
import type { ResolvedPortfolio } from "../margin/resolve/resolvedPortfolio.js";
import { resolveMarket } from "../margin/resolve/resolveMarket.js";
import { resolvePortfolio } from "../margin/resolve/resolvePortfolio.js";
import { marketSnapshotSchema } from "../schema/marketSnapshot.js";
import { portfolioSchema } from "../schema/portfolio.js";
import { parseDocument } from "../schema/validate.js";
import { readJsonFile } from "./readJsonFile.js";

/** Wraps an error with the file it came from, so the one-line message names file and field. */
export function inFile<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof XmarginError && err.code !== "IO_ERROR") {
      // The message already starts with the field path; the file goes in front of it (the cause keeps the path).
      throw new XmarginError(`${file}: ${err.message}`, { code: err.code, cause: err });
    }
    throw err;
  }
}

export function loadMarket(file: string): ResolvedMarket {
  const doc = readJsonFile(file, "market snapshot");
  return inFile(file, () => resolveMarket(parseDocument(marketSnapshotSchema, doc, "MarketSnapshot")));
}

export function loadPortfolio(file: string, market: ResolvedMarket): ResolvedPortfolio {
  const doc = readJsonFile(file, "portfolio");
  return inFile(file, () => resolvePortfolio(parseDocument(portfolioSchema, doc, "Portfolio"), market));
}
