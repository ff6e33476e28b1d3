import type { TokenRepresentation } from "./tokenRegistry.js";

/**
 * What can make a token stop being worth its underlying, as events shared by every token they hit:
 * - issuer: the issuer of a stablecoin fails to redeem (USDC on every chain, bridged USDC.e included);
 * - custodian: the custodian of a wrapped coin fails (WBTC on every chain, cbBTC);
 * - bridge: a bridge route is drained; every token that crossed it loses its backing, WETH and rollup ETH included;
 * - lst: a staking protocol's redemption queue opens a discount (stETH and wstETH on every chain);
 * - override: a token's own event, set by configuration for a token the catalogue gives none (ETH, WETH on Ethereum).
 */
export type TokenEventKind = "issuer" | "custodian" | "bridge" | "lst" | "override";

export interface TokenEvent {
  id: string;
  kind: TokenEventKind;
  /** Relative move of the tokens it hits against their underlying (-0.13 = 13% down; -1 = worthless). */
  sizeRel: number;
  /** Probability per year (xmargin's documented assumption; the data has too few events to estimate it). */
  probabilityAnnual: number;
  /** Where the size comes from. */
  source: string;
  /**
   * Days of the event in a basis factor's daily series: they are left out of that factor's estimate, so the event is
   * charged once, as the event, and never again through the simulated basis.
   */
  basisDays?: { factor: string; dates: readonly string[] };
  /** Days whose close shows the event in ../shared/data besides `basisDays` (the event table of xchain-validation). */
  historicalDays?: readonly string[];
}

/** One event a token is exposed to, with the token's own move in it (a second-order victim moves less). */
export interface TokenEventExposure {
  eventId: string;
  sizeRel: number;
}

const event = (
  id: string,
  kind: TokenEventKind,
  sizeRel: number,
  probabilityAnnual: number,
  source: string,
  basisDays?: TokenEvent["basisDays"],
  historicalDays?: readonly string[],
): TokenEvent =>
  Object.freeze({
    id,
    kind,
    sizeRel,
    probabilityAnnual,
    source,
    ...(basisDays ? { basisDays } : {}),
    ...(historicalDays ? { historicalDays } : {}),
  });

/** Bridge route each chain's bridged tokens crossed (the chain's main route from Ethereum). */
const BRIDGE_ROUTE: Readonly<Record<string, string>> = {
  arbitrum: "bridge:arbitrum-canonical",
  optimism: "bridge:optimism-canonical",
  base: "bridge:base-canonical",
  polygon: "bridge:polygon-pos",
  avalanche: "bridge:avalanche-bridge",
  bsc: "bridge:binance-peg",
  solana: "bridge:wormhole",
};

/** Rollups whose own ETH is ETH locked in their canonical bridge: ETH and WETH there crossed it. */
const ROLLUP_ETH = new Set(["arbitrum", "optimism", "base"]);

const BRIDGE_FAILURE = "failure case: the route is drained and its copies are unbacked (no such day in the data)";

/**
 * The event catalogue. Sizes from ../shared/data where it has the event (docs/tokens.md), rounded away from zero;
 * bridge and custodian failures are the -100% worst case.
 */
export const TOKEN_EVENTS: Readonly<Record<string, TokenEvent>> = Object.freeze({
  "issuer:USDC": event("issuer:USDC", "issuer", -0.13, 0.03, "USDC daily low 0.8774 on 2023-03-11 (SVB)", {
    factor: "basis:USDC",
    dates: ["2023-03-11", "2023-03-12"],
  }),
  "issuer:USDT": event("issuer:USDT", "issuer", -0.11, 0.03, "USDT daily low 0.89949 on 2020-03-13", {
    factor: "basis:USDT",
    dates: ["2020-03-12", "2020-03-13"],
  }),
  "issuer:DAI": event("issuer:DAI", "issuer", -0.04, 0.03, "DAI close 0.96699 on 2023-03-11 (via its USDC backing)", {
    factor: "basis:DAI",
    dates: ["2023-03-11", "2023-03-12"],
  }),
  "issuer:UST": event(
    "issuer:UST",
    "issuer",
    -1,
    0.03,
    "UST close 0.0065 on 2022-06-18 (algorithmic, collapsed)",
    undefined,
    ["2022-05-09", "2022-05-12", "2022-05-13"],
  ),
  "lst:stETH": event(
    "lst:stETH",
    "lst",
    -0.07,
    0.05,
    "stETH/ETH close 0.93674 on 2022-06-15 (Celsius, 3AC)",
    undefined,
    ["2022-06-13", "2022-06-14", "2022-06-15"],
  ),
  "lst:cbETH": event("lst:cbETH", "lst", -0.07, 0.05, "assumed as stETH (no cbETH series)"),
  "lst:mSOL": event("lst:mSOL", "lst", -0.07, 0.05, "assumed as stETH (no mSOL series)"),
  "lst:jitoSOL": event("lst:jitoSOL", "lst", -0.07, 0.05, "assumed as stETH (no jitoSOL series)"),
  "custodian:WBTC": event(
    "custodian:WBTC",
    "custodian",
    -1,
    0.02,
    "custodian failure; WBTC/BTC stayed >= 0.986 in 2022-11",
    undefined,
    ["2022-11-09"],
  ),
  "custodian:cbBTC": event("custodian:cbBTC", "custodian", -1, 0.02, "custodian failure (no cbBTC series)"),
  ...Object.fromEntries(Object.values(BRIDGE_ROUTE).map((id) => [id, event(id, "bridge", -1, 0.02, BRIDGE_FAILURE)])),
});

/** The days whose close shows an event in the daily history: its basis days and its other historical days. */
export function eventDaysInData(e: TokenEvent): string[] {
  return [...new Set([...(e.basisDays?.dates ?? []), ...(e.historicalDays ?? [])])].sort();
}

/** Per basis factor, the days of catalogue events in its series (left out of its estimate). */
export function eventDaysByFactor(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const e of Object.values(TOKEN_EVENTS)) {
    if (!e.basisDays) continue;
    const set = out.get(e.basisDays.factor) ?? new Set<string>();
    for (const d of e.basisDays.dates) set.add(d);
    out.set(e.basisDays.factor, set);
  }
  return out;
}

/** DAI was backed mostly by USDC in 2023: it fell to 0.96699 when USDC fell to 0.8774. */
const SECOND_ORDER: Readonly<Record<string, TokenEventExposure[]>> = {
  DAI: [{ eventId: "issuer:USDC", sizeRel: -0.04 }],
};

const ISSUED: Readonly<Record<string, string>> = {
  USDC: "USDC",
  "USDC.e": "USDC",
  USDT: "USDT",
  DAI: "DAI",
  UST: "UST",
};
const CUSTODIED: Readonly<Record<string, string>> = { WBTC: "WBTC", cbBTC: "cbBTC" };
const STAKED: Readonly<Record<string, string>> = {
  stETH: "stETH",
  wstETH: "stETH",
  cbETH: "cbETH",
  mSOL: "mSOL",
  jitoSOL: "jitoSOL",
};

/**
 * Every event that hits a token, with the token's move in it. A token can be hit by several (wstETH on Arbitrum: the
 * stETH redemption event and the Arbitrum canonical bridge; USDC.e: Circle and the bridge). Chain-native assets on
 * their own chain (ETH on Ethereum, SOL, AVAX) and contract wrappers of them (WETH on Ethereum) have none.
 */
export function tokenEvents(token: Readonly<TokenRepresentation>): TokenEventExposure[] {
  const out: TokenEventExposure[] = [];
  const own = (id: string) => out.push({ eventId: id, sizeRel: TOKEN_EVENTS[id]!.sizeRel });
  const issuer = ISSUED[token.symbol];
  if (issuer) own(`issuer:${issuer}`);
  const custodian = CUSTODIED[token.symbol];
  if (custodian) own(`custodian:${custodian}`);
  const staked = STAKED[token.symbol];
  if (staked) own(`lst:${staked}`);
  for (const e of SECOND_ORDER[token.symbol] ?? []) if (!out.some((o) => o.eventId === e.eventId)) out.push(e);
  const route = BRIDGE_ROUTE[token.chain];
  if (route && (token.kind === "bridged" || (ROLLUP_ETH.has(token.chain) && token.underlying === "ETH"))) own(route);
  return out;
}
