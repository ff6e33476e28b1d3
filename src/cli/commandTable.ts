/** One `xmargin` command: its help and the options it accepts (the one list used by help, parsing and suggestions). */
export interface CommandSpec {
  name: string;
  group: string;
  summary: string;
  /** Usage lines after `xmargin <name> ` (the first is shown in the overview). */
  usage: string[];
  /** Long option names the command accepts besides --help and --quiet. */
  options: readonly string[];
}

const DOCS = ["--portfolio P.json", "--market M.json"];
const ACCOUNT_OPTIONS = ["portfolio", "market", "config", "model", "params", "json"] as const;

/** Every command, in the order of the overview. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "value",
    group: "valuation and margin",
    summary: "mark value and greeks of each position, net greeks per underlying",
    usage: [`${DOCS.join(" ")} [--json]`],
    options: ["portfolio", "market", "json"],
  },
  {
    name: "margin",
    group: "valuation and margin",
    summary: "margin report of one model (default grid)",
    usage: [
      `${DOCS.join(" ")} [--config C.json | --model NAME] [--rules RULEBOOK.json] [--fail-on liquidatable|below-im] [--json]`,
      "--account 0xADDRESS --sources S.json [--model NAME] [--fail-on liquidatable|below-im] [--json]",
    ],
    options: ["portfolio", "market", "config", "model", "account", "sources", "fail-on", "rules", "json"],
  },
  {
    name: "compare",
    group: "valuation and margin",
    summary: "every model side by side",
    usage: [`${DOCS.join(" ")} [--json]`],
    options: ["portfolio", "market", "json"],
  },
  {
    name: "demo",
    group: "valuation and margin",
    summary: "compare on every example portfolio",
    usage: [""],
    options: [],
  },
  {
    name: "snapshot",
    group: "market data and risk",
    summary: "MarketSnapshot from oracle sources",
    usage: ["--sources S.json [--json]"],
    options: ["sources", "json"],
  },
  {
    name: "risk",
    group: "market data and risk",
    summary: "EWMA/GARCH/learned vols and correlations with a stressed floor from the daily history",
    usage: [
      "[--history DIR] [--to YYYY-MM-DD] [--factors A,B] [--method ewma|garch|ml|auto] [--weights DIR] [--lambda 0.94] [--window 250] [--json | --snapshot M.json]",
    ],
    options: ["history", "to", "factors", "lambda", "window", "method", "snapshot", "weights", "json"],
  },
  {
    name: "train",
    group: "market data and risk",
    summary: "refit the learned vol forecaster's weights artefacts (artefacts/forecast) on the daily history",
    usage: ["[--history DIR] [--to YYYY-MM-DD] [--out DIR] [--hyper reports/forecasting.json]"],
    options: ["history", "to", "out", "hyper"],
  },
  {
    name: "forecasting",
    group: "market data and risk",
    summary: "EWMA, GARCH, HAR-OLS and the learned model out of sample -> reports/forecasting.md (+ .json)",
    usage: ["[--history DIR] [--out DIR] [--paths N [--from D] [--to D]] [--json]"],
    options: ["history", "out", "json", "paths", "from", "to"],
  },
  {
    name: "health",
    group: "health and actions",
    summary: "health, liquidation prices and time to liquidation per underlying",
    usage: [
      `${DOCS.join(" ")} [--config C.json | --model NAME] [--params F.json] [--fail-on liquidatable|below-im] [--json]`,
    ],
    options: [...ACCOUNT_OPTIONS, "fail-on"],
  },
  {
    name: "liquidate",
    group: "health and actions",
    summary: "liquidation plan back to initial margin",
    usage: [`${DOCS.join(" ")} [--config C.json | --model NAME] [--params F.json] [--json]`],
    options: ACCOUNT_OPTIONS,
  },
  {
    name: "rebalance",
    group: "health and actions",
    summary: "cross-chain collateral moves (default model xchain)",
    usage: [`${DOCS.join(" ")} [--config C.json | --model NAME] [--params F.json] [--json]`],
    options: ACCOUNT_OPTIONS,
  },
  {
    name: "whatif",
    group: "health and actions",
    summary: "margin before and after trades, deposits, withdrawals and market moves",
    usage: [
      `${DOCS.join(" ")} [--config C.json | --model NAME] [--whatif W.json] [--trade KIND,CHAIN,VENUE,U,SIZE,...] [--deposit CHAIN,TOKEN,AMOUNT] [--withdraw CHAIN,TOKEN,AMOUNT] [--move U,SPOT[,VOL]] [--json]`,
    ],
    options: ["portfolio", "market", "config", "model", "whatif", "trade", "deposit", "withdraw", "move", "json"],
  },
  {
    name: "cascade",
    group: "health and actions",
    summary: "liquidation cascade per model after a price shock",
    usage: [
      "--accounts DIR --market M.json --shock -30% [--underlying U] [--models a,b] [--depth X|unlimited] [--max-rounds N] [--params F.json] [--json]",
    ],
    options: ["accounts", "market", "shock", "underlying", "models", "depth", "max-rounds", "params", "json"],
  },
  {
    name: "backtest",
    group: "validation",
    summary: "replay a portfolio on the daily history under one model",
    usage: [
      "--portfolio P.json --model NAME [--from D] [--to D] [--history DIR] [--market M.json] [--paths N] [--json] [--report out.html] [--quiet]",
    ],
    options: ["portfolio", "model", "from", "to", "history", "market", "paths", "report", "json"],
  },
  {
    name: "vectors",
    group: "validation",
    summary: "a venue's golden cases: computed vs expected MM and IM, exit 1 if any misses 1e-8 relative",
    usage: ["derive-pmrm2 --dir DIR [--json]"],
    options: ["dir", "json"],
  },
  {
    name: "backtest-compare",
    group: "validation",
    summary: "every example portfolio x every model -> reports/",
    usage: ["[--paths N] [--from D] [--to D] [--history DIR] [--workers N] [--quiet]"],
    options: ["paths", "from", "to", "history", "workers"],
  },
  {
    name: "xchain-validation",
    group: "validation",
    summary: "xchain on every example portfolio -> reports/xchain-validation.md",
    usage: ["[--paths N] [--history DIR] [--json]"],
    options: ["paths", "history", "json"],
  },
  {
    name: "serve",
    group: "service",
    summary: "HTTP/WebSocket margin service with the dashboard",
    usage: [
      "[--port N] [--db FILE] [--demo] [--host H] [--interval MS] [--from D] [--history DIR]",
      "--sources S.json [--execute dry-run|approval|automatic] [--port N] [--db FILE] [--demo]",
      "--store URL --bus nats://HOST:PORT [--shards N] [--replicas N] [--port N] (scale-out API node)",
    ],
    options: [
      "port",
      "db",
      "demo",
      "host",
      "interval",
      "from",
      "history",
      "sources",
      "execute",
      "store",
      "bus",
      "shards",
      "replicas",
    ],
  },
  {
    name: "worker",
    group: "service",
    summary: "scale-out re-margining worker: takes shards from NATS JetStream, stores reports (docs/scale-out.md)",
    usage: ["--store URL --bus nats://HOST:PORT [--shards N] [--replicas N] [--model NAME] [--mode figures|reports]"],
    options: ["store", "bus", "shards", "replicas", "model", "mode"],
  },
  {
    name: "devnet",
    group: "service",
    summary: "two local anvil chains with feeds, USDC, the test bridge and relayer, Pyth over SSE (dev tool)",
    usage: ["[--ports 8545,8546,8547] [--delay SEC] [--every MS] [--out S.json]"],
    options: ["ports", "delay", "every", "out"],
  },
];

/** Options every command accepts. */
export const COMMON_OPTIONS = ["help", "quiet"] as const;

export function commandSpec(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** The overview printed by `xmargin help`. */
export function overviewText(models: readonly string[]): string {
  const out = ["usage: xmargin <command> [options]", ""];
  let group = "";
  for (const c of COMMANDS) {
    if (c.group !== group) {
      group = c.group;
      out.push(group);
    }
    out.push(`  ${c.name.padEnd(17)}${c.summary}`);
  }
  out.push(
    "",
    "every command: -h/--help (its options), --quiet (no progress bar); xmargin --version",
    `models: ${models.join(", ")}`,
    "history folder: --history DIR, else XMARGIN_HISTORY_DIR, else ../shared/data beside the package",
    "run `xmargin help <command>` for a command's options",
  );
  return out.join("\n");
}

/** The help of one command. */
export function commandHelpText(spec: CommandSpec, models: readonly string[]): string {
  const out = [`xmargin ${spec.name}: ${spec.summary}`, ""];
  spec.usage.forEach((u, i) => {
    out.push(`${i === 0 ? "usage:" : "      "} xmargin ${spec.name} ${u}`.trimEnd());
  });
  if (spec.options.includes("model")) out.push("", `models: ${models.join(", ")}`);
  if (spec.options.includes("json")) out.push("", "--json: the result as JSON on stdout; errors as JSON on stderr");
  if (spec.options.includes("fail-on")) {
    out.push(
      "--fail-on liquidatable: exit 3 when the account can be liquidated (health < 1)",
      "--fail-on below-im:     exit 3 when free collateral is negative (below initial margin)",
    );
  }
  return out.join("\n");
}
