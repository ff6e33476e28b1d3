import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { XmarginError } from "../core/errors.js";
import { compareCommand } from "./commands/compareCommand.js";
import { demoCommand } from "./commands/demoCommand.js";
import { marginCommand } from "./commands/marginCommand.js";
import { riskCommand } from "./commands/riskCommand.js";
import { valueCommand } from "./commands/valueCommand.js";

const USAGE = `usage: xmargin <command> [options]

commands:
  value   --portfolio P.json --market M.json [--json]            mark value and greeks of each position
  margin  --portfolio P.json --market M.json [--config C.json | --model NAME] [--json]
                                                                  margin report (default model: grid)
  compare --portfolio P.json --market M.json [--json]            every model side by side
  risk    --history DIR [--to YYYY-MM-DD] [--factors A,B] [--method ewma|garch] [--lambda 0.94] [--window 250]
          [--json | --snapshot M.json]
                                                                  EWMA vols/correlations with a stressed floor
  demo                                                            compare on every example portfolio
models: isolated, cross, grid, xchain`;

/** Repository root, from dist/src/cli/run.js or src/cli/run.ts. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), import.meta.url.includes("/dist/") ? "../../.." : "../..");

function required(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== "string" || v.length === 0)
    throw new XmarginError(`missing --${name}`, { code: "INVALID_INPUT", path: `--${name}` });
  return v;
}

export async function run(argv: string[]): Promise<string> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      portfolio: { type: "string" },
      market: { type: "string" },
      config: { type: "string" },
      model: { type: "string" },
      json: { type: "boolean", default: false },
      history: { type: "string" },
      to: { type: "string" },
      factors: { type: "string" },
      lambda: { type: "string" },
      window: { type: "string" },
      method: { type: "string" },
      snapshot: { type: "string" },
    },
    strict: true,
    allowPositionals: false,
  });
  const json = values.json === true;
  switch (command) {
    case "value":
      return valueCommand({ portfolio: required(values, "portfolio"), market: required(values, "market"), json });
    case "margin":
      return marginCommand({
        portfolio: required(values, "portfolio"),
        market: required(values, "market"),
        ...(values.config ? { config: values.config } : {}),
        ...(values.model ? { model: values.model } : {}),
        json,
      });
    case "compare":
      return compareCommand({ portfolio: required(values, "portfolio"), market: required(values, "market"), json });
    case "risk":
      return riskCommand({
        history: required(values, "history"),
        ...(values.to ? { to: values.to } : {}),
        ...(values.factors ? { factors: values.factors } : {}),
        ...(values.lambda ? { lambda: values.lambda } : {}),
        ...(values.window ? { window: values.window } : {}),
        ...(values.method ? { method: values.method } : {}),
        ...(values.snapshot ? { snapshot: values.snapshot } : {}),
        json,
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
