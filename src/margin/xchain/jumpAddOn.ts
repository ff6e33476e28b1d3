import { TOKEN_EVENTS, type TokenEvent, tokenEvents } from "../../market/tokenEvents.js";
import type { ResolvedItem } from "../resolve/resolvedPortfolio.js";
import type { XchainConfig } from "./config.js";

const DAYS_PER_YEAR = 365;

export interface JumpEvent {
  /** Event id ("issuer:USDC", "bridge:arbitrum-canonical", "token:ethereum:WETH" for an override of its own). */
  group: string;
  /** Loss if the event happens, USD (gains of borrows of the same tokens net, never below 0). */
  lossUsd: number;
  probabilityAnnual: number;
  /** Probability over the longest liquidation horizon of its items. */
  probabilityHorizon: number;
  /** What it adds to IM: min(1, p_horizon / (1 - ES confidence)) x loss. */
  chargeUsd: number;
  itemIndices: number[];
}

export interface JumpAddOn {
  addOnUsd: number;
  /** Per-item attribution, USD. */
  itemUsd: Float64Array;
  /** All events with a loss, worst first. */
  events: JumpEvent[];
  /** Default-fund stress (not in IM): loss of the worst event, of the two worst. */
  cover1Usd: number;
  cover2Usd: number;
}

/** A token's events under one config: by token (a registry entry, one object per chain and symbol), with its chain. */
const eventsByConfig = new WeakMap<XchainConfig, WeakMap<object, { chain: string; events: ItemEvents }>>();

type ItemEvents = ReadonlyArray<{ event: TokenEvent; sizeRel: number }>;

/** `eventsOfToken`, kept per config and token: every account holding a token reads the same events (read-only). */
function eventsOfItem(item: ResolvedItem, config: XchainConfig): ItemEvents {
  const token = item.token!;
  let byToken = eventsByConfig.get(config);
  if (!byToken) {
    byToken = new WeakMap();
    eventsByConfig.set(config, byToken);
  }
  const kept = byToken.get(token);
  if (kept && kept.chain === item.chain) return kept.events;
  const events = eventsOfToken(item, config);
  byToken.set(token, { chain: item.chain, events });
  return events;
}

/** One token's events after the config's overrides (docs/models/xchain.md section 5). */
function eventsOfToken(item: ResolvedItem, config: XchainConfig): ItemEvents {
  const token = item.token!;
  const key = `${item.chain}:${token.symbol}`;
  const override = config.jumps.byToken[key];
  const resolveEvent = (id: string): TokenEvent => {
    const base = TOKEN_EVENTS[id]!;
    const patch = config.jumps.byEvent[id];
    const p = Math.max(patch?.probabilityAnnual ?? base.probabilityAnnual, override?.probabilityAnnual ?? 0);
    return { ...base, ...(patch?.sizeRel !== undefined ? { sizeRel: patch.sizeRel } : {}), probabilityAnnual: p };
  };
  const exposures = tokenEvents(token);
  if (exposures.length === 0) {
    if (!override) return [];
    const own: TokenEvent = { id: `token:${key}`, kind: "override", source: "jumps.byToken", ...override };
    return [{ event: own, sizeRel: override.sizeRel }];
  }
  return exposures.map((x) => {
    const event = resolveEvent(x.eventId);
    const patched = config.jumps.byEvent[x.eventId]?.sizeRel;
    // A first-order member moves by the event's size; a second-order one (DAI in a USDC event) by its own.
    const own = x.sizeRel === TOKEN_EVENTS[x.eventId]!.sizeRel ? (patched ?? x.sizeRel) : x.sizeRel;
    return { event, sizeRel: override?.sizeRel ?? own };
  });
}

/**
 * Depeg, custodian, bridge and redemption events of token representations, in IM at their probability. An event e
 * that loses L_e with probability p_e over the horizon (else 0) has ES_alpha = min(1, p_e / (1 - alpha)) x L_e, and ES
 * is subadditive, so ES(simulated loss + events) <= ES(simulated) + sum_e ES(event e): the charge is an upper bound,
 * computed without Monte Carlo noise. The loss counts only the tokens (never positions in the underlying), so a hedge
 * never offsets it. Cover-1 and Cover-2 (the worst one and two event losses in full) are reported for default-fund
 * sizing, not charged.
 * @param itemDays liquidation horizon of each item, days.
 */
export function jumpAddOn(
  items: readonly ResolvedItem[],
  itemDays: ArrayLike<number>,
  config: XchainConfig,
): JumpAddOn {
  const groups = new Map<string, JumpEvent & { itemLoss: Map<number, number>; days: number }>();
  items.forEach((item, i) => {
    if (!item.token) return;
    for (const { event, sizeRel } of eventsOfItem(item, config)) {
      const loss = -item.valueUsd * sizeRel;
      const g = groups.get(event.id) ?? {
        group: event.id,
        lossUsd: 0,
        probabilityAnnual: event.probabilityAnnual,
        probabilityHorizon: 0,
        chargeUsd: 0,
        itemIndices: [],
        itemLoss: new Map<number, number>(),
        days: 0,
      };
      g.lossUsd += loss;
      g.itemIndices.push(i);
      g.itemLoss.set(i, loss);
      g.days = Math.max(g.days, itemDays[i]!);
      groups.set(event.id, g);
    }
  });
  const tailMass = 1 - config.esConfidence;
  const itemUsd = new Float64Array(items.length);
  let addOnUsd = 0;
  const events: JumpEvent[] = [];
  for (const g of groups.values()) {
    if (!(g.lossUsd > 0)) continue;
    g.probabilityHorizon = -Math.expm1((-g.probabilityAnnual * g.days) / DAYS_PER_YEAR);
    g.chargeUsd = Math.min(1, g.probabilityHorizon / tailMass) * g.lossUsd;
    addOnUsd += g.chargeUsd;
    for (const [i, loss] of g.itemLoss) itemUsd[i] = itemUsd[i]! + (g.chargeUsd * loss) / g.lossUsd;
    const { itemLoss: _l, days: _d, ...event } = g;
    events.push(event);
  }
  events.sort((a, b) => b.lossUsd - a.lossUsd);
  const cover1Usd = events[0]?.lossUsd ?? 0;
  const cover2Usd = cover1Usd + (events[1]?.lossUsd ?? 0);
  return { addOnUsd, itemUsd, events, cover1Usd, cover2Usd };
}
