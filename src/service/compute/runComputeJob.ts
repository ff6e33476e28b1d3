import { reportToJson } from "../../margin/reportJson.js";
import { resolveMarginConfig } from "../../margin/resolveConfig.js";
import { replayWindow } from "../accountBacktest.js";
import { accountHealth } from "../accountRisk.js";
import { marginAtSnapshot } from "../onDemand.js";
import type { ComputeJob, ComputeResult } from "./computeProtocol.js";

/** Runs one heavy job in a compute worker: the same functions the main thread uses when there is no worker. */
export function runComputeJob(job: ComputeJob): ComputeResult {
  if (job.kind === "margin") {
    const report = marginAtSnapshot(job.portfolio, job.snapshot, job.configDoc, job.fromRequest, job.rulebook);
    return { kind: "margin", report: reportToJson(report), ...(job.full ? { full: report } : {}) };
  }
  if (job.kind === "health") {
    return {
      kind: "health",
      health: accountHealth(job.portfolio, job.snapshot, resolveMarginConfig(job.configDoc), job.stamp),
    };
  }
  const replay = replayWindow(
    { historyDir: job.historyDir, ...(job.template ? { template: job.template } : {}) },
    job.portfolio,
    resolveMarginConfig(job.configDoc),
    job.end,
    job.windowDays,
  );
  return { kind: "backtest", replay };
}
