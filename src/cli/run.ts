import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { XmarginError } from "../core/errors.js";
import { accountMarginCommand } from "./commands/accountMarginCommand.js";
import { backtestCommand } from "./commands/backtestCommand.js";
import { backtestCompareCommand } from "./commands/backtestCompareCommand.js";
import { cascadeCommand, normalizeNegativeValues } from "./commands/cascadeCommand.js";
import { compareCommand } from "./commands/compareCommand.js";
import { demoCommand } from "./commands/demoCommand.js";
import { forecastingCommand } from "./commands/forecastingCommand.js";
import { healthCommand } from "./commands/healthCommand.js";
import { liquidateCommand } from "./commands/liquidateCommand.js";
import { marginCommand } from "./commands/marginCommand.js";
import { rebalanceCommand } from "./commands/rebalanceCommand.js";
import { riskCommand } from "./commands/riskCommand.js";
import { serveCommand } from "./commands/serveCommand.js";
import { snapshotCommand } from "./commands/snapshotCommand.js";
import { trainCommand } from "./commands/trainCommand.js";
import { valueCommand } from "./commands/valueCommand.js";
import { whatifCommand } from "./commands/whatifCommand.js";

const USAGE = `usage: xmargin <command> [options]

valuation and margin
  value     --portfolio P.json --market M.json [--json]          mark value and greeks of each position
  margin    --portfolio P.json --market M.json [--config C.json | --model NAME] [--rules RULEBOOK.json] [--json]
  margin    --account 0xADDRESS --sources S.json [--model NAME] [--json]
                                                                  margin report (default model: grid)
  compare   --portfolio P.json --market M.json [--json]          every model side by side
  demo                                                            compare on every example portfolio
market data and risk
  snapshot  --sources S.json [--json]                             MarketSnapshot from oracle sources
  risk      --history DIR [--to YYYY-MM-DD] [--factors A,B] [--method ewma|garch|ml|auto] [--lambda 0.94] [--window 250]
            [--weights DIR] [--json | --snapshot M.json]          EWMA/GARCH/learned vols and correlations, stressed floor
  train     [--history DIR] [--to D] [--out DIR] [--hyper report.json]  refit the learned vol forecaster's artefacts
  forecasting [--history DIR] [--out DIR] [--json]                regenerate reports/forecasting.md (+ .json)
health and actions (--portfolio P.json --market M.json [--config C.json | --model NAME] [--params F.json] [--json])
  health                                                          health, liquidation prices, time to liquidation
  liquidate                                                       liquidation plan back to initial margin
  rebalance                                                       cross-chain collateral moves (default xchain)
  whatif    [--whatif W.json] [--trade ...] [--deposit CHAIN,TOKEN,AMOUNT] [--withdraw ...] [--move U,SPOT[,VOL]]
  cascade   --accounts DIR --market M.json --shock -30% [--underlying U] [--models a,b] [--depth X|unlimited]
            [--max-rounds N] [--params F.json] [--json]           liquidation cascade per model
validation
  backtest  --portfolio P.json --model NAME [--from D] [--to D] [--history DIR] [--paths N] [--json] [--report out.html]
  backtest-compare [--paths N] [--from D] [--to D]               every example x every model -> reports/
service
  serve     [--port N] [--db FILE] [--demo] [--host H] [--interval MS] [--from D] [--history DIR]
models: isolated, cross, grid, xchain`;

/** Repository root, from dist/src/cli/run.js or src/cli/run.ts. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), import.meta.url.includes("/dist/") ? "../../.." : "../..");

function required(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== "string" || v.length === 0) {
    throw new XmarginError(`missing --${name}`, { code: "INVALID_INPUT", path: `--${name}` });
  }
  return v;
}

/** Options given as `--name value`; absent ones are left out so that commands see their own defaults. */
function optional<K extends string>(values: Record<string, unknown>, ...names: K[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const name of names) {
    const v = values[name];
    if (typeof v === "string") out[name] = v;
  }
  return out;
}

function list(values: Record<string, unknown>, name: string): string[] | undefined {
  const v = values[name];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : undefined;
}

export async function run(argv: string[]): Promise<string> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: normalizeNegativeValues(rest, ["shock"]),
    options: {
      portfolio: { type: "string" },
      market: { type: "string" },
      config: { type: "string" },
      model: { type: "string" },
      json: { type: "boolean", default: false },
      history: { type: "string" },
      to: { type: "string" },
      from: { type: "string" },
      factors: { type: "string" },
      lambda: { type: "string" },
      window: { type: "string" },
      method: { type: "string" },
      snapshot: { type: "string" },
      sources: { type: "string" },
      account: { type: "string" },
      params: { type: "string" },
      whatif: { type: "string" },
      trade: { type: "string", multiple: true },
      deposit: { type: "string", multiple: true },
      withdraw: { type: "string", multiple: true },
      move: { type: "string", multiple: true },
      accounts: { type: "string" },
      shock: { type: "string" },
      underlying: { type: "string" },
      models: { type: "string" },
      depth: { type: "string" },
      "max-rounds": { type: "string" },
      report: { type: "string" },
      paths: { type: "string" },
      port: { type: "string" },
      db: { type: "string" },
      demo: { type: "boolean", default: false },
      host: { type: "string" },
      interval: { type: "string" },
      out: { type: "string" },
      hyper: { type: "string" },
      weights: { type: "string" },
      rules: { type: "string" },
    },
    strict: true,
    allowPositionals: false,
  });
  const json = values.json === true;
  const account = () => ({
    portfolio: required(values, "portfolio"),
    market: required(values, "market"),
    ...optional(values, "config", "model", "params"),
    json,
  });
  switch (command) {
    case "value":
      return valueCommand({ portfolio: required(values, "portfolio"), market: required(values, "market"), json });
    case "margin":
      if (values.account !== undefined || values.sources !== undefined) {
        return accountMarginCommand({
          account: required(values, "account"),
          sources: required(values, "sources"),
          ...optional(values, "model"),
          json,
        });
      }
      return marginCommand({
        portfolio: required(values, "portfolio"),
        market: required(values, "market"),
        ...optional(values, "config", "model", "rules"),
        json,
      });
    case "compare":
      return compareCommand({ portfolio: required(values, "portfolio"), market: required(values, "market"), json });
    case "snapshot":
      return snapshotCommand({ sources: required(values, "sources"), json });
    case "risk":
      return riskCommand({
        ...optional(values, "history", "to", "factors", "lambda", "window", "method", "snapshot", "weights"),
        json,
      });
    case "train":
      return trainCommand({ ...optional(values, "history", "out", "hyper", "to") });
    case "forecasting":
      return forecastingCommand({ ...optional(values, "history", "out"), json });
    case "health":
      return healthCommand(account());
    case "liquidate":
      return liquidateCommand(account());
    case "rebalance":
      return rebalanceCommand(account());
    case "whatif": {
      const { params: _unused, ...base } = account();
      const edits = {
        trade: list(values, "trade"),
        deposit: list(values, "deposit"),
        withdraw: list(values, "withdraw"),
        move: list(values, "move"),
      };
      return whatifCommand({
        ...base,
        ...optional(values, "whatif"),
        ...Object.fromEntries(Object.entries(edits).filter(([, v]) => v !== undefined)),
      });
    }
    case "cascade":
      return cascadeCommand({
        accounts: required(values, "accounts"),
        market: required(values, "market"),
        shock: required(values, "shock"),
        ...optional(values, "underlying", "models", "depth", "params"),
        ...(typeof values["max-rounds"] === "string" ? { maxRounds: values["max-rounds"] } : {}),
        json,
      });
    case "backtest":
      return backtestCommand({
        portfolio: required(values, "portfolio"),
        model: required(values, "model"),
        ...optional(values, "from", "to", "report", "history", "market", "paths"),
        json,
      });
    case "backtest-compare":
      return backtestCompareCommand({ ...optional(values, "paths", "from", "to", "history") });
    case "serve":
      return serveCommand({
        ...optional(values, "port", "db", "host", "interval", "from", "history"),
        demo: values.demo === true,
      });
    case "demo":
      return demoCommand(join(ROOT, "examples"));
    case undefined:
    case "help":
    case "--help":
      return USAGE;
    default:
      throw new XmarginError(`unknown command "${command}"`, { code: "INVALID_INPUT", details: "run xmargin help" });
  }
}
