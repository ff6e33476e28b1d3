import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Private nats-server instances for tests: JetStream on, loopback only, data in a temp folder, free ports. Nothing
 * relies on a system service; `stop()` kills the process and removes the folder.
 */

/** Where nats-server is: $NATS_SERVER, else the Debian package's path, else the PATH. */
export function natsServerBinary(): string | undefined {
  const candidates = [process.env.NATS_SERVER, "/usr/sbin/nats-server", "/usr/bin/nats-server"];
  for (const c of candidates) if (c && existsSync(c)) return c;
  return undefined;
}

/** A TCP port nobody listens on right now (the kernel's pick, released before use). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface NatsNode {
  name: string;
  /** Client URL, e.g. nats://127.0.0.1:41234 */
  url: string;
  /** Running now (false after `kill9` until `restart`). */
  readonly running: boolean;
  /** SIGKILL: no flush, no goodbye to the cluster. */
  kill9(): Promise<void>;
  /** Starts it again on the same ports and data folder. */
  restart(): Promise<void>;
}

export interface NatsCluster {
  nodes: NatsNode[];
  /** Every node's client URL, comma-separated (what a client is given to fail over). */
  url: string;
  stop(): Promise<void>;
}

interface NodeSpec {
  name: string;
  clientPort: number;
  clusterPort?: number;
  routes?: number[];
  storeDir: string;
}

function argsOf(spec: NodeSpec): string[] {
  const args = ["-a", "127.0.0.1", "-p", String(spec.clientPort), "-js", "-sd", spec.storeDir, "-n", spec.name];
  if (spec.clusterPort !== undefined) {
    args.push("--cluster_name", "xm-test", "--cluster", `nats://127.0.0.1:${spec.clusterPort}`);
    const routes = (spec.routes ?? []).map((p) => `nats://127.0.0.1:${p}`);
    if (routes.length) args.push("--routes", routes.join(","));
  }
  return args;
}

/** Spawns one node and resolves once it says it is ready (or rejects with its output). */
function spawnNode(bin: string, spec: NodeSpec): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, argsOf(spec), { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`nats-server ${spec.name} did not start in 15 s:\n${output}`));
    }, 15_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes("Server is ready")) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        child.stderr?.off("data", onData);
        // Keep draining the pipes so a chatty server never blocks on a full pipe.
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(child);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`nats-server ${spec.name} exited with ${code}:\n${output}`));
    });
  });
}

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

function nodeOf(bin: string, spec: NodeSpec, first: ChildProcess): NatsNode {
  let child: ChildProcess | undefined = first;
  return {
    name: spec.name,
    url: `nats://127.0.0.1:${spec.clientPort}`,
    get running() {
      return child !== undefined;
    },
    async kill9() {
      if (!child) return;
      const c = child;
      child = undefined;
      c.kill("SIGKILL");
      await waitExit(c);
    },
    async restart() {
      if (child) return;
      child = await spawnNode(bin, spec);
    },
  };
}

function requireBinary(): string {
  const bin = natsServerBinary();
  if (!bin) throw new Error("nats-server not found: install Debian's nats-server or set NATS_SERVER");
  return bin;
}

/** One JetStream node. */
export async function startNatsServer(): Promise<NatsCluster> {
  return startNatsCluster(1);
}

/**
 * `size` JetStream nodes; with more than one they form a cluster (routes between all of them), so streams can be
 * replicated `size` times.
 */
export async function startNatsCluster(size: number): Promise<NatsCluster> {
  const bin = requireBinary();
  const dir = mkdtempSync(join(tmpdir(), "xmargin-nats-"));
  const specs: NodeSpec[] = [];
  const clusterPorts: number[] = [];
  for (let i = 0; i < size; i++) {
    const clientPort = await freePort();
    const clusterPort = size > 1 ? await freePort() : undefined;
    if (clusterPort !== undefined) clusterPorts.push(clusterPort);
    const storeDir = join(dir, `n${i + 1}`);
    mkdirSync(storeDir);
    specs.push({ name: `n${i + 1}`, clientPort, ...(clusterPort ? { clusterPort } : {}), storeDir });
  }
  for (const s of specs) if (s.clusterPort !== undefined) s.routes = clusterPorts.filter((p) => p !== s.clusterPort);
  const nodes: NatsNode[] = [];
  try {
    const children = await Promise.all(specs.map((s) => spawnNode(bin, s)));
    for (const [i, s] of specs.entries()) nodes.push(nodeOf(bin, s, children[i]!));
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    nodes,
    url: nodes.map((n) => n.url).join(","),
    async stop() {
      await Promise.all(nodes.map((n) => n.kill9()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
