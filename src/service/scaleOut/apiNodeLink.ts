import type { XmarginErrorJson } from "../../core/errors.js";
import type { MarginReportJson } from "../../margin/reportJson.js";
import { marketSnapshotSchema } from "../../schema/marketSnapshot.js";
import { parseDocument } from "../../schema/validate.js";
import {
  accountMessageSchema,
  figureRowsOf,
  resultsMessageSchema,
  tickMessageSchema,
} from "../../store/bus/busMessages.js";
import type { MarginBus } from "../../store/bus/marginBus.js";
import type { MarginService } from "../marginService.js";

/**
 * Joins an API node to the bus: its ticks and account writes are published (in order, retried until acknowledged),
 * and it follows the ticks and accounts of the other API nodes and every worker's results, so its WebSocket clients
 * see every account whichever node wrote it. The node itself re-margins nothing on a tick.
 * @see docs/scale-out.md
 */
export async function linkApiNode(service: MarginService, bus: MarginBus, log: (line: string) => void): Promise<void> {
  // Start where the bus is: a node joining a running deployment takes the newest tick first.
  const latest = await bus.latestTick();
  if (latest) {
    const snapshot = parseDocument(marketSnapshotSchema, latest.snapshot, "MarketSnapshot");
    service.applyPeerTick(snapshot, latest.source, latest.seq);
  }
  const publish = serialPublisher(log);
  service.remarginElsewhere((tick) =>
    publish(`tick ${tick.seq}`, () =>
      bus.publishTick({ seq: tick.seq, asOf: tick.asOf, source: tick.source, snapshot: tick.snapshot }),
    ),
  );
  service.onAccountWritten((acc) =>
    publish(`account ${acc.accountId}`, () => bus.publishAccount({ accountId: acc.accountId, version: acc.version })),
  );
  // A report this node computed for a write goes to the other nodes at once (the workers' next tick follows).
  service.on((e) => {
    if (e.type !== "report" || e.reason !== "position") return;
    const result = {
      accountId: e.accountId,
      seq: e.seq,
      asOf: e.asOf,
      version: e.version,
      reason: e.reason,
      report: e.report,
    };
    publish(`report ${e.accountId}`, () => bus.publishResults([result]));
  });
  await bus.follow("ticks", tickMessageSchema, (m) => {
    const snapshot = parseDocument(marketSnapshotSchema, m.snapshot, "MarketSnapshot");
    service.applyPeerTick(snapshot, m.source, m.seq);
  });
  // An account another node wrote is loaded from the store before anything about it is shown (its account message
  // and its first result may arrive in either order).
  const catchUp = async (accountId: string, version: number) => {
    const held = service.accounts.get(accountId);
    if (held && held.version >= version) return;
    const row = await service.store.getAccount(accountId);
    if (row && row.version >= version) service.registry.reload(row);
  };
  await bus.follow("accounts", accountMessageSchema, (m) => catchUp(m.accountId, m.version));
  await bus.follow("results", resultsMessageSchema, async (message) => {
    if ("figures" in message) {
      // Figures mode: headline figures of many accounts; an account this node does not hold yet is caught up first.
      for (const { row, status } of figureRowsOf(message)) {
        const caught = await catchUp(row.accountId, row.accountVersion).then(
          () => true,
          (err: unknown) => {
            log(`figures of ${row.accountId} ignored: ${err instanceof Error ? err.message : String(err)}`);
            return false;
          },
        );
        if (caught) service.installPeerFigures(row, status === "" ? [] : status.split(","));
      }
      return;
    }
    const batch = message;
    for (const m of batch.results) {
      // One account's failed catch-up (store unavailable) must not drop the rest of the batch.
      const caught = await catchUp(m.accountId, m.version).then(
        () => true,
        (err: unknown) => {
          log(`result of ${m.accountId} ignored: ${err instanceof Error ? err.message : String(err)}`);
          return false;
        },
      );
      if (!caught) continue;
      service.installPeerReport({
        accountId: m.accountId,
        seq: m.seq,
        asOf: m.asOf,
        version: m.version,
        reason: m.reason,
        // Workers publish what reportToJson made of the engine's report; the API serves it as such.
        report: m.report as MarginReportJson | null,
        ...(m.error ? { error: m.error as XmarginErrorJson } : {}),
      });
    }
  });
}

/**
 * Publishes one thing after another (ticks must reach the bus in order); a failed publish is retried until the bus
 * acknowledges it, so an acknowledged write to this node is never left off the bus while the node lives.
 */
function serialPublisher(log: (line: string) => void): (what: string, send: () => Promise<void>) => void {
  let chain: Promise<void> = Promise.resolve();
  return (what, send) => {
    chain = chain.then(async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          await send();
          return;
        } catch (err) {
          if (attempt === 0)
            log(`publishing ${what} failed, retrying: ${err instanceof Error ? err.message : String(err)}`);
          await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt)));
        }
      }
    });
  };
}
