import { formatDecimal, formatUsd } from "../core/decimal.js";
import { asXmarginError, XmarginError, type XmarginErrorJson } from "../core/errors.js";
import { runMarginModel } from "../margin/computeMargin.js";
import { DEFAULT_RULEBOOK } from "../margin/policy/defaultRulebook.js";
import { parseRulebook, type Rulebook } from "../margin/policy/rulebook.js";
import type { MarginReport } from "../margin/report.js";
import { type MarginReportJson, reportToJson } from "../margin/reportJson.js";
import { resolvePortfolio } from "../margin/resolve/resolvePortfolio.js";
import { type AnyMarginConfig, resolveMarginConfig } from "../margin/resolveConfig.js";
import { type MarketSnapshot, marketSnapshotSchema } from "../schema/marketSnapshot.js";
import type { Portfolio } from "../schema/portfolio.js";
import { parseDocument } from "../schema/validate.js";
import type { MarginSnapshotRow, MarginSnapshotWrite, MarginStore, PolicyAuditWrite } from "../store/marginStore.js";
import { AccountRegistry } from "./accountRegistry.js";
import { checkBudget } from "./computeBudget.js";
import type { WhatIfEngine } from "./engines.js";
import { dependenciesOf, type LiveAccount } from "./liveAccount.js";
import { LiveMarket, type MarketTick, pricesOf, priceToJson } from "./liveMarket.js";
import { marginSnapshotRow } from "./marginRows.js";
import type { RebalancePolicy } from "./rebalancePolicy.js";
import { type ComputeBudget, computeBudgetSchema } from "./serviceConfig.js";
import { type ReportReason, type ServiceEvent, ServiceEvents, type ServiceListener } from "./serviceEvents.js";
import { underPath } from "./underPath.js";

/** Hook run after an account's report is recomputed (the rebalancer). */
export type ReportHook = (account: LiveAccount, tick: MarketTick) => void;

/** Computes a stored account's report at a tick somewhere else (a worker thread). */
export type TickComputer = (acc: LiveAccount, tick: MarketTick) => Promise<ComputedReport>;

/** One account's report at one tick, computed and serialised (serialising can fail on a non-finite figure). */
export interface ComputedReport {
  report: MarginReport;
  json: MarginReportJson;
}

/** The report of a portfolio at a tick; the one place the service runs the engine on the live market. */
export function computeAtTick(
  portfolio: Portfolio,
  tick: MarketTick,
  config: AnyMarginConfig,
  rulebook: Rulebook = DEFAULT_RULEBOOK,
): ComputedReport {
  const report = runMarginModel(resolvePortfolio(portfolio, tick.market), tick.market, config, { rulebook });
  return { report, json: reportToJson(report) };
}

/** `name@vN` of a rulebook, as reports and the audit trail name it. */
export const rulebookLabel = (b: Rulebook): string => `${b.name}@v${b.version}`;

export interface MarginServiceOptions {
  store: MarginStore;
  whatIf: WhatIfEngine;
  defaultModel: string;
  /** Limits of every computation the service runs for a client (default: the documented defaults). */
  budget?: ComputeBudget;
  /** Called with a line for the operator log (no client ever sees it). */
  log?: (line: string) => void;
}

/**
 * The stateful heart of the service: the live market, the accounts and their latest reports. Every tick re-margins
 * only the accounts that hold a changed feed (all of them when the market clock moves), stores the tick and the new
 * margin snapshots, and announces the reports that moved. The computation itself is the pure engine; on-demand calls
 * that keep no state live in onDemand.ts.
 */
export class MarginService {
  readonly store: MarginStore;
  readonly market: LiveMarket;
  readonly registry: AccountRegistry;
  readonly whatIfEngine: WhatIfEngine;
  readonly budget: ComputeBudget;
  private readonly events: ServiceEvents;
  private readonly reportHooks: ReportHook[] = [];
  private readonly log: (line: string) => void;
  readonly stats = { ticks: 0, recomputations: 0, lastTickMs: 0, coalescedTicks: 0 };
  /** Where tick recomputations run when not on the event loop (set by the server when worker threads exist). */
  private tickComputer: TickComputer | undefined;
  /** Scale-out mode: where ticks go to be re-margined by workers (nothing is recomputed here). */
  private tickSink: ((tick: MarketTick) => void) | undefined;
  private readonly accountHooks: Array<(acc: LiveAccount) => void> = [];
  /** Off-thread mode: the tick waiting to be recomputed (the newest; older ones are folded into it). */
  private pending: { tick: MarketTick; changed: Set<string>; clockMoved: boolean } | undefined;
  private draining = false;
  /** The rulebook evaluated after every model: the newest stored version, else the built-in default. */
  rulebook: Rulebook = DEFAULT_RULEBOOK;

  /** Mutations (ticks, account writes, rulebook changes) run one at a time, in call order: see `serial`. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(options: MarginServiceOptions, restored: { market: LiveMarket; registry: AccountRegistry }) {
    this.store = options.store;
    this.whatIfEngine = options.whatIf;
    this.budget = options.budget ?? computeBudgetSchema.parse({});
    this.log = options.log ?? (() => {});
    this.events = new ServiceEvents(this.log);
    this.market = restored.market;
    this.registry = restored.registry;
  }

  /**
   * Opens the service on a store: restores the newest stored rulebook, the last market (the next tick continues its
   * sequence) and the accounts. Stored documents that no longer validate are logged and left out.
   */
  static async open(options: MarginServiceOptions): Promise<MarginService> {
    const log = options.log ?? (() => {});
    const storedBook = await options.store.latestRulebook(DEFAULT_RULEBOOK.name);
    const stored = await options.store.latestMarket();
    const market = new LiveMarket(stored ? stored.seq + 1 : 1);
    if (stored) {
      try {
        const snapshot = parseDocument(marketSnapshotSchema, stored.snapshot, "MarketSnapshot");
        market.apply(snapshot, stored.source, stored.seq);
      } catch (err) {
        log(`stored market ignored: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const registry = await AccountRegistry.load(options.store, options.defaultModel, log);
    const service = new MarginService(options, { market, registry });
    if (storedBook) {
      try {
        service.rulebook = parseRulebook(storedBook.document);
      } catch (err) {
        log(`stored rulebook ignored: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return service;
  }

  /**
   * Runs a mutation after the ones called before it. With an asynchronous store two ticks could otherwise interleave
   * and install an older tick's reports over a newer one's. A mutation must never await another (it would wait for
   * itself): hooks that write (the rebalancer) start theirs without awaiting it.
   */
  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Settles when every mutation called so far has finished (before closing the store). */
  async idle(): Promise<void> {
    await this.queue;
  }

  get accounts(): Map<string, LiveAccount> {
    return this.registry.accounts;
  }

  on(listener: ServiceListener): () => void {
    return this.events.on(listener);
  }

  onReport(hook: ReportHook): void {
    this.reportHooks.push(hook);
  }

  emit(event: ServiceEvent): void {
    this.events.emit(event);
  }

  /** The current market; UNAVAILABLE (503) when there is none yet. */
  currentTick(): MarketTick {
    const tick = this.market.current;
    if (!tick) throw new XmarginError("no live market yet", { code: "UNAVAILABLE", retryAfterSec: 1 });
    return tick;
  }

  getAccount(accountId: string): LiveAccount {
    return this.registry.get(accountId);
  }

  /**
   * Recomputes ticks off the event loop from now on: a tick is stored and announced at once, its accounts are
   * recomputed by `computer` and their reports announced in tick order. Ticks that arrive while one is being
   * recomputed are folded into the newest (their changed feeds and clock moves add up), so a slow recomputation
   * never builds a backlog.
   */
  offloadTicks(computer: TickComputer): void {
    this.tickComputer = computer;
  }

  /**
   * Scale-out mode: ticks are stored, announced and handed to `sink` (the bus), and re-margined by worker processes,
   * whose reports come back through `installPeerReport`.
   * @see docs/scale-out.md
   */
  remarginElsewhere(sink: (tick: MarketTick) => void): void {
    this.tickSink = sink;
  }

  /** Runs `hook` after every account write (scale-out mode announces it on the bus). */
  onAccountWritten(hook: (acc: LiveAccount) => void): void {
    this.accountHooks.push(hook);
  }

  /** Scale-out mode: a tick another API node published; applied if newer than ours, and announced. */
  applyPeerTick(snapshot: MarketSnapshot, source: string, seq: number): void {
    const current = this.market.current;
    if (current && current.seq >= seq) return;
    const tick = this.market.apply(snapshot, source, seq);
    this.emitTick(
      tick,
      source,
      pricesOf(tick.market),
      this.affectedBy(tick.changed, tick.clockMoved).map((a) => a.accountId),
    );
  }

  /**
   * Scale-out figures mode: an account's figures a worker stored (no report travels). Announced as a `figures` event
   * unless this node holds a newer report or version; the report it held, now older, is dropped, so the next request
   * for it computes the report at the live market (`accountReport`: the same pure engine as the workers).
   */
  installPeerFigures(row: MarginSnapshotRow, firedRules: string[]): void {
    const acc = this.accounts.get(row.accountId);
    if (!acc || acc.version > row.accountVersion) return;
    if (acc.reportSeq !== undefined && acc.reportSeq > row.seq) return;
    // A report this node already holds for the same tick and version (computed on request) stays its cache.
    if (acc.reportSeq !== row.seq || !acc.reportJson || acc.version !== row.accountVersion) {
      delete acc.report;
      delete acc.reportJson;
      delete acc.error;
      acc.reportSeq = row.seq;
    }
    const figures = {
      asOf: row.asOf,
      equity: formatUsd(row.equityUsd),
      initialMargin: formatUsd(row.initialMarginUsd),
      maintenanceMargin: formatUsd(row.maintenanceMarginUsd),
      freeCollateral: formatUsd(row.freeCollateralUsd),
      healthRatio: row.healthRatio === null ? null : formatDecimal(row.healthRatio, 6),
    };
    acc.figures = figures;
    this.emit({
      type: "figures",
      accountId: row.accountId,
      seq: row.seq,
      reason: row.reason as ReportReason,
      version: row.accountVersion,
      model: row.model,
      ...figures,
      firedRules,
    });
  }

  /**
   * Scale-out mode: a report a worker stored. Installed and announced unless this node already holds a newer one
   * (a later tick, or a newer account version).
   */
  installPeerReport(peer: {
    accountId: string;
    seq: number;
    asOf: string;
    version: number;
    reason: "tick" | "position";
    report: MarginReportJson | null;
    error?: XmarginErrorJson;
  }): void {
    const acc = this.accounts.get(peer.accountId);
    if (!acc || acc.version > peer.version) return;
    if (acc.reportSeq !== undefined && acc.reportSeq > peer.seq) return;
    // Our own report coming back (this node computed it for a write): already installed and announced.
    if (acc.reportJson && acc.reportSeq === peer.seq && acc.version === peer.version && peer.reason === "position") {
      return;
    }
    if (peer.report === null) {
      if (peer.error) this.emit({ type: "account-error", accountId: acc.accountId, seq: peer.seq, error: peer.error });
      return;
    }
    // The full report object stays with the worker; this node holds the JSON it serves.
    delete acc.report;
    delete acc.error;
    acc.reportJson = peer.report;
    acc.reportSeq = peer.seq;
    this.emit({
      type: "report",
      accountId: acc.accountId,
      seq: peer.seq,
      asOf: peer.asOf,
      reason: peer.reason,
      version: acc.version,
      report: peer.report,
    });
  }

  /** Computes (and caches) every account at the current market, e.g. at start. */
  computeAll(reason: "start" | "tick" = "start"): Promise<void> {
    return this.serial(async () => {
      const tick = this.market.current;
      if (tick) await this.recompute([...this.accounts.values()], tick, reason);
    });
  }

  /** Installs a computed report on the account; returns whether its JSON differs from the previous one. */
  private install(acc: LiveAccount, tick: MarketTick, computed: ComputedReport): boolean {
    const changed = !acc.reportJson || JSON.stringify(acc.reportJson) !== JSON.stringify(computed.json);
    acc.report = computed.report;
    acc.reportJson = computed.json;
    acc.reportSeq = tick.seq;
    delete acc.error;
    return changed;
  }

  /** Stores the rows of the moved accounts and announces their reports (then runs the report hooks). */
  private async announce(moved: LiveAccount[], tick: MarketTick, reason: ReportReason): Promise<void> {
    const rows: MarginSnapshotWrite[] = moved.map((acc) =>
      marginSnapshotRow(acc, tick, acc.report!, acc.reportJson!, reason),
    );
    if (rows.length > 0) await this.store.recordMargins(rows);
    await this.auditFiredRules(moved, tick, reason);
    for (const acc of moved) {
      this.emit({
        type: "report",
        accountId: acc.accountId,
        seq: tick.seq,
        asOf: tick.asOf,
        reason,
        version: acc.version,
        report: acc.reportJson!,
      });
      for (const hook of this.reportHooks) hook(acc, tick);
    }
  }

  /** Records in the policy audit trail every account whose set of fired rules changed with this report. */
  private async auditFiredRules(moved: LiveAccount[], tick: MarketTick, reason: ReportReason): Promise<void> {
    const audit: PolicyAuditWrite[] = [];
    for (const acc of moved) {
      const fired = acc.report?.policy?.fired ?? [];
      const ids = fired.map((f) => f.ruleId);
      if (ids.join(",") === (acc.firedRules ?? []).join(",")) continue;
      acc.firedRules = ids;
      audit.push({
        at: new Date().toISOString(),
        kind: ids.length ? "rules-fired" : "rules-cleared",
        actor: "engine",
        rulebook: acc.report?.policy?.rulebook ?? rulebookLabel(this.rulebook),
        accountId: acc.accountId,
        detail: { seq: tick.seq, asOf: tick.asOf, reason, fired },
      });
    }
    if (audit.length > 0) await this.store.appendPolicyAudit(audit);
  }

  /**
   * Stores a new version of the active rulebook (its `version` must be the stored one + 1, so two editors cannot
   * overwrite each other), records it in the audit trail, makes it active and re-margins every account with it.
   * Accounts whose fired rules change get their own audit entries.
   */
  setRulebook(doc: unknown, actor: string): Promise<{ rulebook: Rulebook; recomputed: string[] }> {
    return this.serial(() => this.setRulebookNow(doc, actor));
  }

  private async setRulebookNow(doc: unknown, actor: string): Promise<{ rulebook: Rulebook; recomputed: string[] }> {
    const book = parseRulebook(doc);
    if (book.name !== this.rulebook.name) {
      throw new XmarginError(`must be "${this.rulebook.name}", the active rulebook`, {
        code: "INVALID_INPUT",
        path: "$.name",
      });
    }
    if (book.version !== this.rulebook.version + 1) {
      throw new XmarginError(
        `version must be ${this.rulebook.version + 1} (the active version is ${this.rulebook.version})`,
        { code: "CONFLICT", path: "$.version" },
      );
    }
    const at = new Date().toISOString();
    await this.store.putRulebook(
      { name: book.name, version: book.version, document: doc, createdAt: at, actor },
      {
        at,
        kind: "rulebook-put",
        actor,
        rulebook: rulebookLabel(book),
        accountId: null,
        detail: { previous: rulebookLabel(this.rulebook), rules: book.rules.map((r) => r.id) },
      },
    );
    this.rulebook = book;
    const tick = this.market.current;
    const recomputed = tick ? await this.recompute([...this.accounts.values()], tick, "policy") : [];
    return { rulebook: book, recomputed };
  }

  private async recompute(accounts: LiveAccount[], tick: MarketTick, reason: ReportReason): Promise<string[]> {
    const moved: LiveAccount[] = [];
    for (const acc of accounts) {
      this.stats.recomputations++;
      try {
        const changed = this.install(acc, tick, computeAtTick(acc.portfolio, tick, acc.config, this.rulebook));
        if (changed || reason !== "tick") moved.push(acc);
      } catch (err) {
        const e = asXmarginError(err);
        if (!(err instanceof XmarginError)) this.log(`account ${acc.accountId}: ${String(err)}`);
        acc.error = e;
        this.emit({ type: "account-error", accountId: acc.accountId, seq: tick.seq, error: e.toJSON() });
      }
    }
    await this.announce(moved, tick, reason);
    return accounts.map((a) => a.accountId);
  }

  /**
   * Makes a validated snapshot the live market: stores the tick and its prices, re-margins the affected accounts
   * and announces the tick and the reports that moved.
   */
  applyMarket(snapshot: MarketSnapshot, source: string): Promise<MarketTick> {
    return this.serial(() => this.applyMarketNow(snapshot, source));
  }

  private async applyMarketNow(snapshot: MarketSnapshot, source: string): Promise<MarketTick> {
    const started = performance.now();
    const tick = this.market.apply(snapshot, source);
    const prices = pricesOf(tick.market);
    await this.store.recordTick({
      seq: tick.seq,
      asOf: tick.asOf,
      source,
      snapshot,
      prices: prices.map((p) => ({
        symbol: p.symbol,
        priceUsd: p.priceUsd,
        uncertaintyUsd: p.uncertaintyUsd,
        flags: p.flags,
      })),
    });
    const affected = this.affectedBy(tick.changed, tick.clockMoved);
    if (this.tickSink) {
      this.finishTick(
        tick,
        source,
        prices,
        started,
        affected.map((a) => a.accountId),
      );
      this.tickSink(tick);
      return tick;
    }
    if (this.tickComputer) {
      this.schedule(tick);
      this.finishTick(
        tick,
        source,
        prices,
        started,
        affected.map((a) => a.accountId),
      );
      return tick;
    }
    const recomputed = await this.recompute(affected, tick, "tick");
    this.finishTick(tick, source, prices, started, recomputed);
    return tick;
  }

  private affectedBy(changed: ReadonlySet<string>, clockMoved: boolean): LiveAccount[] {
    return [...this.accounts.values()].filter(
      (a) => clockMoved || a.error !== undefined || [...a.deps].some((d) => changed.has(d)),
    );
  }

  /** Counts the tick, its time since `started` (ms), and tells subscribers which accounts it re-margins. */
  private finishTick(
    tick: MarketTick,
    source: string,
    prices: ReturnType<typeof pricesOf>,
    started: number,
    recomputed: string[],
  ): void {
    this.stats.ticks++;
    this.stats.lastTickMs = performance.now() - started;
    this.emitTick(tick, source, prices, recomputed);
  }

  private emitTick(tick: MarketTick, source: string, prices: ReturnType<typeof pricesOf>, recomputed: string[]): void {
    this.emit({
      type: "tick",
      seq: tick.seq,
      asOf: tick.asOf,
      source,
      changed: [...tick.changed].sort(),
      clockMoved: tick.clockMoved,
      recomputed,
      prices: prices.map(priceToJson),
    });
  }

  /** Off-thread mode: folds the tick into the pending one and starts draining if idle. */
  private schedule(tick: MarketTick): void {
    if (this.pending) {
      this.stats.coalescedTicks++;
      for (const c of tick.changed) this.pending.changed.add(c);
      this.pending = { tick, changed: this.pending.changed, clockMoved: this.pending.clockMoved || tick.clockMoved };
    } else {
      this.pending = { tick, changed: new Set(tick.changed), clockMoved: tick.clockMoved };
    }
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.pending) {
        const { tick, changed, clockMoved } = this.pending;
        this.pending = undefined;
        await this.recomputeOffThread(this.affectedBy(changed, clockMoved), tick);
      }
    } finally {
      this.draining = false;
    }
  }

  private async recomputeOffThread(accounts: LiveAccount[], tick: MarketTick): Promise<void> {
    const computer = this.tickComputer!;
    const outcomes = await Promise.all(
      accounts.map((acc) =>
        computer(acc, tick).then(
          (computed) => ({ acc, version: acc.version, computed }),
          (err: unknown) => ({ acc, version: acc.version, err }),
        ),
      ),
    );
    const moved: LiveAccount[] = [];
    for (const o of outcomes) {
      // An account written (PUT) while its tick was computed keeps the newer report.
      if (this.accounts.get(o.acc.accountId) !== o.acc || o.acc.version !== o.version) continue;
      this.stats.recomputations++;
      if ("computed" in o) {
        if (this.install(o.acc, tick, o.computed)) moved.push(o.acc);
      } else {
        const e = asXmarginError(o.err);
        o.acc.error = e;
        this.emit({ type: "account-error", accountId: o.acc.accountId, seq: tick.seq, error: e.toJSON() });
      }
    }
    await this.announce(moved, tick, "tick");
  }

  /**
   * Validates, computes once and stores an account, then announces the new report. Errors name the field of the
   * request (`$.portfolio.holdings[0].token`); nothing is stored when the portfolio cannot be margined (including a
   * report with a non-finite figure).
   */
  putAccount(
    accountId: string,
    doc: { portfolio: Portfolio; config?: Record<string, unknown>; policy?: RebalancePolicy | null },
    reason: "position" | "start" = "position",
  ): Promise<LiveAccount> {
    return this.serial(() => this.putAccountNow(accountId, doc, reason));
  }

  private async putAccountNow(
    accountId: string,
    doc: { portfolio: Portfolio; config?: Record<string, unknown>; policy?: RebalancePolicy | null },
    reason: "position" | "start",
  ): Promise<LiveAccount> {
    if (doc.portfolio.accountId !== accountId) {
      throw new XmarginError(`must equal the account id in the URL ("${accountId}")`, {
        code: "INVALID_INPUT",
        path: "$.portfolio.accountId",
      });
    }
    const existing = this.accounts.get(accountId);
    const configDoc = doc.config ?? existing?.configDoc ?? this.registry.defaultConfigDoc();
    const config = underPath("$.config", () => resolveMarginConfig(configDoc));
    checkBudget(doc.portfolio, config, this.budget, { portfolio: "$.portfolio", config: "$.config" });
    const policy = doc.policy === undefined ? (existing?.policy ?? null) : doc.policy;
    const tick = this.market.current;
    const computed = tick
      ? underPath("$.portfolio", () => computeAtTick(doc.portfolio, tick, config, this.rulebook))
      : undefined;
    const row = await this.store.putAccount({
      accountId,
      portfolio: doc.portfolio,
      config: configDoc,
      policy,
      updatedAt: new Date().toISOString(),
    });
    const acc: LiveAccount = {
      accountId,
      version: row.version,
      updatedAt: row.updatedAt,
      portfolio: doc.portfolio,
      configDoc,
      config,
      policy,
      deps: dependenciesOf(doc.portfolio),
      ...(existing?.band && policy ? { band: existing.band } : {}),
    };
    this.accounts.set(accountId, acc);
    for (const hook of this.accountHooks) hook(acc);
    if (tick && computed) {
      this.stats.recomputations++;
      this.install(acc, tick, computed);
      await this.announce([acc], tick, reason);
    }
    return acc;
  }

  /** Current report of a stored account (computed now if the cache is empty or stale). */
  accountReport(accountId: string): { seq: number; asOf: string; report: MarginReportJson } {
    const acc = this.getAccount(accountId);
    const tick = this.currentTick();
    if (acc.reportSeq !== tick.seq || !acc.reportJson) {
      acc.reportJson = computeAtTick(acc.portfolio, tick, acc.config, this.rulebook).json;
      acc.reportSeq = tick.seq;
    }
    return { seq: tick.seq, asOf: tick.asOf, report: acc.reportJson };
  }
}
