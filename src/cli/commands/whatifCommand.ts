import { formatDecimal } from "../../core/decimal.js";
import { invalidInput } from "../../core/errors.js";
import { whatIfToJson } from "../../liquidation/resultJson.js";
import { simulateWhatIf } from "../../liquidation/whatIf.js";
import { underlyings } from "../../market/underlyings.js";
import { suggestion } from "../didYouMean.js";
import { inFile } from "../loadInputs.js";
import { readJsonFile } from "../readJsonFile.js";
import { ratioText, TOTALS_HEADER, totalsRow } from "../renderReport.js";
import { renderTable, usd } from "../table.js";
import { type AccountArgs, readAccountDocs } from "./healthCommand.js";

export interface WhatifArgs extends Omit<AccountArgs, "params"> {
  /** WhatIf document file; the flags below add to it. */
  whatif?: string;
  /**
   * Trades: `perp,CHAIN,VENUE,UNDERLYING,SIZE[,PRICE]`, `future,CHAIN,VENUE,UNDERLYING,SIZE,EXPIRY[,PRICE]`,
   * `option,CHAIN,VENUE,UNDERLYING,SIZE,EXPIRY,STRIKE,call|put[,PREMIUM]`.
   */
  trade?: string[];
  /** `CHAIN,TOKEN,AMOUNT`. */
  deposit?: string[];
  /** `CHAIN,TOKEN,AMOUNT`. */
  withdraw?: string[];
  /** `UNDERLYING,SPOT[,VOL]`, each move as `-10%` or `-0.1`, e.g. `ETH,-10%,+20%`. */
  move?: string[];
}

/** "-10%" -> "-0.1", "0.2" -> "0.2", "+5%" -> "0.05" (decimal string, no exponent). */
export function parseRelative(text: string, flag: string): string {
  const m = /^([+-]?)(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  if (!m) throw invalidInput(flag, `not a relative move: ${JSON.stringify(text)}`, 'write e.g. "-30%" or "-0.3"');
  const value = Number(`${m[1]}${m[2]}`) / (m[3] === "%" ? 100 : 1);
  return formatDecimal(value, 12);
}

function parseTrade(spec: string, i: number): Record<string, string> {
  const f = spec.split(",").map((s) => s.trim());
  const flag = `--trade[${i}]`;
  const [kind, chain, venue, underlying, size] = f;
  if (!kind || !chain || !venue || !underlying || !size) {
    throw invalidInput(flag, `trade ${JSON.stringify(spec)} needs at least KIND,CHAIN,VENUE,UNDERLYING,SIZE`);
  }
  const base = { kind, chain, venue, underlying, size };
  if (kind === "perp") return { ...base, ...(f[5] ? { entryPrice: f[5] } : {}) };
  if (kind === "future") return { ...base, expiry: f[5] ?? "", ...(f[6] ? { entryPrice: f[6] } : {}) };
  if (kind === "option") {
    return {
      ...base,
      expiry: f[5] ?? "",
      strike: f[6] ?? "",
      optionType: f[7] ?? "",
      ...(f[8] ? { entryPrice: f[8] } : {}),
    };
  }
  throw invalidInput(flag, `unknown trade kind "${kind}"`, "perp, future or option");
}

function parseTransfer(spec: string, flag: string): Record<string, string> {
  const [chain, token, amount] = spec.split(",").map((s) => s.trim());
  if (!chain || !token || !amount) throw invalidInput(flag, `${JSON.stringify(spec)} must be CHAIN,TOKEN,AMOUNT`);
  return { chain, token, amount };
}

/**
 * `xmargin whatif --portfolio P.json --market M.json [--config C.json | --model NAME] [--whatif W.json]
 * [--trade SPEC]... [--deposit CHAIN,TOKEN,AMOUNT]... [--withdraw CHAIN,TOKEN,AMOUNT]... [--move U,SPOT[,VOL]]... [--json]`:
 * the report after hypothetical trades, transfers and market moves, and its difference from the current one.
 */
export function whatifCommand(args: WhatifArgs): string {
  const docs = readAccountDocs({ ...args }, "grid");
  const fromFile = args.whatif ? readJsonFile(args.whatif, "what-if") : {};
  const doc = (typeof fromFile === "object" && fromFile !== null ? fromFile : {}) as Record<string, unknown>;
  const list = (key: string) => (Array.isArray(doc[key]) ? (doc[key] as unknown[]) : []);
  const whatIf = {
    ...doc,
    trades: [...list("trades"), ...(args.trade ?? []).map(parseTrade)],
    deposits: [...list("deposits"), ...(args.deposit ?? []).map((s, i) => parseTransfer(s, `--deposit[${i}]`))],
    withdrawals: [...list("withdrawals"), ...(args.withdraw ?? []).map((s, i) => parseTransfer(s, `--withdraw[${i}]`))],
    moves: [
      ...list("moves"),
      ...(args.move ?? []).map((s, i) => {
        const [underlying, spot, vol] = s.split(",").map((x) => x.trim());
        if (!underlying) throw invalidInput(`--move[${i}]`, `${JSON.stringify(s)} must be UNDERLYING,SPOT[,VOL]`);
        // A move of an underlying the engine does not know would silently change nothing.
        if (!underlyings.has(underlying)) {
          throw invalidInput(
            `--move[${i}]`,
            `unknown underlying "${underlying}"`,
            suggestion(underlying, [...underlyings.keys()]),
          );
        }
        return {
          underlying,
          ...(spot ? { spotShockRel: parseRelative(spot, `--move[${i}]`) } : {}),
          ...(vol ? { volShockRel: parseRelative(vol, `--move[${i}]`) } : {}),
        };
      }),
    ],
  };
  const r = inFile(args.portfolio, () => simulateWhatIf({ ...docs, whatIf }));
  if (args.json) return JSON.stringify(whatIfToJson(r), null, 2);
  const out = [`account ${r.before.accountId}  model ${r.before.model}  what-if`];
  out.push(
    renderTable(
      ["", ...TOTALS_HEADER],
      [
        ["before", ...totalsRow(r.before)],
        ["after", ...totalsRow(r.after)],
      ],
    ),
  );
  out.push(
    "",
    `change: equity ${usd(r.diff.equityUsd)}, IM ${usd(r.diff.initialMarginUsd)}, MM ${usd(r.diff.maintenanceMarginUsd)}, ` +
      `free collateral ${usd(r.diff.freeCollateralUsd)}, health ${ratioText(r.diff.healthRatio)}`,
  );
  out.push(
    "",
    "by underlying",
    renderTable(
      ["underlying", "IM before (USD)", "IM after (USD)", "IM change (USD)", "equity change (USD)"],
      r.diff.byUnderlying.map((g) => [
        g.key,
        usd(g.initialMarginBeforeUsd),
        usd(g.initialMarginAfterUsd),
        usd(g.initialMarginChangeUsd),
        usd(g.equityChangeUsd),
      ]),
    ),
  );
  return out.join("\n");
}
