import { readdirSync, readFileSync } from "node:fs";

/**
 * CPU time of processes from Linux /proc, so a benchmark can say where a deployment's CPU went (workers, PostgreSQL,
 * nats-server, the bench itself) and not only how long a tick took. Linux only; elsewhere every figure is null.
 */

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on every Linux the project runs on). */
const USER_HZ = 100;

interface ProcStat {
  ppid: number;
  /** utime + stime of the process itself, seconds. */
  ownSeconds: number;
  /** cutime + cstime: children that exited and were waited for, seconds. */
  reapedChildrenSeconds: number;
}

function statOf(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // Fields after the command name (which may hold spaces) start at state, field 3.
  const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const n = (field: number) => Number(f[field - 3]);
  return {
    ppid: n(4),
    ownSeconds: (n(14) + n(15)) / USER_HZ,
    reapedChildrenSeconds: (n(16) + n(17)) / USER_HZ,
  };
}

function allPids(): number[] {
  try {
    return readdirSync("/proc")
      .filter((d) => /^\d+$/.test(d))
      .map(Number);
  } catch {
    return [];
  }
}

/** CPU seconds used so far by a process alone; null when it is gone or /proc is missing. */
export function cpuSecondsOf(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  return statOf(pid)?.ownSeconds ?? null;
}

/**
 * CPU seconds used so far by a process and all its descendants, living or exited (exited children count once their
 * parent has waited for them, as PostgreSQL's postmaster does for its backends).
 */
export function treeCpuSecondsOf(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  const root = statOf(pid);
  if (!root) return null;
  // One read of each process: the tree and the times come from the same snapshot.
  const children = new Map<number, Array<{ pid: number; stat: ProcStat }>>();
  for (const p of allPids()) {
    const stat = statOf(p);
    if (!stat) continue;
    const list = children.get(stat.ppid);
    if (list) list.push({ pid: p, stat });
    else children.set(stat.ppid, [{ pid: p, stat }]);
  }
  let total = root.ownSeconds + root.reapedChildrenSeconds;
  const stack = [...(children.get(pid) ?? [])];
  while (stack.length > 0) {
    const { pid: p, stat } = stack.pop()!;
    total += stat.ownSeconds + stat.reapedChildrenSeconds;
    stack.push(...(children.get(p) ?? []));
  }
  return total;
}

/** Parent of a process (e.g. the postmaster of a PostgreSQL backend). */
export function parentOf(pid: number): number | undefined {
  return statOf(pid)?.ppid;
}

/** The process whose command line contains every one of `parts` (e.g. "nats-server" and "-p 4222"), if one. */
export function findProcess(parts: readonly string[]): number | undefined {
  for (const p of allPids()) {
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0").join(" ");
    } catch {
      continue;
    }
    if (parts.every((x) => cmd.includes(x))) return p;
  }
  return undefined;
}

/** Resident memory of a process, MB; null when it is gone. */
export function rssMbOf(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}
