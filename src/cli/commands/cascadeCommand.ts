import { readdirSync } from "node:fs";
import { join } from "node:path";
import { invalidInput, XmarginError } from "../../core/errors.js";
import { runCascade } from "../../liquidation/cascade/runCascade.js";
import { cascadeToJson } from "../../liquidation/resultJson.js";
import { findToken } from "../../market/tokenRegistry.js";
import { checkModelName } from "../modelName.js";
import { progressBar } from "../progress.js";
import { readJsonFile } from "../readJsonFile.js";
import { renderTable, usd } from "../table.js";
import { parseRelative } from "./whatifCommand.js";

export interface CascadeArgs {
  /** Directory of Portfolio files (every *.json in it). */
  accounts: string;
  market: string;
  /** Initial spot shock, e.g. "-30%" or "-0.3". */
  shock: string;
  /** Comma-separated underlyings the shock applies to; default every underlying the accounts hold (not USD). */
  underlying?: string;
  /** Comma-separated model names; default every model. */
  models?: string;
  /** Depth multiplier on every market's daily volume, or "unlimited"; default 1. */
  depth?: string;
  /** Most liquidation rounds; default 50. */
  maxRounds?: string;
  /** CascadeParams file; the flags above override its fields. */
  params?: string;
  json: boolean;
  /** No progress bar. */
  quiet?: boolean;
}

function accountUnderlyings(accounts: unknown[]): string[] {
  const out = new Set<string>();
  for (const a of accounts) {
    const doc = a as {
      positions?: Array<{ underlying?: unknown }>;
      holdings?: Array<{ chain?: unknown; token?: unknown }>;
    };
    for (const p of doc.positions ?? []) if (typeof p.underlying === "string") out.add(p.underlying);
    for (const h of doc.holdings ?? []) {
      if (typeof h.chain !== "string" || typeof h.token !== "string") continue;
      const t = findToken(h.chain, h.token);
      if (t) out.add(t.underlying);
    }
  }
  out.delete("USD");
  return [...out].sort();
}

/**
 * `xmargin cascade --accounts DIR --market M.json --shock -30% [--underlying ETH,BTC] [--models grid,xchain]
 * [--depth 1|unlimited] [--max-rounds 50] [--params C.json] [--json]`: liquidation cascade after a price shock, every
 * model side by side.
 */
export function cascadeCommand(args: CascadeArgs): string {
  let files: string[];
  try {
    files = readdirSync(args.accounts)
      .filter((f) => f.endsWith(".json"))
      .sort();
  } catch (cause) {
    throw new XmarginError(`cannot read accounts directory ${args.accounts}`, { code: "IO_ERROR", cause });
  }
  if (files.length === 0) throw invalidInput("--accounts", `no *.json account files in ${args.accounts}`);
  const accounts = files.map((f) => readJsonFile(join(args.accounts, f), "portfolio"));
  const market = readJsonFile(args.market, "market snapshot");
  const fileParams = args.params ? readJsonFile(args.params, "cascade parameters") : {};
  const params = { ...(typeof fileParams === "object" && fileParams !== null ? fileParams : {}) } as Record<
    string,
    unknown
  >;
  const shockRel = Number(parseRelative(args.shock, "--shock"));
  const underlyings = args.underlying ? args.underlying.split(",").map((s) => s.trim()) : accountUnderlyings(accounts);
  params.shocks = underlyings.map((underlying) => ({ underlying, spotShockRel: shockRel }));
  if (args.models) {
    params.models = args.models.split(",").map((name) => ({ model: checkModelName(name.trim(), "--models") }));
  }
  if (args.depth !== undefined) {
    const d = args.depth === "unlimited" ? null : Number(args.depth);
    if (d !== null && !(d > 0)) throw invalidInput("--depth", 'must be a positive multiplier or "unlimited"');
    params.depthMultiplier = d;
  }
  if (args.maxRounds !== undefined) params.maxRounds = Number(args.maxRounds);
  let result: ReturnType<typeof runCascade>;
  const bar = progressBar({ quiet: args.quiet === true });
  try {
    result = runCascade({ accounts, market, params }, (done, total) => bar("cascade (models)", done, total));
  } catch (err) {
    if (err instanceof XmarginError && err.shortMessage.startsWith("account ")) {
      const i = Number(/^account (\d+)/.exec(err.shortMessage)?.[1]);
      throw new XmarginError(`${files[i] ?? "?"}: ${err.message}`, { code: err.code, cause: err });
    }
    throw err;
  } finally {
    bar.done();
  }
  if (args.json) return JSON.stringify(cascadeToJson(result), null, 2);
  const ms = result.models;
  const chains = [...new Set(ms.flatMap((m) => Object.keys(m.volumeByChainUsd)))].sort();
  const us = [...new Set(ms.flatMap((m) => Object.keys(m.finalPricesUsd)))].sort();
  const rows: string[][] = [
    ["accounts margined", ...ms.map((m) => String(m.accounts - m.failures.length))],
    ["liquidatable before shock", ...ms.map((m) => String(m.liquidatableBeforeShock))],
    ["accounts liquidated", ...ms.map((m) => String(m.liquidatedAccounts))],
    ["rounds", ...ms.map((m) => `${m.rounds}${m.truncated ? " (truncated)" : ""}`)],
    ["liquidated per round", ...ms.map((m) => m.liquidatedByRound.join("/") || "-")],
    ["volume liquidated", ...ms.map((m) => usd(m.volumeUsd))],
    ...chains.map((c) => [`  on ${c}`, ...ms.map((m) => usd(m.volumeByChainUsd[c] ?? 0))]),
    ...us.flatMap((u) => [
      [`final ${u}`, ...ms.map((m) => usd(m.finalPricesUsd[u] ?? 0))],
      [`  ${u} move`, ...ms.map((m) => `${(100 * (m.priceChangeRel[u] ?? 0)).toFixed(2)}%`)],
    ]),
    ["bad debt", ...ms.map((m) => usd(m.badDebtUsd))],
    ["last trade after (s)", ...ms.map((m) => String(m.durationSec))],
  ];
  return [
    `cascade: ${result.accounts} accounts, shock ${args.shock} on ${underlyings.join(", ")}, depth ` +
      `${result.depthMultiplier === null ? "unlimited" : `x${result.depthMultiplier}`}, as of ${result.asOf}`,
    renderTable(["", ...ms.map((m) => m.model)], rows),
  ].join("\n");
}

/**
 * node:util parseArgs (strict) rejects `--shock -30%` as ambiguous. This rewrites `--NAME VALUE` into `--NAME=VALUE`
 * when VALUE starts with "-" and NAME is one of `names`, so the documented form works. Call it on argv before
 * parseArgs.
 * @example normalizeNegativeValues(["cascade", "--shock", "-30%"], ["shock"]) // ["cascade", "--shock=-30%"]
 */
export function normalizeNegativeValues(argv: readonly string[], names: readonly string[] = ["shock"]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (a.startsWith("--") && names.includes(a.slice(2)) && next !== undefined && /^-\d|^-\./.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else {
      out.push(a);
    }
  }
  return out;
}
