import { useState } from "preact/hooks";
import { ApiError, postJson } from "../api.js";
import type { AccountDetail, WhatIfResponse } from "../apiTypes.js";
import { fmtHealth, fmtUsd, fmtUsdChange, num } from "../format.js";
import { type WhatIfForm as Form, whatIfOf } from "../whatIfDoc.js";

function Field({ label, children }: { label: string; children: preact.ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the child passed in
    <label class="field">
      <span>{label}</span>
      {children}
    </label>
  );
}

/**
 * What-if on a stored account through `POST /v1/whatif`: a spot/vol shock, a trade, a deposit, withdrawal or move
 * of collateral across chains; shows before, after and the change of every headline figure and per chain.
 */
export function WhatIfPanel({ accountId, detail }: { accountId: string; detail: AccountDetail | null }) {
  const holdings = detail?.portfolio.holdings ?? [];
  const positions = detail?.portfolio.positions ?? [];
  const underlyings = [...new Set(positions.map((p) => p.underlying))];
  const chains = [...new Set([...holdings.map((h) => h.chain), ...positions.map((p) => p.chain)])];
  const firstHolding = holdings[0];
  const [form, setForm] = useState<Form>(() => ({
    underlying: underlyings[0] ?? "ETH",
    spotPct: "-20",
    volPct: "",
    tradeKind: "none",
    tradeChain: positions[0]?.chain ?? chains[0] ?? "ethereum",
    tradeVenue: positions[0]?.venue ?? "derive",
    tradeSize: "1",
    tradeExpiry: "",
    tradeStrike: "",
    tradeType: "put",
    cashAction: "none",
    cashChain: firstHolding?.chain ?? chains[0] ?? "ethereum",
    cashToChain: chains.find((c) => c !== firstHolding?.chain) ?? "arbitrum",
    cashToken: firstHolding?.token ?? "USDC",
    cashAmount: "10000",
  }));
  const [result, setResult] = useState<WhatIfResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set =
    <K extends keyof Form>(k: K) =>
    (e: Event) =>
      setForm((f) => ({ ...f, [k]: (e.target as HTMLInputElement | HTMLSelectElement).value as Form[K] }));

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setResult(await postJson<WhatIfResponse>("/v1/whatif", { accountId, whatIf: whatIfOf(form) }));
    } catch (err) {
      setResult(null);
      setError(err instanceof ApiError && err.path ? `${err.path}: ${err.message}` : (err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const allUnderlyings = [...new Set([...underlyings, "ETH", "BTC", "SOL"])];
  const chainOptions = [...new Set([...chains, "ethereum", "arbitrum", "optimism", "base", "solana"])];
  return (
    <div class="panel" data-testid="whatif">
      <h2>What-if</h2>
      <form class="whatif-form" onSubmit={submit}>
        <fieldset>
          <legend>Spot and vol shock</legend>
          <Field label="underlying">
            <select value={form.underlying} onChange={set("underlying")} data-testid="whatif-underlying">
              {allUnderlyings.map((u) => (
                <option key={u}>{u}</option>
              ))}
            </select>
          </Field>
          <Field label="spot move (%)">
            <input type="number" step="any" value={form.spotPct} onInput={set("spotPct")} data-testid="whatif-spot" />
          </Field>
          <Field label="vol move (%)">
            <input type="number" step="any" value={form.volPct} onInput={set("volPct")} data-testid="whatif-vol" />
          </Field>
        </fieldset>
        <fieldset>
          <legend>Trade (on the underlying above)</legend>
          <Field label="kind">
            <select value={form.tradeKind} onChange={set("tradeKind")} data-testid="whatif-trade-kind">
              <option value="none">no trade</option>
              <option value="perp">perp</option>
              <option value="future">future</option>
              <option value="option">option</option>
            </select>
          </Field>
          {form.tradeKind !== "none" ? (
            <>
              <Field label="chain">
                <select value={form.tradeChain} onChange={set("tradeChain")}>
                  {chainOptions.map((c) => (
                    <option key={c}>{c}</option>
                  ))}
                </select>
              </Field>
              <Field label="venue">
                <input value={form.tradeVenue} onInput={set("tradeVenue")} />
              </Field>
              <Field label="size (units, − short)">
                <input value={form.tradeSize} onInput={set("tradeSize")} data-testid="whatif-trade-size" />
              </Field>
            </>
          ) : null}
          {form.tradeKind === "future" || form.tradeKind === "option" ? (
            <Field label="expiry (UTC 08:00)">
              <input type="date" value={form.tradeExpiry} onInput={set("tradeExpiry")} />
            </Field>
          ) : null}
          {form.tradeKind === "option" ? (
            <>
              <Field label="strike (USD)">
                <input value={form.tradeStrike} onInput={set("tradeStrike")} />
              </Field>
              <Field label="type">
                <select value={form.tradeType} onChange={set("tradeType")}>
                  <option value="put">put</option>
                  <option value="call">call</option>
                </select>
              </Field>
            </>
          ) : null}
        </fieldset>
        <fieldset>
          <legend>Collateral</legend>
          <Field label="action">
            <select value={form.cashAction} onChange={set("cashAction")} data-testid="whatif-cash-action">
              <option value="none">none</option>
              <option value="deposit">deposit</option>
              <option value="withdraw">withdraw</option>
              <option value="move">move across chains</option>
            </select>
          </Field>
          {form.cashAction !== "none" ? (
            <>
              <Field label={form.cashAction === "move" ? "from chain" : "chain"}>
                <select value={form.cashChain} onChange={set("cashChain")}>
                  {chainOptions.map((c) => (
                    <option key={c}>{c}</option>
                  ))}
                </select>
              </Field>
              {form.cashAction === "move" ? (
                <Field label="to chain">
                  <select value={form.cashToChain} onChange={set("cashToChain")}>
                    {chainOptions.map((c) => (
                      <option key={c}>{c}</option>
                    ))}
                  </select>
                </Field>
              ) : null}
              <Field label="token">
                <input value={form.cashToken} onInput={set("cashToken")} list="whatif-tokens" />
              </Field>
              <Field label="amount (token units)">
                <input value={form.cashAmount} onInput={set("cashAmount")} data-testid="whatif-amount" />
              </Field>
            </>
          ) : null}
        </fieldset>
        <datalist id="whatif-tokens">
          {[...new Set(holdings.map((h) => h.token))].map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
        <button type="submit" disabled={busy} data-testid="whatif-run">
          {busy ? "computing…" : "Run what-if"}
        </button>
      </form>
      {error ? (
        <p class="bad" data-testid="whatif-error">
          {error}
        </p>
      ) : null}
      {result ? <WhatIfResult result={result} /> : null}
    </div>
  );
}

function WhatIfResult({ result }: { result: WhatIfResponse }) {
  const { before: b, after: a, diff: d } = result;
  const rows: Array<[string, string, string, string, string]> = [
    ["equity", fmtUsd(b.equity), fmtUsd(a.equity), fmtUsdChange(d.equity), "equity"],
    ["initial margin", fmtUsd(b.initialMargin), fmtUsd(a.initialMargin), fmtUsdChange(d.initialMargin), "im"],
    [
      "maintenance margin",
      fmtUsd(b.maintenanceMargin),
      fmtUsd(a.maintenanceMargin),
      fmtUsdChange(d.maintenanceMargin),
      "mm",
    ],
    ["free collateral", fmtUsd(b.freeCollateral), fmtUsd(a.freeCollateral), fmtUsdChange(d.freeCollateral), "free"],
    [
      "health",
      fmtHealth(b.healthRatio),
      fmtHealth(a.healthRatio),
      d.healthRatio === null ? "—" : `${num(d.healthRatio) > 0 ? "+" : ""}${num(d.healthRatio).toFixed(2)}`,
      "health",
    ],
  ];
  return (
    <div class="whatif-result" data-testid="whatif-result">
      <table>
        <thead>
          <tr>
            <th class="text">figure (USD)</th>
            <th>before</th>
            <th>after</th>
            <th>change</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([label, before, after, change, id]) => (
            <tr key={id}>
              <td class="text">{label}</td>
              <td data-testid={`whatif-before-${id}`}>{before}</td>
              <td data-testid={`whatif-after-${id}`}>{after}</td>
              <td
                data-testid={`whatif-diff-${id}`}
                class={change.startsWith("-") ? "neg" : change.startsWith("+") ? "pos" : ""}
              >
                {change}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {d.byChain.length ? (
        <table class="compact">
          <thead>
            <tr>
              <th class="text">chain</th>
              <th>initial margin before (USD)</th>
              <th>after (USD)</th>
              <th>change (USD)</th>
              <th>equity change (USD)</th>
            </tr>
          </thead>
          <tbody>
            {d.byChain.map((g) => (
              <tr key={g.key}>
                <td class="text">{g.key}</td>
                <td>{fmtUsd(g.initialMarginBefore)}</td>
                <td>{fmtUsd(g.initialMarginAfter)}</td>
                <td>{fmtUsdChange(g.initialMarginChange)}</td>
                <td>{fmtUsdChange(g.equityChange)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {a.flags.length > b.flags.length ? (
        <p class="muted">
          the what-if adds {a.flags.length - b.flags.length} flag(s): {a.flags.map((f) => f.code).join(", ")}
        </p>
      ) : null}
    </div>
  );
}
