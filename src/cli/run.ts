import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { invalidInput, XmarginError } from "../core/errors.js";
import { MARGIN_MODEL_NAMES } from "../margin/models.js";
import type { MarginReport } from "../margin/report.js";
import { accountMarginCommand } from "./commands/accountMarginCommand.js";
import { backtestCommand } from "./commands/backtestCommand.js";
import { backtestCompareCommand } from "./commands/backtestCompareCommand.js";
import { cascadeCommand, normalizeNegativeValues } from "./commands/cascadeCommand.js";
import { compareCommand } from "./commands/compareCommand.js";
import { demoCommand } from "./commands/demoCommand.js";
import { devnetCommand } from "./commands/devnetCommand.js";
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
import { vectorsCommand } from "./commands/vectorsCommand.js";
import { whatifCommand } from "./commands/whatifCommand.js";
import { workerCommand } from "./commands/workerCommand.js";
import { xchainValidationCommand } from "./commands/xchainValidationCommand.js";
import {
  COMMANDS,
  COMMON_OPTIONS,
  type CommandSpec,
  commandHelpText,
  commandSpec,
  overviewText,
} from "./commandTable.js";
import { suggestion } from "./didYouMean.js";
import { FAIL_ON_EXIT_CODE, failOnTriggered, parseFailOn } from "./failOn.js";

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

/** Every long option any command takes, with its type (parseArgs); which command takes which is in commandTable. */
const OPTION_TYPES = {
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
  execute: { type: "string" },
  ports: { type: "string" },
  delay: { type: "string" },
  every: { type: "string" },
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
  workers: { type: "string" },
  port: { type: "string" },
  db: { type: "string" },
  store: { type: "string" },
  bus: { type: "string" },
  shards: { type: "string" },
  replicas: { type: "string" },
  mode: { type: "string" },
  demo: { type: "boolean", default: false },
  host: { type: "string" },
  interval: { type: "string" },
  dir: { type: "string" },
  "fail-on": { type: "string" },
  quiet: { type: "boolean", default: false },
  out: { type: "string" },
  hyper: { type: "string" },
  weights: { type: "string" },
  rules: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

/** What a command printed and the exit code it asks for (0, or 3 for a `--fail-on` condition). */
export interface CliResult {
  text: string;
  exitCode: number;
}

/** Runs one `xmargin` invocation and returns its stdout text (errors are thrown). */
export async function run(argv: string[]): Promise<string> {
  return (await runCli(argv)).text;
}

/** The package's version (package.json beside dist/ or src/). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version?: unknown };
  return typeof pkg.version === "string" ? pkg.version : "0.0.0";
}

function unknownCommand(command: string): XmarginError {
  return new XmarginError(`unknown command "${command}"`, {
    code: "INVALID_INPUT",
    path: "<command>",
    details: `${suggestion(
      command,
      COMMANDS.map((c) => c.name),
    )}; run xmargin help`,
  });
}

/** parseArgs, with unknown options and options of another command reported with the nearest option of this one. */
function parseOptions(spec: CommandSpec, rest: string[]) {
  const allowed = [...spec.options, ...COMMON_OPTIONS];
  const show = (o: string) => `--${o}`;
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTION_TYPES; strict: true; allowPositionals: false }>>;
  try {
    parsed = parseArgs({
      args: normalizeNegativeValues(rest, ["shock"]),
      options: OPTION_TYPES,
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    const code = (err as { code?: string }).code ?? "";
    const message = err instanceof Error ? err.message : String(err);
    const option = /'(-{1,2}[\w-]+)/.exec(message)?.[1];
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && option) {
      throw invalidInput(
        option,
        `unknown option ${option} for ${spec.name}`,
        suggestion(option.replace(/^-+/, ""), allowed, show),
      );
    }
    if (code.startsWith("ERR_PARSE_ARGS")) throw invalidInput(option ?? `<${spec.name}>`, message.split("\n")[0]!);
    throw err;
  }
  for (const [name, value] of Object.entries(parsed.values)) {
    const given = value !== false && !(Array.isArray(value) && value.length === 0);
    if (given && !(allowed as string[]).includes(name)) {
      throw invalidInput(`--${name}`, `${spec.name} does not take --${name}`, suggestion(name, allowed, show));
    }
  }
  return parsed.values as Record<string, unknown>;
}

export async function runCli(argv: string[]): Promise<CliResult> {
  const [first, ...afterFirst] = argv;
  const models = MARGIN_MODEL_NAMES;
  if (first === undefined || first === "--help" || first === "-h") return { text: overviewText(models), exitCode: 0 };
  if (first === "--version" || first === "-V" || first === "version") return { text: packageVersion(), exitCode: 0 };
  if (first === "help") {
    const topic = afterFirst[0];
    if (topic === undefined) return { text: overviewText(models), exitCode: 0 };
    const spec = commandSpec(topic);
    if (!spec) throw unknownCommand(topic);
    return { text: commandHelpText(spec, models), exitCode: 0 };
  }
  const spec = commandSpec(first);
  if (!spec) throw unknownCommand(first);
  // `vectors SUITE ...` takes the suite name as its one positional argument.
  const suite = first === "vectors" && afterFirst[0] && !afterFirst[0].startsWith("-") ? afterFirst[0] : undefined;
  const values = parseOptions(spec, suite === undefined ? afterFirst : afterFirst.slice(1));
  if (values.help === true) return { text: commandHelpText(spec, models), exitCode: 0 };
  if (first === "vectors") return vectorsCommand({ suite, dir: required(values, "dir"), json: values.json === true });
  const failOn = parseFailOn(values["fail-on"]);
  let report: MarginReport | undefined;
  const onReport = (r: MarginReport) => {
    report = r;
  };
  const text = await dispatch(first, values, onReport);
  return { text, exitCode: failOn && report && failOnTriggered(failOn, report) ? FAIL_ON_EXIT_CODE : 0 };
}

async function dispatch(
  command: string,
  values: Record<string, unknown>,
  onReport: (r: MarginReport) => void,
): Promise<string> {
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
          onReport,
        });
      }
      return marginCommand({
        portfolio: required(values, "portfolio"),
        market: required(values, "market"),
        ...optional(values, "config", "model", "rules"),
        json,
        onReport,
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
      return trainCommand({ ...optional(values, "history", "out", "hyper", "to"), quiet: values.quiet === true });
    case "forecasting":
      return forecastingCommand({
        ...optional(values, "history", "out", "paths", "from", "to"),
        json,
        quiet: values.quiet === true,
      });
    case "health":
      return healthCommand({ ...account(), onReport });
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
        quiet: values.quiet === true,
      });
    case "backtest":
      return backtestCommand({
        portfolio: required(values, "portfolio"),
        model: required(values, "model"),
        ...optional(values, "from", "to", "report", "history", "market", "paths"),
        json,
        quiet: values.quiet === true,
      });
    case "backtest-compare":
      return backtestCompareCommand({
        ...optional(values, "paths", "from", "to", "history", "workers"),
        quiet: values.quiet === true,
      });
    case "xchain-validation":
      return xchainValidationCommand({ ...optional(values, "paths", "history"), json });
    case "serve":
      return serveCommand({
        ...optional(values, "port", "db", "host", "interval", "from", "history", "sources", "execute"),
        ...optional(values, "store", "bus", "shards", "replicas"),
        demo: values.demo === true,
      });
    case "worker":
      return workerCommand({ ...optional(values, "store", "bus", "shards", "replicas", "model", "mode") });
    case "devnet":
      return devnetCommand({ ...optional(values, "ports", "delay", "every", "out") });
    case "demo":
      return demoCommand(join(ROOT, "examples"));
    default:
      throw unknownCommand(command);
  }
}
