import { formatDecimal } from "../core/decimal.js";
import type { Flag } from "../core/flags.js";
import type { ResolvedMarket } from "../margin/resolve/resolvedMarket.js";
import { resolveMarket } from "../margin/resolve/resolveMarket.js";
import type { AggregatedPrice } from "../oracles/aggregateQuotes.js";
import { parseFeedKey } from "../oracles/feedKey.js";
import type { MarketSnapshot, OracleQuote } from "../schema/marketSnapshot.js";

/** One state of the live market. */
export interface MarketTick {
  /** Strictly increasing across restarts (continues from the store). */
  seq: number;
  asOf: string;
  /** Where it came from: "replay 2023-07-01", "push", "example", "store". */
  source: string;
  snapshot: MarketSnapshot;
  market: ResolvedMarket;
  /** Feed symbols ("ETH", "stETH", "USDC") whose price, band, flags, vol surface or risk factor changed. */
  changed: Set<string>;
  /** The snapshot time moved: time decay and staleness touch every account. */
  clockMoved: boolean;
  /** `performance.now()` when the tick was applied, ms (for the tick-to-report latency in /metrics). */
  appliedAtMs: number;
}

/** One aggregated price as `GET /v1/markets` shows it. */
export interface PriceView {
  symbol: string;
  kind: "underlying" | "token";
  priceUsd: number;
  uncertaintyUsd: number;
  freshSources: number;
  totalSources: number;
  flags: Flag[];
}

/** Aggregated all-chain prices of a resolved market: underlyings first, then token feeds, each sorted. */
export function pricesOf(market: ResolvedMarket): PriceView[] {
  const view = (symbol: string, kind: PriceView["kind"], p: AggregatedPrice): PriceView => ({
    symbol,
    kind,
    priceUsd: p.priceUsd,
    uncertaintyUsd: p.uncertaintyUsd,
    freshSources: p.freshSources,
    totalSources: p.totalSources,
    flags: p.flags,
  });
  const out: PriceView[] = [];
  for (const [symbol, u] of [...market.underlyings].sort(([a], [b]) => a.localeCompare(b))) {
    if (u.price) out.push(view(symbol, "underlying", u.price));
  }
  for (const [key, p] of [...market.tokenPrices].sort(([a], [b]) => a.localeCompare(b))) {
    const { chain, symbol } = parseFeedKey(key);
    if (chain !== undefined) continue;
    if (market.underlyings.has(symbol)) continue;
    out.push(view(symbol, "token", p));
  }
  return out;
}

/** A price as JSON carries it (decimals as strings). */
export interface PriceJson {
  symbol: string;
  kind: "underlying" | "token";
  price: string;
  uncertainty: string;
  freshSources: number;
  totalSources: number;
  flags: Flag[];
}

export function priceToJson(p: PriceView): PriceJson {
  return {
    symbol: p.symbol,
    kind: p.kind,
    price: formatDecimal(p.priceUsd, 10),
    uncertainty: formatDecimal(p.uncertaintyUsd, 6),
    freshSources: p.freshSources,
    totalSources: p.totalSources,
    flags: p.flags,
  };
}

function priceKey(p: PriceView): string {
  return `${p.priceUsd}|${p.uncertaintyUsd}|${p.flags.map((f) => `${f.code}:${f.severity}`).join(",")}`;
}

/** The factor a risk-factor name moves: "ETH" -> ETH, "basis:stETH" -> stETH, "vol:ETH" -> ETH. */
function factorSymbol(name: string): string {
  const i = name.indexOf(":");
  return i < 0 ? name : name.slice(i + 1);
}

/** Feed symbols whose inputs differ between two markets (prices, bands, flags, vol surfaces, risk factors). */
export function changedSymbols(
  before: MarketTick | undefined,
  snapshot: MarketSnapshot,
  market: ResolvedMarket,
): Set<string> {
  const now = new Map(pricesOf(market).map((p) => [p.symbol, priceKey(p)]));
  if (!before) return new Set(now.keys());
  const was = new Map(pricesOf(before.market).map((p) => [p.symbol, priceKey(p)]));
  const changed = new Set<string>();
  for (const [s, k] of now) if (was.get(s) !== k) changed.add(s);
  for (const s of was.keys()) if (!now.has(s)) changed.add(s);
  const surfaces = (snap: MarketSnapshot) => new Map(snap.volSurfaces.map((v) => [v.underlying, JSON.stringify(v)]));
  const sNow = surfaces(snapshot);
  const sWas = surfaces(before.snapshot);
  for (const u of new Set([...sNow.keys(), ...sWas.keys()])) if (sNow.get(u) !== sWas.get(u)) changed.add(u);
  const rfNow = snapshot.riskFactors;
  const rfWas = before.snapshot.riskFactors;
  if (JSON.stringify(rfNow) !== JSON.stringify(rfWas)) {
    for (const f of [...(rfNow?.factors ?? []), ...(rfWas?.factors ?? [])]) changed.add(factorSymbol(f.name));
  }
  return changed;
}

/** Replaces the quotes of the same (source, chain, feed) and adds new ones; everything else is kept. */
export function mergeQuotes(snapshot: MarketSnapshot, quotes: readonly OracleQuote[], asOf?: string): MarketSnapshot {
  const key = (q: OracleQuote) => `${q.source}|${q.chain}|${q.feed}`;
  const incoming = new Map(quotes.map((q) => [key(q), q]));
  const kept = snapshot.quotes.filter((q) => !incoming.has(key(q)));
  return { ...snapshot, ...(asOf ? { asOf } : {}), quotes: [...kept, ...incoming.values()] };
}

/** Holds the current market and numbers the ticks. */
export class LiveMarket {
  private tick: MarketTick | undefined;

  constructor(private nextSeq = 1) {}

  get current(): MarketTick | undefined {
    return this.tick;
  }

  /** Resolves a validated snapshot and makes it current; returns the tick with what changed. */
  apply(snapshot: MarketSnapshot, source: string, seq?: number): MarketTick {
    const market = resolveMarket(snapshot);
    const changed = changedSymbols(this.tick, snapshot, market);
    const clockMoved = this.tick === undefined || this.tick.asOf !== snapshot.asOf;
    const tick: MarketTick = {
      seq: seq ?? this.nextSeq,
      asOf: snapshot.asOf,
      source,
      snapshot,
      market,
      changed,
      clockMoved,
      appliedAtMs: performance.now(),
    };
    this.nextSeq = tick.seq + 1;
    this.tick = tick;
    return tick;
  }
}
