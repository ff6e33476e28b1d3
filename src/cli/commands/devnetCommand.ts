import { writeFileSync } from "node:fs";
import { BridgeRelayer } from "../../chains/bridge/bridgeRelayer.js";
import { XmarginError } from "../../core/errors.js";
import { parseSourcesConfig } from "../../oracles/sourcesConfig.js";
import { Prng } from "../../risk/prng.js";
import { zigguratNormal } from "../../risk/zigguratNormal.js";

export interface DevnetArgs {
  /** RPC ports of the two chains, "A,B" (default 8545,8546: what examples/sources-local.json names). */
  ports?: string;
  /** Bridge delay, seconds (default 10). */
  delay?: string;
  /** Milliseconds between price rounds posted by the keeper (default 2000; 0 = no keeper). */
  every?: string;
  /** Write the SourcesConfig of the devnet to this file. */
  out?: string;
  print?: (line: string) => void;
  /** Resolves when the devnet should stop (default SIGINT or SIGTERM). */
  until?: Promise<unknown>;
  onStarted?: (info: { sources: unknown }) => void;
}

const E8 = 100_000_000;

function intArg(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v))
    throw new XmarginError(`--${name} must be a whole number`, { code: "INVALID_INPUT", path: `--${name}` });
  return Number(v);
}

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
}

/**
 * `xmargin devnet`: two local anvil chains ("ethereum" 31401 on 8545, "arbitrum" 31402 on 8546) with Chainlink-style
 * ETH/USD and USDC/USD feeds, USDC, the test bridge and its relayer, a block every second, and a keeper that posts a
 * new ETH/USD round on both chains every `--every` ms (a seeded random walk, the copies a few bps apart). Pair it
 * with `xmargin serve --sources examples/sources-local.json`. Dev tool: needs the clone's dev dependencies (anvil,
 * solc).
 * @see docs/service.md#live-mode
 */
export async function devnetCommand(args: DevnetArgs): Promise<string> {
  const print = args.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const ports = (args.ports ?? "8545,8546").split(",").map((p) => intArg(p, "ports", 0));
  if (ports.length !== 2)
    throw new XmarginError("--ports needs two ports A,B", { code: "INVALID_INPUT", path: "--ports" });
  const every = intArg(args.every, "every", 2_000);
  // Loaded here: anvil and solc are dev dependencies, needed only by this command.
  const { startDevnet } = await import("../../chains/devnet/deployDevnet.js");
  const net = await startDevnet({
    ports: [ports[0]!, ports[1]!],
    bridgeDelaySec: intArg(args.delay, "delay", 10),
    blockTimeSec: 1,
    finalityBlocks: 2,
    pollIntervalMs: 500,
  });
  const sources = parseSourcesConfig(net.sources);
  const relayer = new BridgeRelayer({
    config: sources,
    relayer: net.relayer,
    log: (l) => print(`xmargin devnet: ${l}`),
  });
  relayer.start();
  if (args.out) writeFileSync(args.out, `${JSON.stringify(net.sources, null, 2)}\n`);
  print(`xmargin devnet: ethereum ${net.nodes[0].rpcUrl} (chain id 31401), arbitrum ${net.nodes[1].rpcUrl} (31402)`);
  print(`xmargin devnet: user account ${net.user} (anvil dev account 1), relayer ${net.relayer}`);
  print(`xmargin devnet: ${args.out ? `sources written to ${args.out}` : JSON.stringify(net.sources)}`);
  args.onStarted?.({ sources: net.sources });

  let keeper: NodeJS.Timeout | undefined;
  if (every > 0) {
    const rng = new Prng(21);
    let ethUsd = 2_000;
    keeper = setInterval(() => {
      // 20 bps of daily-ish noise per round; the arbitrum copy lags within 5 bps of ethereum's.
      ethUsd *= Math.exp(0.002 * zigguratNormal(rng));
      const a = BigInt(Math.round(ethUsd * E8));
      const b = BigInt(Math.round(ethUsd * (1 + 0.0005 * zigguratNormal(rng)) * E8));
      void Promise.all([net.setPrice("ethereum", "ETH/USD", a), net.setPrice("arbitrum", "ETH/USD", b)]).catch(
        (err: unknown) => print(`xmargin devnet: keeper: ${err instanceof Error ? err.message : String(err)}`),
      );
    }, every);
  }
  const reason = await (args.until ?? untilSignal());
  if (keeper) clearInterval(keeper);
  await relayer.stop();
  await net.stop();
  return `xmargin devnet: stopped (${String(reason)})`;
}
