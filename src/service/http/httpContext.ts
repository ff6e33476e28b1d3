import type { z } from "zod";
import type { AccountBacktester } from "../accountBacktest.js";
import type { WorkerPool } from "../compute/workerPool.js";
import type { ComputeQueue } from "../computeQueue.js";
import type { LiveChains } from "../liveChains.js";
import type { MarginService } from "../marginService.js";
import type { PlanExecution } from "../planExecution.js";
import type { ReplayStatus } from "../replayFeed.js";
import type { ServiceConfig } from "../serviceConfig.js";
import type { StreamHub } from "../streamHub.js";
import type { KeyRing } from "./auth.js";
import type { ServiceMetrics } from "./serviceMetrics.js";

/** The replay controls the HTTP layer exposes. */
export interface FeedControl {
  status(): ReplayStatus | null;
  /** Advances one day; undefined when the history is exhausted or there is no feed. */
  step(): Promise<{ seq: number; asOf: string; source: string } | undefined>;
}

/** What route handlers may use. */
export interface HttpContext {
  config: ServiceConfig;
  service: MarginService;
  /** The what-if document schema of the bound engine (part of the WhatIfRequest). */
  whatIfSchema: z.ZodType;
  feed: FeedControl;
  /** Backtests of stored accounts on the daily history; absent = 409. */
  backtester?: AccountBacktester;
  compute: ComputeQueue;
  /** Worker threads for heavy calls (absent when running from sources: the work then runs on the event loop). */
  workers?: WorkerPool;
  hub: StreamHub;
  keys: KeyRing;
  version: string;
  /** Prometheus metrics of this service (`GET /metrics`). */
  metrics: ServiceMetrics;
  /** Live mode (`--sources`): the followed chains and on-chain plan execution. */
  live?: LiveChains;
  execution?: PlanExecution;
}
