import type { Flag } from "../../core/flags.js";
import type { TokenRepresentation } from "../../market/tokenRegistry.js";
import type { PricedPosition } from "../../pricing/types.js";

/** A holding or derivative position turned into numbers, with everything a model needs to attribute margin. */
export interface ResolvedItem {
  /** Position id from the document, or a generated one (`h0`, `p3`). */
  id: string;
  /** JSON path in the portfolio document (`$.holdings[0]`). */
  path: string;
  source: "holding" | "position";
  label: string;
  chain: string;
  underlying: string;
  venue?: string;
  /** Holdings only: the token representation held. */
  token?: Readonly<TokenRepresentation>;
  priced: PricedPosition;
  /** Options: implied vol read from the surface at the option's expiry and strike; 0 otherwise. */
  volAnnual: number;
  /** Mark-to-market value at the snapshot, USD. */
  valueUsd: number;
}

export interface ResolvedPortfolio {
  accountId: string;
  items: ResolvedItem[];
  flags: Flag[];
}
