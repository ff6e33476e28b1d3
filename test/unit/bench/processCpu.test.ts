import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { cpuSecondsOf, findProcess, parentOf, rssMbOf, treeCpuSecondsOf } from "../../../bench/processCpu.js";

const burn = (cpuMs: number) => {
  const until = process.cpuUsage().user / 1000 + cpuMs;
  let x = 0;
  while (process.cpuUsage().user / 1000 < until) x += Math.sqrt(x + 1);
  return x;
};

describe.skipIf(!existsSync("/proc/self/stat"))("processCpu (Linux /proc)", () => {
  it("reads this process's CPU seconds as process.cpuUsage counts them (within the 10 ms clock tick)", () => {
    const before = cpuSecondsOf(process.pid)!;
    const usage0 = process.cpuUsage();
    burn(300);
    const used = process.cpuUsage(usage0);
    const procDelta = cpuSecondsOf(process.pid)! - before;
    expect(Math.abs(procDelta - (used.user + used.system) / 1e6)).toBeLessThan(0.05);
  });

  it("a tree counts a child that exited and was waited for; parent, command line and memory are found", async () => {
    const child = spawn(process.execPath, [
      "-e",
      "const u=()=>process.cpuUsage().user/1000;const end=u()+400;while(u()<end);",
      "--",
      "xm-cpu-probe",
    ]);
    const childPid = child.pid!;
    await new Promise((r) => setTimeout(r, 100));
    expect(parentOf(childPid)).toBe(process.pid);
    expect(findProcess(["xm-cpu-probe"])).toBe(childPid);
    expect(rssMbOf(childPid)).toBeGreaterThan(1);
    const treeBefore = treeCpuSecondsOf(process.pid)!;
    const ownBefore = cpuSecondsOf(process.pid)!;
    await new Promise((r) => child.once("exit", r));
    // The child spins 0.4 s of CPU; at most ~0.1 s (its start-up and spin within 100 ms of wall time) was before the
    // first reading. The tree (this process + reaped children) sees the rest.
    const grewTree = treeCpuSecondsOf(process.pid)! - treeBefore;
    const grewOwn = cpuSecondsOf(process.pid)! - ownBefore;
    expect(grewTree - grewOwn).toBeGreaterThan(0.2);
    expect(cpuSecondsOf(childPid)).toBeNull();
    expect(cpuSecondsOf(undefined)).toBeNull();
  });
});
