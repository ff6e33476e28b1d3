import { fmtPrice, fmtTime, humaniseSeconds } from "../format.js";
import { useLive } from "../live.js";

/** The top bar: navigation, the market's one as-of time and tick, the underlyings' prices, the stream state. */
export function Header({ route }: { route: string }) {
  const live = useLive();
  const tick = live.tick;
  return (
    <header class="top">
      <a class="brand" href="#/">
        xmargin
      </a>
      <nav class="nav">
        <a href="#/" class={route === "accounts" ? "active" : ""}>
          Accounts
        </a>
        <a href="#/market" class={route === "market" ? "active" : ""} data-testid="nav-market">
          Market
        </a>
      </nav>
      <span class="market" title="time of the live market every figure on this page refers to">
        market <strong data-testid="market-asof">{tick ? fmtTime(tick.asOf) : "—"}</strong>{" "}
        <span class="muted">
          seq <span data-testid="market-seq">{tick?.seq ?? "—"}</span>
        </span>{" "}
        <span class="muted" title={tick?.source ?? ""}>
          {/* The replay names the day it closed; the header shows one date, the market time. */}
          {(tick?.source ?? "").replace(/ \d{4}-\d{2}-\d{2}$/, "")}
        </span>
      </span>
      <span class="ticker">
        {live.prices
          .filter((p) => p.kind === "underlying")
          .map((p) => {
            const v = Number(p.price);
            const prev = live.prevPrices.get(p.symbol);
            const dir = prev === undefined || prev === v ? "" : v > prev ? "up" : "down";
            const stale = p.flags.find((f) => f.severity === "critical");
            return (
              <span
                key={p.symbol}
                class={dir}
                data-symbol={p.symbol}
                title={stale ? humaniseSeconds(stale.message) : "USD"}
              >
                {p.symbol} {fmtPrice(p.price)}
                {stale ? " ⚠" : ""}
              </span>
            );
          })}
      </span>
      <span class="conn" id="conn" data-state={live.conn}>
        {live.conn === "open" ? "live" : live.conn}
      </span>
    </header>
  );
}
