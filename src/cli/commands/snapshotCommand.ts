import { dirname } from "node:path";
import { formatDecimal } from "../../core/decimal.js";
import { buildSnapshot } from "../../oracles/buildSnapshot.js";
import { parseSourcesConfig } from "../../oracles/sourcesConfig.js";
import { snapshotTimeSec } from "../../oracles/sourcesTime.js";
import { inFile } from "../loadInputs.js";
import { readJsonFile } from "../readJsonFile.js";
import { renderTable } from "../table.js";

export interface SnapshotArgs {
  /** Path of a SourcesConfig JSON file (docs/oracles.md). */
  sources: string;
  json: boolean;
}

/**
 * `xmargin snapshot --sources S.json [--json]`: reads every configured source now (or at the config's `asOf`) and
 * prints a MarketSnapshot. With `--json` the output is the document itself (usable as `--market`); failed sources are
 * named in its `description`. Without, a table of quotes, aggregated prices and flags.
 */
export async function snapshotCommand(args: SnapshotArgs): Promise<string> {
  const config = inFile(args.sources, () => parseSourcesConfig(readJsonFile(args.sources, "sources config")));
  const nowSec = snapshotTimeSec(config, Math.floor(Date.now() / 1000));
  const built = await buildSnapshot(config, nowSec, { baseDir: dirname(args.sources) });
  if (args.json) return JSON.stringify(built.snapshot, null, 2);
  const out: string[] = [`market snapshot as of ${built.snapshot.asOf}`, ""];
  out.push(
    renderTable(
      ["source", "chain", "feed", "price (USD)", "confidence (USD)", "published", "max age (s)"],
      built.quotes.map((q) => [
        q.quote.source,
        q.quote.chain,
        q.quote.feed,
        q.quote.price,
        q.quote.confidence ?? "",
        q.quote.publishedAt,
        String(q.maxAgeSec),
      ]),
    ),
  );
  out.push("", "aggregated");
  out.push(
    renderTable(
      ["feed", "price (USD)", "uncertainty (USD)", "fresh/total"],
      [...built.prices.values()].map((p) => [
        p.feed,
        formatDecimal(p.priceUsd),
        formatDecimal(p.uncertaintyUsd),
        `${p.freshSources}/${p.totalSources}`,
      ]),
    ),
  );
  if (built.flags.length > 0) {
    out.push("", "flags");
    for (const f of built.flags) out.push(`  [${f.severity}] ${f.code}: ${f.message}${f.path ? ` (${f.path})` : ""}`);
  }
  return out.join("\n");
}
