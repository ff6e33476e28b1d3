import { z } from "zod";
import type { MarketSnapshot } from "../schema/marketSnapshot.js";

/** Which bridge routes a plan may use (plain JSON numbers, like a MarginConfig). */
export const bridgePolicySchema = z
  .object({
    /** Routes slower than this are not used, seconds (default 1 hour: rules out 7-day canonical withdrawals). */
    maxLatencySec: z.number().min(0).default(3600),
    /** Route names never used (`name` in the snapshot's `bridges`). */
    excludeRoutes: z.array(z.string()).default([]),
    /** Waiting priced into the choice of route, bps of the amount per hour of latency (0 = cheapest fee wins). */
    latencyCostBpsPerHour: z.number().min(0).max(10_000).default(0),
  })
  .strict();

export type BridgePolicy = z.infer<typeof bridgePolicySchema>;

export interface BridgeRoute {
  from: string;
  to: string;
  name: string | undefined;
  latencySec: number;
  costBps: number;
}

/**
 * The route a plan uses from `from` to `to`: among the snapshot's routes the policy allows, the lowest
 * fee + latency x latencyCostBpsPerHour, then the fastest. Undefined when no route is allowed.
 */
export function chooseRoute(
  snapshot: MarketSnapshot,
  from: string,
  to: string,
  policy: BridgePolicy,
): BridgeRoute | undefined {
  let best: BridgeRoute | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const b of snapshot.bridges) {
    if (b.from !== from || b.to !== to) continue;
    if (b.name !== undefined && policy.excludeRoutes.includes(b.name)) continue;
    const latencySec = Number(b.latencySec);
    if (latencySec > policy.maxLatencySec) continue;
    const costBps = Number(b.costBps);
    const score = costBps + (policy.latencyCostBpsPerHour * latencySec) / 3600;
    if (score < bestScore || (score === bestScore && best !== undefined && latencySec < best.latencySec)) {
      best = { from, to, name: b.name, latencySec, costBps };
      bestScore = score;
    }
  }
  return best;
}
