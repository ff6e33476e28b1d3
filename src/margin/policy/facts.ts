import { tokenRepresentations } from "../../market/tokenRegistry.js";
import type { MarginReport } from "../report.js";
import type { ResolvedMarket } from "../resolve/resolvedMarket.js";
import type { ResolvedPortfolio } from "../resolve/resolvedPortfolio.js";

/** What the caller knows beyond the snapshot: tokens and bridges an operator has marked paused. */
export interface PolicyContext {
  /** `chain:SYMBOL` or `SYMBOL` (all chains). */
  pausedTokens?: readonly string[];
  /** `from->to` bridge routes. */
  pausedBridges?: readonly string[];
}

/** The facts a rule condition can read, by JsonLogic `var` path. */
export interface PolicyFacts {
  account: {
    id: string;
    /**
     * Maintenance collateral / maintenance margin (Binance's uniMMR analogue); Infinity when nothing is required,
     * so that "health below z" never fires on an account without risk.
     */
    health: number;
    equityUsd: number;
    initialMarginUsd: number;
    maintenanceMarginUsd: number;
    /**
     * Largest |notional| / daily volume of the market a derivative position trades in, over positions whose depth is
     * known. Holdings are left out: a deposit must never make the policy ask for more margin (the xchain liquidity
     * add-on already charges for collateral that is large against its market).
     */
    maxDepthShare: number;
    /** Positions whose market has no depth in the snapshot (their share is unknown). */
    itemsWithoutDepth: number;
    /** Token symbols the account holds. */
    tokens: string[];
    /** Chains the account has holdings or positions on. */
    chains: string[];
    holdsPausedToken: boolean;
    /** Bridge routes touching a chain the account uses that are paused. */
    usesPausedBridge: boolean;
  };
  market: {
    /** Lowest aggregated price of any stablecoin on any chain, USD; Infinity when the snapshot quotes none. */
    minStablecoinPrice: number;
    /** Lowest price of each quoted stablecoin across chains, USD, by symbol (`market.stablecoinPrice.USDC`). */
    stablecoinPrice: Record<string, number>;
    /** Stablecoins priced below their peg by more than 0.5%, as `chain:SYMBOL`. */
    stablecoinsOffPeg: string[];
    /** Largest cross-chain spread of one feed, bps of its price. */
    maxCrossChainSpreadBps: number;
    /** Largest oracle uncertainty band (confidence, source divergence), bps of price. */
    maxOracleUncertaintyBps: number;
    /** Any oracle flag (stale, divergent, uncertain, missing) on the snapshot or the report. */
    oracleAnomaly: boolean;
    pausedTokens: string[];
    pausedBridges: string[];
  };
}

/** Every `var` path a condition may name (checked when a rulebook is parsed). */
export const POLICY_FACT_PATHS: readonly string[] = [
  "account.id",
  "account.health",
  "account.equityUsd",
  "account.initialMarginUsd",
  "account.maintenanceMarginUsd",
  "account.maxDepthShare",
  "account.itemsWithoutDepth",
  "account.tokens",
  "account.chains",
  "account.holdsPausedToken",
  "account.usesPausedBridge",
  "market.minStablecoinPrice",
  "market.stablecoinPrice.<SYMBOL>",
  "market.stablecoinsOffPeg",
  "market.maxCrossChainSpreadBps",
  "market.maxOracleUncertaintyBps",
  "market.oracleAnomaly",
  "market.pausedTokens",
  "market.pausedBridges",
];

/**
 * What the facts read of a model's report: its headline figures and flags. The batch re-margining path gives these
 * without building a report (its flags: the resolved portfolio's; market flags are read from the market anyway).
 */
export type PolicyReportFacts = Pick<
  MarginReport,
  "accountId" | "healthRatio" | "equityUsd" | "initialMarginUsd" | "maintenanceMarginUsd" | "flags"
>;

const ORACLE_FLAGS = new Set(["ORACLE_STALE", "ORACLE_DIVERGENT", "ORACLE_UNCERTAIN", "PRICE_MISSING"]);

/** The facts of a market alone (the same for every account): computed once per market by a caller of many accounts. */
export interface MarketPolicyFacts {
  minStable: number;
  offPeg: string[];
  bySymbol: Record<string, number>;
  spreadBps: number;
  uncertaintyBps: number;
  /** An oracle flag on the market or one of its prices (an account's report flags may add one). */
  oracleAnomaly: boolean;
}

export function marketPolicyFacts(market: ResolvedMarket): MarketPolicyFacts {
  let minStable = Number.POSITIVE_INFINITY;
  const offPeg: string[] = [];
  const bySymbol: Record<string, number> = {};
  for (const t of tokenRepresentations) {
    if (t.kind !== "stablecoin") continue;
    const p = market.tokenPrices.get(`${t.chain}:${t.symbol}`);
    if (!p) continue;
    minStable = Math.min(minStable, p.priceUsd);
    bySymbol[t.symbol] = Math.min(bySymbol[t.symbol] ?? Number.POSITIVE_INFINITY, p.priceUsd);
    if (p.priceUsd < 0.995) offPeg.push(`${t.chain}:${t.symbol}`);
  }
  let spreadBps = 0;
  let uncertaintyBps = 0;
  const prices = [
    ...market.tokenPrices.values(),
    ...[...market.underlyings.values()].flatMap((u) => (u.price ? [u.price] : [])),
  ];
  for (const p of prices) {
    if (!(p.priceUsd > 0)) continue;
    spreadBps = Math.max(spreadBps, ((p.crossChainSpreadUsd ?? 0) / p.priceUsd) * 1e4);
    uncertaintyBps = Math.max(uncertaintyBps, (p.uncertaintyUsd / p.priceUsd) * 1e4);
  }
  const oracleAnomaly = [...market.flags, ...prices.flatMap((p) => p.flags)].some((f) => ORACLE_FLAGS.has(f.code));
  return { minStable, offPeg, bySymbol, spreadBps, uncertaintyBps, oracleAnomaly };
}

/**
 * Facts of one account under one market, taken from the model's report before any rule applies (so rules read the
 * model's health, not each other's effect).
 */
export function policyFacts(
  portfolio: ResolvedPortfolio,
  market: ResolvedMarket,
  report: PolicyReportFacts,
  context: PolicyContext = {},
  marketFacts: MarketPolicyFacts = marketPolicyFacts(market),
): PolicyFacts {
  const { minStable, offPeg, bySymbol, spreadBps, uncertaintyBps } = marketFacts;
  const oracleAnomaly = marketFacts.oracleAnomaly || report.flags.some((f) => ORACLE_FLAGS.has(f.code));
  let maxDepthShare = 0;
  let itemsWithoutDepth = 0;
  for (const item of portfolio.items) {
    if (item.source !== "position") continue;
    const spot = market.underlyings.get(item.underlying)?.spotUsd;
    const symbol = item.token?.symbol;
    const depth = market.liquidity.find(
      (l) => l.chain === item.chain && (l.asset === item.underlying || (symbol !== undefined && l.asset === symbol)),
    );
    if (!depth || !(depth.dailyVolumeUsd > 0) || spot === undefined) {
      if (item.priced.size !== 0) itemsWithoutDepth++;
      continue;
    }
    const notional = Math.abs(item.priced.size) * spot;
    maxDepthShare = Math.max(maxDepthShare, notional / depth.dailyVolumeUsd);
  }
  const tokens = [...new Set(portfolio.items.flatMap((i) => (i.token ? [i.token.symbol] : [])))];
  const chains = [...new Set(portfolio.items.map((i) => i.chain))];
  const pausedTokens = [...(context.pausedTokens ?? [])];
  const pausedBridges = [...(context.pausedBridges ?? [])];
  const holdsPausedToken = portfolio.items.some(
    (i) => i.token && (pausedTokens.includes(i.token.symbol) || pausedTokens.includes(`${i.chain}:${i.token.symbol}`)),
  );
  const usesPausedBridge = pausedBridges.some((b) => {
    const [from, to] = b.split("->");
    return chains.includes(from ?? "") || chains.includes(to ?? "");
  });
  return {
    account: {
      id: report.accountId,
      health: report.healthRatio ?? Number.POSITIVE_INFINITY,
      equityUsd: report.equityUsd,
      initialMarginUsd: report.initialMarginUsd,
      maintenanceMarginUsd: report.maintenanceMarginUsd,
      maxDepthShare,
      itemsWithoutDepth,
      tokens,
      chains,
      holdsPausedToken,
      usesPausedBridge,
    },
    market: {
      minStablecoinPrice: minStable,
      // Copies: a rule sees its own facts object, never the shared market one.
      stablecoinPrice: { ...bySymbol },
      stablecoinsOffPeg: [...offPeg],
      maxCrossChainSpreadBps: spreadBps,
      maxOracleUncertaintyBps: uncertaintyBps,
      oracleAnomaly,
      pausedTokens,
      pausedBridges,
    },
  };
}
