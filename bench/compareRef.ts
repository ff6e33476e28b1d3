import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

type BenchRecord = Record<string, unknown>;

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed in ${cwd}: ${r.stderr || r.stdout}`);
  return r.stdout.trim();
}

/**
 * Runs the benchmarks of git ref `ref` as a child process: checks the ref out in a temporary worktree (sharing this
 * checkout's node_modules), builds it with this checkout's TypeScript and runs its `dist/bench/run.js` with `args`.
 * The worktree is removed afterwards.
 * @returns the ref's JSON lines
 */
export async function runRefBenchmarks(root: string, ref: string, args: string[]): Promise<BenchRecord[]> {
  const sha = run("git", ["rev-parse", "--verify", `${ref}^{commit}`], root);
  const dir = mkdtempSync(join(tmpdir(), "xmargin-bench-ref-"));
  rmSync(dir, { recursive: true });
  run("git", ["worktree", "add", "--detach", dir, sha], root);
  try {
    symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
    run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], dir);
    const out: BenchRecord[] = [];
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [join(dir, "dist/bench/run.js"), ...args], {
        cwd: dir,
        stdio: ["ignore", "pipe", "inherit"],
      });
      let buffered = "";
      child.stdout.setEncoding("utf8");
      child.stdout.on("data", (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split("\n");
        buffered = lines.pop() ?? "";
        for (const line of lines) {
          if (!line.startsWith("{")) continue;
          const record = JSON.parse(line) as BenchRecord;
          out.push(record);
          process.stdout.write(`${JSON.stringify({ ref: sha.slice(0, 7), ...record })}\n`);
        }
      });
      child.on("error", reject);
      child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`ref benchmarks exited with ${code}`))));
    });
    return out;
  } finally {
    run("git", ["worktree", "remove", "--force", dir], root);
  }
}

/** Identity of a figure across versions: its name, kernel (JS unless named) and thread count (1 unless given). */
function figureKey(r: BenchRecord): string {
  return `${r.bench}|${r.kernel ?? "js"}|${r.threads ?? 1}`;
}

const COMPARED = /(Ms|PerSec|usPerAccount)$/;

/**
 * One line per figure and timing field present in both runs: ref value, current value and current / ref (below 1 is
 * faster for times, slower for rates).
 */
export function compareRecords(ref: readonly BenchRecord[], now: readonly BenchRecord[]): BenchRecord[] {
  const byKey = new Map(ref.map((r) => [figureKey(r), r]));
  const out: BenchRecord[] = [];
  for (const r of now) {
    const old = byKey.get(figureKey(r));
    if (!old) continue;
    for (const [field, value] of Object.entries(r)) {
      const before = old[field];
      if (!COMPARED.test(field) || field === "targetMs" || typeof value !== "number" || typeof before !== "number")
        continue;
      out.push({
        bench: "compare",
        figure: figureKey(r),
        field,
        ref: before,
        now: value,
        ratio: before !== 0 ? Number((value / before).toFixed(3)) : null,
      });
    }
  }
  return out;
}
