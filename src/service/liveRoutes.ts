import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { identifier } from "../schema/primitives.js";
import { parseDocument } from "../schema/validate.js";
import type { LiveChains } from "./liveChains.js";
import type { MarginService } from "./marginService.js";
import type { PlanExecution } from "./planExecution.js";
import { HttpError } from "./serviceErrors.js";

export interface LiveRoutesDeps {
  service: MarginService;
  live?: LiveChains;
  execution?: PlanExecution;
  requireKey: (req: FastifyRequest, reply: FastifyReply) => Promise<void>;
}

const approveParams = z.object({ id: identifier, planId: z.coerce.number().int().positive() }).strict();

/** Percentile of a sorted list (nearest rank). */
function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * Live-mode routes: `GET /v1/live` (chain RPC states, update-to-report timing) and
 * `POST /v1/accounts/:id/plans/:planId/approve` (operator approval of a plan: executes it on chain).
 * @see docs/service.md#live-mode
 */
export function registerLiveRoutes(app: FastifyInstance, deps: LiveRoutesDeps): void {
  app.get("/v1/live", async () => {
    if (!deps.live) throw new HttpError(409, "UNSUPPORTED", "the service runs without --sources (no live chains)");
    const ms = deps.live.timings.map((t) => t.applyMs).sort((a, b) => a - b);
    return {
      chains: deps.live.statuses(),
      execution: deps.execution?.mode ?? "dry-run",
      updates: ms.length,
      applyMs: { p50: percentile(ms, 0.5), p99: percentile(ms, 0.99) },
    };
  });

  app.post("/v1/accounts/:id/plans/:planId/approve", { preHandler: deps.requireKey }, async (req) => {
    const { id, planId } = parseDocument(approveParams, req.params, "path");
    deps.service.getAccount(id);
    if (!deps.execution) {
      throw new HttpError(409, "UNSUPPORTED", "plan execution needs live chains (--sources) and an execution mode");
    }
    return { accountId: id, planId, execution: await deps.execution.approve(id, planId) };
  });
}
