/**
 * A private PostgreSQL server for tests: its own cluster in a temporary folder, listening on a free loopback port,
 * stopped and deleted afterwards. Uses the Debian packages' binaries (/usr/lib/postgresql/<version>/bin, the newest
 * version found; `.ci/run` installs them). initdb refuses to run as root, so as root every server command runs as
 * the `postgres` system user, which then owns the folder.
 */
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort } from "../../src/chains/devnet/anvilNode.js";

const PG_ROOT = "/usr/lib/postgresql";

/** The newest installed server's bin folder, or undefined when PostgreSQL is not installed. */
export function findPostgresBin(): string | undefined {
  if (!existsSync(PG_ROOT)) return undefined;
  const versions = readdirSync(PG_ROOT)
    .filter((v) => /^\d+(\.\d+)?$/.test(v) && existsSync(join(PG_ROOT, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(PG_ROOT, versions[0], "bin");
}

/** Why the PostgreSQL tests skip on this machine, or undefined when they can run. */
export function postgresSkipReason(): string | undefined {
  return findPostgresBin()
    ? undefined
    : `no PostgreSQL binaries under ${PG_ROOT}/*/bin (install Debian's postgresql, as .ci/run does)`;
}

export interface PostgresServer {
  port: number;
  /** Connection URL of a database on this server (default "postgres"). */
  url(database?: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server at once (like a crash: `-m immediate`) and starts it again on the same port. */
  restart(): Promise<void>;
  stopImmediately(): void;
  start(): void;
  /** Stops the server and deletes its folder. */
  stop(): Promise<void>;
}

/**
 * Starts a private PostgreSQL (fsync off: a test cluster need not survive power loss, only a server crash).
 * @example
 * const server = await startPostgres();
 * const url = await server.createDatabase("contract_1");
 * await server.stop();
 */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = findPostgresBin();
  if (!bin) throw new Error(postgresSkipReason());
  const dir = mkdtempSync(join(tmpdir(), "xmargin-pg-"));
  const data = join(dir, "data");
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(dir, uid, gid);
  }
  const run = (tool: string, args: string[]) => {
    const [cmd, argv] = asRoot
      ? ["runuser", ["-u", "postgres", "--", join(bin, tool), ...args]]
      : [join(bin, tool), args];
    return execFileSync(cmd as string, argv as string[], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  };
  const port = await freePort();
  const user = "xmargin";
  const logFile = join(dir, "server.log");
  const start = () => {
    const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
    try {
      run("pg_ctl", ["-D", data, "-l", logFile, "-o", opts, "-w", "-t", "60", "start"]);
    } catch (err) {
      const log = existsSync(logFile) ? readFileSync(logFile, "utf8").slice(-2000) : "";
      throw new Error(`PostgreSQL did not start: ${err instanceof Error ? err.message : String(err)}\n${log}`);
    }
  };
  const stopImmediately = () => {
    run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
  };
  try {
    run("initdb", ["-D", data, "-U", user, "--auth=trust", "--no-locale", "-E", "UTF8", "--no-sync"]);
    start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const url = (database = "postgres") => `postgres://${user}@127.0.0.1:${port}/${database}`;
  let stopped = false;
  return {
    port,
    url,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`database name ${name}: lower-case letters, digits, _`);
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    async restart() {
      stopImmediately();
      start();
    },
    stopImmediately,
    start,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        stopImmediately();
      } catch {
        // already stopped (a test stopped it and failed before starting it again)
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
