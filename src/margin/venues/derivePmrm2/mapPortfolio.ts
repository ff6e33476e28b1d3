/**
 * An xmargin portfolio as Derive would hold it: one PMRM_2 sub-account per underlying with derivatives (its options
 * by expiry, one net perp, its own tokens as risk-cancelling collateral) and one cash sub-account with the cash
 * token and every other collateral. Where Derive cannot hold something as given, the mapping says what it assumed in
 * a flag (docs/models/derive-pmrm2.md, "Mapping").
 */
import { XmarginError } from "../../../core/errors.js";
import type { Flag } from "../../../core/flags.js";
import { SECONDS_PER_YEAR } from "../../../core/time.js";
import type { AggregatedPrice } from "../../../oracles/aggregateQuotes.js";
import { fairForwardUsd } from "../../resolve/fairForward.js";
import type { ResolvedMarket } from "../../resolve/resolvedMarket.js";
import type { ResolvedItem, ResolvedPortfolio } from "../../resolve/resolvedPortfolio.js";
import { underlyingStateOf } from "../../resolve/underlyingFacts.js";
import type { DerivePmrm2Config } from "./config.js";
import type { Pmrm2Collateral, Pmrm2Expiry, Pmrm2SubAccount } from "./subAccount.js";

/** Settlement TWAP window of Derive's forward feed, seconds (spec 4.2). */
const SETTLEMENT_WINDOW_SEC = 1_800;
/** Key of the sub-account that holds cash and collateral not tied to a derivative underlying. */
export const CASH_SUB_ACCOUNT = "USD";

/** Where one portfolio item went. */
export type ItemRole =
  | { kind: "cash"; account: string; amount: number }
  | { kind: "collateral"; account: string; index: number }
  | { kind: "perp"; account: string }
  | { kind: "option"; account: string; expiry: number; option: number };

export interface MappedSubAccount {
  underlying: string;
  account: Pmrm2SubAccount;
}

export interface MappedPortfolio {
  subAccounts: Map<string, MappedSubAccount>;
  /** One entry per portfolio item, same order. */
  roles: ItemRole[];
  flags: Flag[];
}

/** Derive-style feed confidence (0..1) of an aggregated xmargin price. */
export function feedConfidence(price: AggregatedPrice | undefined, c: DerivePmrm2Config["confidence"]): number {
  if (!price) return c.staleConfidence;
  if (price.flags.some((f) => f.code === "ORACLE_STALE" && f.severity === "critical")) return c.staleConfidence;
  return Math.max(0, 1 - price.uncertaintyUsd / price.priceUsd / c.bandAtZeroConfidence);
}

function emptyAccount(
  spot: number,
  spotConfidence: number,
  stable: { stablePrice: number; pegStablePrice: number },
): Pmrm2SubAccount {
  return {
    spot,
    spotConfidence,
    perpAmount: 0,
    perpPrice: spot,
    perpConfidence: spotConfidence,
    perpUnsettledCash: 0,
    cash: 0,
    ...stable,
    expiries: [],
    collaterals: [],
  };
}

function haircuts(item: ResolvedItem, role: "rc" | "other", config: DerivePmrm2Config) {
  const symbol = item.token?.symbol ?? item.underlying;
  const own = config.collateral.bySymbol[symbol];
  if (own) return own;
  if (item.underlying === "USD") return config.collateral.stablecoin;
  if (role === "other") return config.collateral.otherVolatile;
  return item.token?.kind === "lst" ? config.collateral.riskCancellingLst : config.collateral.riskCancelling;
}

/**
 * @param portfolio resolved items (holdings and positions)
 * @param market resolved market: spot, carry, rate and oracle bands per underlying
 */
export function mapPortfolio(
  portfolio: ResolvedPortfolio,
  market: ResolvedMarket,
  config: DerivePmrm2Config,
): MappedPortfolio {
  const flags: Flag[] = [];
  const stableFeed = market.tokenPrices.get(`*:${config.cashToken}`);
  if (!stableFeed) {
    flags.push({
      code: "PRICE_MISSING",
      severity: "warning",
      message: `derive-pmrm2: no ${config.cashToken}/USD feed for the stable-coin price; 1 assumed (no peg-loss add-on)`,
    });
  }
  // Fail-safe edges of the cash token's band: the high edge converts collateral to cash (less value), the low edge
  // decides the peg-loss factor (more margin); with no feed both are 1 and the account is flagged above.
  const band = stableFeed ? stableFeed.uncertaintyUsd : 0;
  const stable = {
    stablePrice: stableFeed ? stableFeed.priceUsd + band : 1,
    pegStablePrice: stableFeed ? Math.max(0, stableFeed.priceUsd - band) : 1,
  };
  const stablePrice = stable.stablePrice;
  const subAccounts = new Map<string, MappedSubAccount>();
  const accountOf = (underlying: string): Pmrm2SubAccount => {
    const existing = subAccounts.get(underlying);
    if (existing) return existing.account;
    // The cash sub-account has no underlying: spot 1, fully confident (its stable coins carry their own feeds).
    const u = underlying === CASH_SUB_ACCOUNT ? undefined : underlyingStateOf(market, underlying);
    const account = u
      ? emptyAccount(u.spotUsd, feedConfidence(u.price, config.confidence), stable)
      : emptyAccount(1, 1, stable);
    subAccounts.set(underlying, { underlying, account });
    return account;
  };
  const derivativeUnderlyings = new Set(
    portfolio.items.filter((i) => i.source === "position").map((i) => i.underlying),
  );
  const assume = (item: ResolvedItem, severity: "info" | "warning", message: string, unsupported = false) =>
    flags.push({
      code: unsupported ? "VENUE_UNSUPPORTED_POSITION" : "VENUE_MAPPING_ASSUMED",
      severity,
      message: `derive-pmrm2: ${item.id} ${message}`,
      path: item.path,
    });

  // Options by (underlying, seconds to expiry, strike, call/put): Derive holds one balance per sub-id.
  const optionSlots = new Map<string, number>();
  const roles: ItemRole[] = portfolio.items.map((item): ItemRole => {
    const p = item.priced;
    if (item.source === "holding") {
      if (item.token?.symbol === config.cashToken) {
        const account = accountOf(CASH_SUB_ACCOUNT);
        account.cash += p.size;
        return { kind: "cash", account: CASH_SUB_ACCOUNT, amount: p.size };
      }
      if (p.size < 0) {
        // Derive collateral balances cannot be negative: a borrow becomes cash debt, plus a short perp if volatile.
        const debt = item.valueUsd / stablePrice;
        accountOf(CASH_SUB_ACCOUNT).cash += debt;
        if (item.underlying !== "USD") {
          const account = accountOf(item.underlying);
          account.perpAmount += p.size * p.priceRatio;
          assume(item, "warning", "is a borrow: mapped to cash debt and a short perp of the same size", true);
          return { kind: "perp", account: item.underlying };
        }
        assume(item, "warning", "is a borrowed stable coin: mapped to cash debt", true);
        return { kind: "cash", account: CASH_SUB_ACCOUNT, amount: debt };
      }
      const riskCancelling = item.underlying !== "USD" && derivativeUnderlyings.has(item.underlying);
      const key = riskCancelling ? item.underlying : CASH_SUB_ACCOUNT;
      const account = accountOf(key);
      const h = haircuts(item, riskCancelling ? "rc" : "other", config);
      // Confidence of the feed the token is priced with: its own, else its underlying's (the cash feed for USD).
      const feed =
        market.tokenPrices.get(`*:${item.token?.symbol ?? item.underlying}`) ??
        (item.underlying === "USD" ? stableFeed : market.underlyings.get(item.underlying)?.price);
      const collateral: Pmrm2Collateral = {
        label: item.label,
        amount: p.size,
        // Token price = its ratio to the underlying x the underlying's spot (1 for USD): defined for a zero balance.
        priceUsd: p.priceRatio * underlyingStateOf(market, item.underlying, item.path).spotUsd,
        confidence: feedConfidence(feed, config.confidence),
        isRiskCancelling: riskCancelling,
        mmHaircut: h.mmHaircut,
        imHaircut: h.imHaircut,
      };
      account.collaterals.push(collateral);
      return { kind: "collateral", account: key, index: account.collaterals.length - 1 };
    }
    if (p.kind === "spot") {
      // An expired option settled in resolve (OPTION_EXPIRED): Derive pays the settlement into the cash balance.
      const amount = item.valueUsd;
      accountOf(CASH_SUB_ACCOUNT).cash += amount;
      return { kind: "cash", account: CASH_SUB_ACCOUNT, amount };
    }
    const account = accountOf(item.underlying);
    if (p.kind === "perp" || p.kind === "future") {
      if (p.kind === "future") {
        assume(
          item,
          "warning",
          "is a dated future, which PMRM_2 does not hold: margined as a perp of the same size",
          true,
        );
      } else if (item.venue !== "derive") {
        assume(item, "info", `is a perp on ${item.venue}: margined as a Derive perp`);
      }
      account.perpAmount += p.size;
      // Unrealised P&L and funding are unsettled perp cash; the mark is the index (xmargin has no separate mark).
      account.perpUnsettledCash += item.valueUsd;
      return { kind: "perp", account: item.underlying };
    }
    if (item.venue !== "derive") assume(item, "info", `is an option on ${item.venue}: margined as a Derive option`);
    const seconds = Math.max(0, Math.round(p.expiryYears * SECONDS_PER_YEAR));
    let e = account.expiries.findIndex((x) => x.secondsToExpiry === seconds);
    if (e < 0) {
      const u = underlyingStateOf(market, item.underlying, item.path);
      const forward = fairForwardUsd(u, seconds / SECONDS_PER_YEAR);
      const variableShare = Math.min(1, seconds / SETTLEMENT_WINDOW_SEC);
      if (seconds > 0 && seconds < SETTLEMENT_WINDOW_SEC) {
        assume(item, "info", "settles within 30 minutes: the settlement average so far is taken to be the forward");
      }
      const expiry: Pmrm2Expiry = {
        secondsToExpiry: seconds,
        forwardFixed: forward * (1 - variableShare),
        forwardVariable: forward * variableShare,
        forwardConfidence: account.spotConfidence,
        rateAnnual: u.riskFreeRateAnnual,
        rateConfidence: 1,
        volConfidence: 1,
        options: [],
      };
      account.expiries.push(expiry);
      e = account.expiries.length - 1;
    }
    const slotKey = `${item.underlying}|${seconds}|${p.strikeUsd}|${p.isCall}`;
    const options = account.expiries[e]!.options;
    let option = optionSlots.get(slotKey);
    if (option === undefined) {
      options.push({ strike: p.strikeUsd, isCall: p.isCall, amount: 0, volAnnual: item.volAnnual });
      option = options.length - 1;
      optionSlots.set(slotKey, option);
    }
    options[option]!.amount += p.size;
    return { kind: "option", account: item.underlying, expiry: e, option };
  });
  if (portfolio.items.some((i) => i.source === "holding")) {
    flags.push({
      code: "VENUE_MAPPING_ASSUMED",
      severity: "info",
      message:
        "derive-pmrm2: every holding is taken as deposited in a Derive sub-account (chain location, bridging and sub-account transfers are not modelled)",
    });
  }
  for (const [key, { account }] of subAccounts) {
    const assets =
      account.expiries.reduce((n, e) => n + e.options.length, 0) +
      account.collaterals.length +
      (account.perpAmount !== 0 ? 1 : 0) +
      (account.cash !== 0 ? 1 : 0);
    if (assets > config.maxAssetsPerSubAccount) {
      throw new XmarginError(`Derive's ${key} sub-account would hold ${assets} assets`, {
        code: "UNSUPPORTED",
        path: "$.positions",
        details: `a portfolio-margined sub-account holds at most ${config.maxAssetsPerSubAccount}`,
      });
    }
  }
  return { subAccounts, roles, flags };
}
