import { useEffect, useRef, useState } from "preact/hooks";
import { API_KEY, getJson } from "./api.js";
import type {
  AccountList,
  AccountSummary,
  HistoryRow,
  MarginReportJson,
  Markets,
  PriceRow,
  StreamMessage,
} from "./apiTypes.js";

/** The tick the header shows. */
export interface TickInfo {
  seq: number;
  asOf: string;
  source?: string;
}

type Listener = () => void;

/**
 * The live state of the dashboard: account summaries, their latest reports, the market tick and prices, fed by
 * `GET /v1/accounts`, `GET /v1/markets` and the `/v1/stream` WebSocket. Pages subscribe with `useLive()`.
 */
class LiveState {
  accounts = new Map<string, AccountSummary>();
  reports = new Map<string, MarginReportJson>();
  /** accountId -> margin history rows, oldest first (loaded by the account page, extended live). */
  history = new Map<string, HistoryRow[]>();
  prices: PriceRow[] = [];
  prevPrices = new Map<string, number>();
  tick: TickInfo | null = null;
  conn: "connecting" | "open" | "closed" = "connecting";
  /** Bumped on every change; hooks re-render on it. */
  version = 0;
  private readonly listeners = new Set<Listener>();
  private retryMs = 500;

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private changed(): void {
    this.version++;
    for (const l of this.listeners) l();
  }

  async start(): Promise<void> {
    const [accounts, markets] = await Promise.all([
      getJson<AccountList>("/v1/accounts"),
      getJson<Markets>("/v1/markets").catch(() => null),
    ]);
    for (const a of accounts.accounts) this.accounts.set(a.accountId, a);
    if (markets) {
      this.setTick({ seq: markets.seq, asOf: markets.asOf, source: markets.source });
      this.setPrices(markets.prices);
    }
    this.changed();
    this.connect();
  }

  private setTick(t: TickInfo): void {
    this.tick = { ...this.tick, ...t };
  }

  private setPrices(prices: PriceRow[]): void {
    for (const p of this.prices) this.prevPrices.set(p.symbol, Number(p.price));
    this.prices = prices;
  }

  private onReport(accountId: string, seq: number, reason: string, report: MarginReportJson): void {
    this.reports.set(accountId, report);
    const prev = this.accounts.get(accountId);
    const count = (sev: string) => report.flags.filter((f) => f.severity === sev).length;
    if (prev) {
      this.accounts.set(accountId, {
        ...prev,
        seq,
        model: report.model,
        asOf: report.asOf,
        equity: report.equity,
        initialMargin: report.initialMargin,
        maintenanceMargin: report.maintenanceMargin,
        freeCollateral: report.freeCollateral,
        healthRatio: report.healthRatio,
        flags: { critical: count("critical"), warning: count("warning"), info: count("info") },
        error: null,
      });
    }
    const rows = this.history.get(accountId);
    const last = rows?.[rows.length - 1];
    if (rows && reason !== "subscribe" && (!last || last.seq !== seq || reason === "position")) {
      rows.push({
        seq,
        asOf: report.asOf,
        model: report.model,
        accountVersion: prev?.version ?? 0,
        reason,
        equity: report.equity,
        initialMargin: report.initialMargin,
        maintenanceMargin: report.maintenanceMargin,
        freeCollateral: report.freeCollateral,
        healthRatio: report.healthRatio,
      });
    }
  }

  private onMessage(msg: StreamMessage): void {
    switch (msg.type) {
      case "hello":
        if (msg.seq !== null && msg.asOf !== null) this.setTick({ seq: msg.seq, asOf: msg.asOf });
        break;
      case "tick":
        this.setTick({ seq: msg.seq, asOf: msg.asOf, source: msg.source });
        this.setPrices(msg.prices);
        break;
      case "report":
        this.onReport(msg.accountId, msg.seq, msg.reason, msg.report);
        break;
      case "plan": {
        const a = this.accounts.get(msg.accountId);
        const to = (msg.plan.trigger as { to?: string } | undefined)?.to;
        if (a && to) this.accounts.set(msg.accountId, { ...a, band: to });
        break;
      }
      case "figures": {
        // Scale-out figures mode: a worker's headline figures (the report itself is fetched on request).
        const a = this.accounts.get(msg.accountId);
        if (a) {
          this.accounts.set(msg.accountId, {
            ...a,
            seq: msg.seq,
            asOf: msg.asOf,
            equity: msg.equity,
            initialMargin: msg.initialMargin,
            maintenanceMargin: msg.maintenanceMargin,
            freeCollateral: msg.freeCollateral,
            healthRatio: msg.healthRatio,
            error: null,
          });
        }
        break;
      }
      case "account-error": {
        const a = this.accounts.get(msg.accountId);
        if (a) this.accounts.set(msg.accountId, { ...a, error: msg.error });
        break;
      }
      default:
        return;
    }
    this.changed();
  }

  private connect(): void {
    const proto = location.protocol === "https:" ? "wss" : "ws";
    const keyQuery = API_KEY ? `?key=${encodeURIComponent(API_KEY)}` : "";
    const ws = new WebSocket(`${proto}://${location.host}/v1/stream${keyQuery}`);
    ws.addEventListener("open", () => {
      this.retryMs = 500;
      this.conn = "open";
      ws.send(JSON.stringify({ type: "subscribe", accounts: ["*"] }));
      this.changed();
    });
    ws.addEventListener("message", (ev) => {
      try {
        this.onMessage(JSON.parse(String(ev.data)) as StreamMessage);
      } catch (err) {
        console.error("bad stream message", err);
      }
    });
    ws.addEventListener("close", () => {
      this.conn = "closed";
      this.changed();
      setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(10_000, this.retryMs * 2);
    });
  }
}

export const live = new LiveState();

/** Re-renders the calling component on every live change; returns the state. */
export function useLive(): LiveState {
  const [, setVersion] = useState(live.version);
  useEffect(() => live.subscribe(() => setVersion(live.version)), []);
  return live;
}

/** A GET answer loaded when `deps` change (e.g. the account id or tick); `null` while loading. */
export function useFetch<T>(
  load: () => Promise<T>,
  deps: unknown[],
): { data: T | null; error: string | null; loading: boolean } {
  const [state, setState] = useState<{ data: T | null; error: string | null; loading: boolean }>({
    data: null,
    error: null,
    loading: true,
  });
  useEffect(() => {
    let alive = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => alive && setState({ data, error: null, loading: false }),
      (err: Error) => alive && setState((s) => ({ data: s.data, error: err.message, loading: false })),
    );
    return () => {
      alive = false;
    };
  }, deps);
  return state;
}

/**
 * A heavy GET answer (a liquidation search re-runs the model dozens of times) kept fresh without flooding the service:
 * loaded when `resetKey` changes, then again on a new `tick` but never while one load is in flight and at most once
 * per `minIntervalMs`. The answer shown may be a few ticks old; it carries its own `seq` for the page to say so.
 */
export function useThrottledFetch<T>(
  load: () => Promise<T>,
  resetKey: string,
  tick: unknown,
  minIntervalMs: number,
): { data: T | null; error: string | null; loading: boolean } {
  const [state, setState] = useState<{ data: T | null; error: string | null; loading: boolean }>({
    data: null,
    error: null,
    loading: true,
  });
  const loadRef = useRef(load);
  loadRef.current = load;
  const current = useRef({ key: resetKey, inFlight: false, wanted: false, lastStartMs: 0 });
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const lastTick = useRef(tick);

  const run = (): void => {
    const c = current.current;
    if (c.inFlight) {
      c.wanted = true;
      return;
    }
    const waitMs = c.lastStartMs + minIntervalMs - Date.now();
    if (waitMs > 0) {
      c.wanted = true;
      timer.current ??= setTimeout(() => {
        timer.current = undefined;
        if (c.wanted && current.current === c) run();
      }, waitMs);
      return;
    }
    c.wanted = false;
    c.inFlight = true;
    c.lastStartMs = Date.now();
    setState((s) => ({ ...s, loading: true }));
    loadRef
      .current()
      .then(
        (data) => current.current === c && setState({ data, error: null, loading: false }),
        (err: Error) =>
          current.current === c && setState((s) => ({ data: s.data, error: err.message, loading: false })),
      )
      .finally(() => {
        c.inFlight = false;
        if (c.wanted && current.current === c) run();
      });
  };

  useEffect(() => {
    current.current = { key: resetKey, inFlight: false, wanted: false, lastStartMs: 0 };
    setState({ data: null, error: null, loading: true });
    run();
    return () => {
      clearTimeout(timer.current);
      timer.current = undefined;
    };
  }, [resetKey]);

  useEffect(() => {
    if (lastTick.current === tick) return;
    lastTick.current = tick;
    run();
  }, [tick]);
  return state;
}
