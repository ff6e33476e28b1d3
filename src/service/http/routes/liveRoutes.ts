import { z } from "zod";
import { XmarginError } from "../../../core/errors.js";
import { identifier } from "../../../schema/primitives.js";
import { liveStatusResponseSchema, planApproveResponseSchema } from "../../responseSchemas.js";
import type { HttpContext } from "../httpContext.js";
import { defineRoute, type Route } from "../route.js";

const approveParams = z.object({ id: identifier, planId: z.coerce.number().int().positive() }).strict();

/** Nearest-rank percentile of a sorted list. */
function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * Live mode (`--sources`): the chains' RPC state and update-to-report timing (read), and operator approval of a plan,
 * which executes its cross-chain moves on chain (account write; idempotent).
 * @see docs/service.md#live-mode
 */
export function liveRoutes(ctx: HttpContext): Route[] {
  return [
    defineRoute({
      method: "GET",
      url: "/v1/live",
      summary: "live mode: RPC state per chain, execution mode, update-to-report time (p50, p99)",
      access: "read",
      ok: { description: "status", schema: { name: "LiveStatus", zod: liveStatusResponseSchema } },
      errors: { 409: "the service runs without --sources" },
      handle: () => {
        if (!ctx.live)
          throw new XmarginError("the service runs without --sources (no live chains)", { code: "CONFLICT" });
        const ms = ctx.live.timings.map((t) => t.applyMs).sort((a, b) => a - b);
        return {
          chains: ctx.live.statuses(),
          execution: ctx.execution?.mode ?? "dry-run",
          updates: ms.length,
          applyMs: { p50: percentile(ms, 0.5), p99: percentile(ms, 0.99) },
        };
      },
    }),
    defineRoute({
      method: "POST",
      url: "/v1/accounts/:id/plans/:planId/approve",
      summary: "live mode: operator approval, executes the plan's cross-chain moves on chain (never twice)",
      access: "account-write",
      params: approveParams,
      ok: { description: "execution record", schema: { name: "PlanApproval", zod: planApproveResponseSchema } },
      errors: { 404: "unknown account or plan", 409: "no execution mode, or no cross-chain move in the plan" },
      handle: async ({ params }) => {
        ctx.service.getAccount(params.id);
        if (!ctx.execution) {
          throw new XmarginError("plan execution needs live chains (--sources) and an execution mode", {
            code: "CONFLICT",
          });
        }
        return {
          accountId: params.id,
          planId: params.planId,
          execution: await ctx.execution.approve(params.id, params.planId),
        };
      },
    }),
  ];
}
