import { writeFileSync } from "node:fs";
import { BridgeRelayer } from "../../chains/bridge/bridgeRelayer.js";
import { startHermesServer } from "../../chains/devnet/hermesServer.js";
import { XmarginError } from "../../core/errors.js";
import { parseSourcesConfig } from "../../oracles/sourcesConfig.js";
import { Prng } from "../../risk/prng.js";
import { zigguratNormal } from "../../risk/zigguratNormal.js";

export interface DevnetArgs {
  /** Ports of the two chains and the Hermes SSE server, "A,B,H" (default 8545,8546,8547: examples/sources-local.json). */
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
/** Pyth's SOL/USD price feed id (public, as in docs/oracles.md). */
const SOL_USD_PYTH_ID = "0xef0d8b6fda2ceba41da15d4095d1da392a0d2f8ed0c6c7bc0f4cfac8c280b56d";

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
 * new ETH/USD round on both chains every `--every` ms (a seeded random walk, the copies a few bps apart) and a
 * SOL/USD price on a local Hermes-compatible SSE server (port H). Pair it
 * with `xmargin serve --sources examples/sources-local.json`. Dev tool: needs the clone's dev dependencies (anvil,
 * solc).
 * @see docs/service.md#live-mode
 */
export async function devnetCommand(args: DevnetArgs): Promise<string> {
  const print = args.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const ports = (args.ports ?? "8545,8546,8547").split(",").map((p) => intArg(p, "ports", 0));
  if (ports.length !== 3) {
    throw new XmarginError("--ports needs three ports A,B,H", { code: "INVALID_INPUT", path: "--ports" });
  }
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
  // Pyth over SSE: a local Hermes-compatible server streaming SOL/USD (the keeper publishes it with each round).
  const hermes = await startHermesServer(ports[2]!);
  const devnetSources = {
    ...net.sources,
    hermes: { url: hermes.url, chain: "solana", feeds: [{ id: SOL_USD_PYTH_ID, feed: "SOL/USD", maxAgeSec: 60 }] },
  };
  const sources = parseSourcesConfig(devnetSources);
  const relayer = new BridgeRelayer({
    config: sources,
    relayer: net.relayer,
    log: (l) => print(`xmargin devnet: ${l}`),
  });
  relayer.start();
  if (args.out) writeFileSync(args.out, `${JSON.stringify(devnetSources, null, 2)}\n`);
  print(`xmargin devnet: ethereum ${net.nodes[0].rpcUrl} (chain id 31401), arbitrum ${net.nodes[1].rpcUrl} (31402)`);
  print(`xmargin devnet: user account ${net.user} (anvil dev account 1), relayer ${net.relayer}`);
  print(`xmargin devnet: Pyth SOL/USD over SSE at ${hermes.url}/v2/updates/price/stream`);
  print(`xmargin devnet: ${args.out ? `sources written to ${args.out}` : JSON.stringify(devnetSources)}`);
  args.onStarted?.({ sources: devnetSources });

  let keeper: NodeJS.Timeout | undefined;
  if (every > 0) {
    const rng = new Prng(21);
    let ethUsd = 2_000;
    let solUsd = 20;
    keeper = setInterval(() => {
      // 20 bps of daily-ish noise per round; the arbitrum copy lags within 5 bps of ethereum's.
      ethUsd *= Math.exp(0.002 * zigguratNormal(rng));
      const a = BigInt(Math.round(ethUsd * E8));
      const b = BigInt(Math.round(ethUsd * (1 + 0.0005 * zigguratNormal(rng)) * E8));
      solUsd *= Math.exp(0.003 * zigguratNormal(rng));
      hermes.publish([
        {
          id: SOL_USD_PYTH_ID,
          price: String(Math.round(solUsd * E8)),
          conf: String(Math.round(solUsd * E8 * 0.0005)),
          expo: -8,
          publishTime: Math.floor(Date.now() / 1000),
        },
      ]);
      void Promise.all([net.setPrice("ethereum", "ETH/USD", a), net.setPrice("arbitrum", "ETH/USD", b)]).catch(
        (err: unknown) => print(`xmargin devnet: keeper: ${err instanceof Error ? err.message : String(err)}`),
      );
    }, every);
  }
  const reason = await (args.until ?? untilSignal());
  if (keeper) clearInterval(keeper);
  await relayer.stop();
  await hermes.close();
  await net.stop();
  return `xmargin devnet: stopped (${String(reason)})`;
}
