import { XmarginError } from "../core/errors.js";
import { runMarginModel } from "../margin/computeMargin.js";
import { DEFAULT_RULEBOOK } from "../margin/policy/defaultRulebook.js";
import { parseRulebook, type Rulebook } from "../margin/policy/rulebook.js";
import type { MarginReport } from "../margin/report.js";
import { type MarginReportJson, reportToJson } from "../margin/reportJson.js";
import { resolveMarket } from "../margin/resolve/resolveMarket.js";
import { resolvePortfolio } from "../margin/resolve/resolvePortfolio.js";
import { type AnyMarginConfig, resolveMarginConfig } from "../margin/resolveConfig.js";
import { findToken } from "../market/tokenRegistry.js";
import { type MarketSnapshot, marketSnapshotSchema } from "../schema/marketSnapshot.js";
import { type Portfolio, portfolioSchema } from "../schema/portfolio.js";
import { parseDocument } from "../schema/validate.js";
import type { AccountRow, MarginSnapshotWrite, MarginStore, PolicyAuditWrite } from "../store/marginStore.js";
import type { WhatIfEngine, WhatIfOutcome } from "./engines.js";
import { LiveMarket, type MarketTick, type PriceJson, pricesOf, priceToJson } from "./liveMarket.js";
import { type BandState, type RebalancePolicy, rebalancePolicySchema } from "./rebalancePolicy.js";
import { HttpError, underPath } from "./serviceErrors.js";

/** An account as the service holds it: validated documents, the feeds it depends on and its latest report. */
export interface LiveAccount {
  accountId: string;
  version: number;
  updatedAt: string;
  portfolio: Portfolio;
  configDoc: Record<string, unknown>;
  config: AnyMarginConfig;
  policy: RebalancePolicy | null;
  /** Feed symbols whose change moves this account's margin (underlyings and held tokens). */
  deps: Set<string>;
  report?: MarginReport;
  reportJson?: MarginReportJson;
  reportSeq?: number;
  /** Why the last computation failed (e.g. a price missing from the live market). */
  error?: XmarginError;
  band?: BandState;
  /** Ids of the policy rules that fired on the last report (the audit trail records changes of this set). */
  firedRules?: string[];
}

/** What the service announces; the WebSocket hub forwards these to subscribers. */
export type ServiceEvent =
  | {
      type: "tick";
      seq: number;
      asOf: string;
      source: string;
      changed: string[];
      clockMoved: boolean;
      /** Accounts recomputed because of this tick (the others do not depend on what changed). */
      recomputed: string[];
      prices: PriceJson[];
    }
  | {
      type: "report";
      accountId: string;
      seq: number;
      asOf: string;
      reason: "tick" | "position" | "start" | "policy";
      version: number;
      report: MarginReportJson;
    }
  | {
      type: "account-error";
      accountId: string;
      seq: number;
      error: ReturnType<XmarginError["toJSON"]>;
    }
  | { type: "plan"; accountId: string; plan: Record<string, unknown> };

export type ServiceListener = (event: ServiceEvent) => void;

/** Hook run after an account's report is recomputed (the rebalancer). */
export type ReportHook = (account: LiveAccount, tick: MarketTick) => void;

/** Feed symbols an account depends on: underlyings of its items and the tokens it holds. */
export function dependenciesOf(portfolio: Portfolio): Set<string> {
  const deps = new Set<string>();
  for (const h of portfolio.holdings) {
    deps.add(h.token);
    const token = findToken(h.chain, h.token);
    if (token && token.underlying !== "USD") deps.add(token.underlying);
  }
  for (const p of portfolio.positions) deps.add(p.underlying);
  return deps;
}

function computeReport(
  portfolio: Portfolio,
  tick: MarketTick,
  config: AnyMarginConfig,
  rulebook: Rulebook,
): MarginReport {
  return runMarginModel(resolvePortfolio(portfolio, tick.market), tick.market, config, { rulebook });
}

/** `name@vN` of a rulebook, as reports and the audit trail name it. */
export const rulebookLabel = (b: Rulebook): string => `${b.name}@v${b.version}`;

function asXmarginError(err: unknown): XmarginError {
  if (err instanceof XmarginError) return err;
  return new XmarginError("calculation failed", { code: "CALCULATION_FAILED", cause: err });
}

export interface MarginServiceOptions {
  store: MarginStore;
  whatIf: WhatIfEngine;
  defaultModel: string;
  /** Called with a line for the operator log (no client ever sees it). */
  log?: (line: string) => void;
}

/**
 * The stateful heart of the service: the live market, the accounts and their latest reports. Every tick re-margins
 * only the accounts that hold a changed feed (all of them when the market clock moves), stores the tick and the new
 * margin snapshots, and announces the reports that moved. The computation itself is the pure engine.
 */
export class MarginService {
  readonly store: MarginStore;
  readonly market: LiveMarket;
  readonly accounts = new Map<string, LiveAccount>();
  private readonly listeners = new Set<ServiceListener>();
  private readonly reportHooks: ReportHook[] = [];
  private readonly whatIfEngine: WhatIfEngine;
  private readonly defaultModel: string;
  private readonly log: (line: string) => void;
  /** The rulebook evaluated after every model: the newest stored version, else the built-in default. */
  rulebook: Rulebook = DEFAULT_RULEBOOK;
  readonly stats = { ticks: 0, recomputations: 0, lastTickMs: 0 };

  constructor(options: MarginServiceOptions) {
    this.store = options.store;
    this.whatIfEngine = options.whatIf;
    this.defaultModel = options.defaultModel;
    this.log = options.log ?? (() => {});
    const storedBook = this.store.latestRulebook(DEFAULT_RULEBOOK.name);
    if (storedBook) {
      try {
        this.rulebook = parseRulebook(storedBook.document);
      } catch (err) {
        this.log(`stored rulebook ignored: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const stored = this.store.latestMarket();
    this.market = new LiveMarket(stored ? stored.seq + 1 : 1);
    if (stored) {
      try {
        const snapshot = parseDocument(marketSnapshotSchema, stored.snapshot, "MarketSnapshot");
        this.market.apply(snapshot, stored.source, stored.seq);
      } catch (err) {
        this.log(`stored market ignored: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    for (const row of this.store.listAccounts()) {
      try {
        this.accounts.set(row.accountId, this.liveAccountOf(row));
      } catch (err) {
        this.log(`stored account ${row.accountId} ignored: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  on(listener: ServiceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onReport(hook: ReportHook): void {
    this.reportHooks.push(hook);
  }

  emit(event: ServiceEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.log(`listener failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /** The current market; 503 when there is none yet. */
  currentTick(): MarketTick {
    const tick = this.market.current;
    if (!tick) throw new HttpError(503, "MISSING_DATA", "no live market yet");
    return tick;
  }

  private liveAccountOf(row: AccountRow): LiveAccount {
    const portfolio = parseDocument(portfolioSchema, row.portfolio, "Portfolio");
    const configDoc = (row.config ?? { model: this.defaultModel }) as Record<string, unknown>;
    const config = resolveMarginConfig(configDoc);
    const policy = row.policy === null ? null : parseDocument(rebalancePolicySchema, row.policy, "RebalancePolicy");
    const band = this.store.getMeta(`band:${row.accountId}`) as BandState | undefined;
    return {
      accountId: row.accountId,
      version: row.version,
      updatedAt: row.updatedAt,
      portfolio,
      configDoc,
      config,
      policy,
      deps: dependenciesOf(portfolio),
      ...(band ? { band } : {}),
    };
  }

  /** Computes (and caches) every account at the current market, e.g. at start. */
  computeAll(reason: "start" | "tick" = "start"): void {
    const tick = this.market.current;
    if (!tick) return;
    this.recompute([...this.accounts.values()], tick, reason);
  }

  private recompute(
    accounts: LiveAccount[],
    tick: MarketTick,
    reason: "start" | "tick" | "position" | "policy",
  ): string[] {
    const rows: MarginSnapshotWrite[] = [];
    const moved: LiveAccount[] = [];
    const audit: PolicyAuditWrite[] = [];
    for (const acc of accounts) {
      this.stats.recomputations++;
      try {
        const report = computeReport(acc.portfolio, tick, acc.config, this.rulebook);
        const fired = report.policy?.fired.map((f) => f.ruleId) ?? [];
        if (fired.join(",") !== (acc.firedRules ?? []).join(",")) {
          audit.push({
            at: new Date().toISOString(),
            kind: fired.length ? "rules-fired" : "rules-cleared",
            actor: "engine",
            rulebook: rulebookLabel(this.rulebook),
            accountId: acc.accountId,
            detail: { seq: tick.seq, asOf: tick.asOf, reason, fired: report.policy?.fired ?? [] },
          });
        }
        acc.firedRules = fired;
        const json = reportToJson(report);
        const changed = !acc.reportJson || JSON.stringify(acc.reportJson) !== JSON.stringify(json);
        acc.report = report;
        acc.reportJson = json;
        acc.reportSeq = tick.seq;
        delete acc.error;
        if (changed || reason !== "tick") {
          moved.push(acc);
          rows.push({
            accountId: acc.accountId,
            seq: tick.seq,
            asOf: tick.asOf,
            model: report.model,
            accountVersion: acc.version,
            equityUsd: report.equityUsd,
            initialMarginUsd: report.initialMarginUsd,
            maintenanceMarginUsd: report.maintenanceMarginUsd,
            freeCollateralUsd: report.freeCollateralUsd,
            healthRatio: report.healthRatio,
            reason,
            report: json,
          });
        }
      } catch (err) {
        const e = asXmarginError(err);
        if (!(err instanceof XmarginError)) this.log(`account ${acc.accountId}: ${String(err)}`);
        acc.error = e;
        this.emit({ type: "account-error", accountId: acc.accountId, seq: tick.seq, error: e.toJSON() });
      }
    }
    if (rows.length > 0) this.store.recordMargins(rows);
    if (audit.length > 0) this.store.appendPolicyAudit(audit);
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
    return accounts.map((a) => a.accountId);
  }

  /**
   * Makes a validated snapshot the live market: stores the tick and its prices, re-margins the affected accounts
   * and announces the tick and the reports that moved.
   */
  applyMarket(snapshot: MarketSnapshot, source: string): MarketTick {
    const started = performance.now();
    const tick = this.market.apply(snapshot, source);
    const prices = pricesOf(tick.market);
    this.store.recordTick({
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
    const affected = [...this.accounts.values()].filter(
      (a) => tick.clockMoved || a.error !== undefined || [...a.deps].some((d) => tick.changed.has(d)),
    );
    const recomputed = this.recompute(affected, tick, "tick");
    this.stats.ticks++;
    this.stats.lastTickMs = performance.now() - started;
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
    return tick;
  }

  /**
   * Validates and stores an account, computes it at the live market and announces the new report. Errors name the
   * field of the request (`$.portfolio.holdings[0].token`); nothing is stored when the portfolio cannot be margined.
   */
  putAccount(
    accountId: string,
    doc: { portfolio: Portfolio; config?: Record<string, unknown>; policy?: RebalancePolicy | null },
    reason: "position" | "start" = "position",
  ): LiveAccount {
    if (doc.portfolio.accountId !== accountId) {
      throw new XmarginError(`must equal the account id in the URL ("${accountId}")`, {
        code: "INVALID_INPUT",
        path: "$.portfolio.accountId",
      });
    }
    const existing = this.accounts.get(accountId);
    const configDoc = doc.config ?? existing?.configDoc ?? { model: this.defaultModel };
    const config = underPath("$.config", () => resolveMarginConfig(configDoc));
    const policy = doc.policy === undefined ? (existing?.policy ?? null) : doc.policy;
    const tick = this.market.current;
    if (tick) underPath("$.portfolio", () => computeReport(doc.portfolio, tick, config, this.rulebook));
    const row = this.store.putAccount({
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
    if (tick) this.recompute([acc], tick, reason);
    return acc;
  }

  getAccount(accountId: string): LiveAccount {
    const acc = this.accounts.get(accountId);
    if (!acc) throw new HttpError(404, "NOT_FOUND", `no account "${accountId}"`, "$.accountId");
    return acc;
  }

  /** Current report of a stored account (computed now if the cache is empty or stale). */
  accountReport(accountId: string): { seq: number; asOf: string; report: MarginReportJson } {
    const acc = this.getAccount(accountId);
    const tick = this.currentTick();
    if (acc.reportSeq !== tick.seq || !acc.reportJson) {
      acc.reportJson = reportToJson(computeReport(acc.portfolio, tick, acc.config, this.rulebook));
      acc.reportSeq = tick.seq;
    }
    return { seq: tick.seq, asOf: tick.asOf, report: acc.reportJson };
  }

  /** Margin of an ad-hoc portfolio: at the given snapshot, or at the live market when there is none. */
  margin(portfolio: Portfolio, snapshot: MarketSnapshot | undefined, configDoc: unknown): MarginReport {
    const config = underPath("$.config", () => resolveMarginConfig(configDoc ?? { model: this.defaultModel }));
    if (snapshot) {
      const market = underPath("$.market", () => resolveMarket(snapshot));
      return underPath("$.portfolio", () =>
        runMarginModel(resolvePortfolio(portfolio, market), market, config, { rulebook: this.rulebook }),
      );
    }
    const tick = this.currentTick();
    return underPath("$.portfolio", () => computeReport(portfolio, tick, config, this.rulebook));
  }

  /**
   * Stores a new version of the active rulebook (its `version` must be the stored one + 1, so two editors cannot
   * overwrite each other), records it in the audit trail, makes it active and re-margins every account with it.
   * Accounts whose fired rules change get their own audit entries.
   */
  setRulebook(doc: unknown, actor: string): { rulebook: Rulebook; recomputed: string[] } {
    const book = parseRulebook(doc);
    if (book.name !== this.rulebook.name) {
      throw new XmarginError(`must be "${this.rulebook.name}", the active rulebook`, {
        code: "INVALID_INPUT",
        path: "$.name",
      });
    }
    if (book.version !== this.rulebook.version + 1) {
      throw new HttpError(
        409,
        "CONFLICT",
        `version must be ${this.rulebook.version + 1} (the active version is ${this.rulebook.version})`,
        "$.version",
      );
    }
    const at = new Date().toISOString();
    this.store.putRulebook(
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
    const recomputed = tick ? this.recompute([...this.accounts.values()], tick, "policy") : [];
    return { rulebook: book, recomputed };
  }

  /** A what-if on a stored account or a given portfolio, at the given snapshot or the live market. */
  whatIf(input: {
    accountId?: string;
    portfolio?: Portfolio;
    market?: MarketSnapshot;
    config?: Record<string, unknown>;
    whatIf: unknown;
  }): WhatIfOutcome {
    const acc = input.accountId === undefined ? undefined : this.getAccount(input.accountId);
    const portfolio = acc?.portfolio ?? input.portfolio!;
    const configDoc = input.config ?? acc?.configDoc ?? { model: this.defaultModel };
    const config = underPath("$.config", () => resolveMarginConfig(configDoc));
    const snapshot = input.market ?? this.currentTick().snapshot;
    return underPath("$.whatIf", () => this.whatIfEngine.simulate(portfolio, snapshot, config, input.whatIf));
  }
}
