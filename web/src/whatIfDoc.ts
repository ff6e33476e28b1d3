import type { WhatIfDoc } from "./apiTypes.js";

type Trade = NonNullable<WhatIfDoc["trades"]>[number];

/** The what-if panel's fields, as typed (percentages and amounts as text). */
export interface WhatIfForm {
  underlying: string;
  spotPct: string;
  volPct: string;
  tradeKind: "none" | "perp" | "future" | "option";
  tradeChain: string;
  tradeVenue: string;
  tradeSize: string;
  tradeExpiry: string;
  tradeStrike: string;
  tradeType: "call" | "put";
  cashAction: "none" | "deposit" | "withdraw" | "move";
  cashChain: string;
  cashToChain: string;
  cashToken: string;
  cashAmount: string;
}

/** Percent text ("-20") as the API's relative decimal string ("-0.2"); blank = no move. */
const relOf = (pct: string): string | undefined => (pct.trim() === "" ? undefined : String(Number(pct) / 100));

/** The what-if document the form describes (deposits, withdrawals, a trade, a spot/vol move). */
export function whatIfOf(f: WhatIfForm): WhatIfDoc {
  const doc: Required<Pick<WhatIfDoc, "trades" | "deposits" | "withdrawals" | "moves">> = {
    trades: [],
    deposits: [],
    withdrawals: [],
    moves: [],
  };
  const spotShockRel = relOf(f.spotPct);
  const volShockRel = relOf(f.volPct);
  if (spotShockRel !== undefined || volShockRel !== undefined) {
    doc.moves.push({
      underlying: f.underlying,
      ...(spotShockRel !== undefined ? { spotShockRel } : {}),
      ...(volShockRel !== undefined ? { volShockRel } : {}),
    });
  }
  if (f.tradeKind !== "none") {
    const base = { chain: f.tradeChain, venue: f.tradeVenue, underlying: f.underlying, size: f.tradeSize.trim() };
    const expiry = f.tradeExpiry ? new Date(`${f.tradeExpiry}T08:00:00Z`).toISOString().replace(".000", "") : "";
    const trade: Trade =
      f.tradeKind === "perp"
        ? { ...base, kind: "perp" }
        : f.tradeKind === "future"
          ? { ...base, kind: "future", expiry }
          : { ...base, kind: "option", expiry, strike: f.tradeStrike.trim(), optionType: f.tradeType };
    doc.trades.push(trade);
  }
  const transfer = { chain: f.cashChain, token: f.cashToken, amount: f.cashAmount.trim() };
  if (f.cashAction === "deposit") doc.deposits.push(transfer);
  if (f.cashAction === "withdraw") doc.withdrawals.push(transfer);
  if (f.cashAction === "move") {
    // A move across chains: withdrawn on one chain, deposited on the other (the bridge's own cost is not charged here).
    doc.withdrawals.push(transfer);
    doc.deposits.push({ ...transfer, chain: f.cashToChain });
  }
  return doc;
}
