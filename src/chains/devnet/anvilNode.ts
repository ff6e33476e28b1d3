import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** A running local EVM node. */
export interface AnvilNode {
  port: number;
  chainId: number;
  rpcUrl: string;
  /** Stops the node and waits for its process to exit. */
  stop(): Promise<void>;
}

/** Repository root, from dist/src/chains/devnet or src/chains/devnet (anvil is a dev dependency of the clone). */
const ROOT = join(
  fileURLToPath(new URL(".", import.meta.url)),
  import.meta.url.includes("/dist/") ? "../../../.." : "../../..",
);

/** The platform binary when npm installed one (a direct child, so killing it leaves nothing behind), else the shim. */
function anvilCommand(): { file: string; viaShim: boolean } {
  const direct = join(
    ROOT,
    "node_modules",
    "@foundry-rs",
    `anvil-${process.platform}-${process.arch === "x64" ? "amd64" : process.arch}`,
    "bin",
    "anvil",
  );
  if (existsSync(direct)) return { file: direct, viaShim: false };
  return { file: join(ROOT, "node_modules", ".bin", "anvil"), viaShim: true };
}

/** A TCP port that was free a moment ago on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(2_000),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

function stopProcess(child: ChildProcess, viaShim: boolean): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => {
      try {
        if (viaShim && child.pid) process.kill(-child.pid, "SIGKILL");
        else child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }, 3_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      // The shim is started in its own process group so that the group (shim + anvil) stops together.
      if (viaShim && child.pid) process.kill(-child.pid, "SIGTERM");
      else child.kill("SIGTERM");
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

/**
 * Starts anvil on a free loopback port with the given chain id and waits until its RPC answers with that id
 * (generous: up to `startTimeoutMs`, for slow 2-core machines). Retries on another port if the first is taken.
 */
export async function startAnvil(chainId: number, startTimeoutMs = 30_000, port?: number): Promise<AnvilNode> {
  const { file, viaShim } = anvilCommand();
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const chosen = port !== undefined && attempt === 0 ? port : await freePort();
    const child = spawn(
      file,
      ["--host", "127.0.0.1", "--port", String(chosen), "--chain-id", String(chainId), "--accounts", "3", "--silent"],
      { stdio: ["ignore", "ignore", "pipe"], detached: viaShim },
    );
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const rpcUrl = `http://127.0.0.1:${chosen}`;
    const deadline = Date.now() + startTimeoutMs;
    let ready = false;
    while (Date.now() < deadline && child.exitCode === null) {
      try {
        const id = await rpc(rpcUrl, "eth_chainId");
        if (id === `0x${chainId.toString(16)}`) {
          ready = true;
          break;
        }
      } catch (err) {
        lastError = err;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    if (ready) return { port: chosen, chainId, rpcUrl, stop: () => stopProcess(child, viaShim) };
    lastError = new Error(`anvil on port ${chosen} did not answer (exit ${child.exitCode}): ${stderr.slice(0, 500)}`);
    await stopProcess(child, viaShim);
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

/** Raw JSON-RPC (anvil's evm_increaseTime, evm_mine, evm_snapshot...). */
export { rpc as anvilRpc };
