import type { FastifyInstance } from "fastify";
import { collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { LiveAccount } from "../liveAccount.js";
import type { MarginService } from "../marginService.js";

/** Health bands of `xmargin_accounts`, from the report's own flags (one home: assembleReport sets them). */
export type HealthBand = "liquidatable" | "below_initial" | "healthy" | "failed" | "pending";

/** The band an account is in: a failed computation, none yet, or what its report's flags say. */
export function healthBandOf(acc: LiveAccount): HealthBand {
  if (acc.error && !acc.report) return "failed";
  const r = acc.report;
  if (!r) return "pending";
  if (r.flags.some((f) => f.code === "BELOW_MAINTENANCE")) return "liquidatable";
  if (r.flags.some((f) => f.code === "BELOW_INITIAL")) return "below_initial";
  return "healthy";
}

const BANDS: readonly HealthBand[] = ["liquidatable", "below_initial", "healthy", "failed", "pending"];

/**
 * The service's Prometheus metrics (prom-client, a registry of its own so that several services in one process do
 * not mix): request latency per route, tick-to-report latency, accounts per health band, and prom-client's default
 * process metrics, which include the event-loop lag (`xmargin_nodejs_eventloop_lag_seconds`).
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly requestSeconds: Histogram<"method" | "route" | "status">;
  private readonly tickToReportSeconds: Histogram;

  constructor(service: MarginService) {
    collectDefaultMetrics({ register: this.registry, prefix: "xmargin_" });
    this.requestSeconds = new Histogram({
      name: "xmargin_http_request_duration_seconds",
      help: "HTTP request latency by method, route pattern and status",
      labelNames: ["method", "route", "status"],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.tickToReportSeconds = new Histogram({
      name: "xmargin_tick_to_report_seconds",
      help: "time from a market tick being applied to each report it moved being announced",
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    new Gauge({
      name: "xmargin_accounts",
      help: "stored accounts per health band (liquidatable, below_initial, healthy, failed, pending)",
      labelNames: ["band"],
      registers: [this.registry],
      collect() {
        const counts = new Map<HealthBand, number>(BANDS.map((b) => [b, 0]));
        for (const acc of service.accounts.values()) {
          const b = healthBandOf(acc);
          counts.set(b, counts.get(b)! + 1);
        }
        for (const [band, n] of counts) this.set({ band }, n);
      },
    });
    service.on((event) => {
      if (event.type !== "report" || event.reason !== "tick") return;
      const tick = service.market.current;
      // Reports of an older tick (coalesced under load) have no start time left to measure from.
      if (tick?.seq === event.seq) this.tickToReportSeconds.observe((performance.now() - tick.appliedAtMs) / 1000);
    });
  }

  /** Times every answered request by its route pattern (unknown paths as "unmatched": bounded label values). */
  instrument(app: FastifyInstance): void {
    app.addHook("onResponse", async (req, reply) => {
      this.requestSeconds.observe(
        { method: req.method, route: req.routeOptions.url ?? "unmatched", status: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    });
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
