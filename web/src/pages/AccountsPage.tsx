import { useMemo, useState } from "preact/hooks";
import { accountPath, getJson } from "../api.js";
import type { AccountHealthJson, AccountSummary } from "../apiTypes.js";
import { fmtHealth, fmtPctAbs, fmtUsd, num, plural } from "../format.js";
import { distanceClass, healthClass } from "../health.js";
import { useLive, useThrottledFetch } from "../live.js";

type SortKey =
  | "accountId"
  | "model"
  | "equity"
  | "initialMargin"
  | "maintenanceMargin"
  | "freeCollateral"
  | "healthRatio"
  | "distance"
  | "band";

interface Column {
  key: SortKey;
  label: string;
  text?: boolean;
  title?: string;
}

const COLUMNS: Column[] = [
  { key: "accountId", label: "account", text: true },
  { key: "model", label: "model", text: true },
  { key: "equity", label: "equity (USD)" },
  { key: "initialMargin", label: "initial margin (USD)" },
  { key: "maintenanceMargin", label: "maint. margin (USD)" },
  { key: "freeCollateral", label: "free collateral (USD)" },
  { key: "healthRatio", label: "health", title: "maintenance collateral / maintenance margin; below 1 liquidatable" },
  {
    key: "distance",
    label: "distance to liq.",
    title: "smallest move of one underlying's spot (others held) that makes the account liquidatable",
  },
  { key: "band", label: "band", text: true },
];

/** Shortest time between two rounds of liquidation searches over the listed accounts, ms. */
const DISTANCE_REFRESH_MS = 20_000;

/**
 * Distance to liquidation per account, from `GET /v1/accounts/:id/health`, one account at a time (the searches are
 * heavy), shown as each arrives; a new round at most every 20 s of ticks.
 */
function useDistances(ids: string[], seq: number | undefined): Map<string, number | null> {
  const [distances, setDistances] = useState(new Map<string, number | null>());
  useThrottledFetch(
    async () => {
      for (const id of ids) {
        try {
          const h = await getJson<AccountHealthJson>(accountPath(id, "/health"));
          const d = h.distanceToLiquidation === null ? null : num(h.distanceToLiquidation);
          setDistances((m) => new Map(m).set(id, d));
        } catch {
          setDistances((m) => new Map(m).set(id, Number.NaN));
        }
      }
      return true;
    },
    ids.join(","),
    seq,
    DISTANCE_REFRESH_MS,
  );
  return distances;
}

function sortValue(a: AccountSummary, key: SortKey, distance: number | null | undefined): number | string {
  switch (key) {
    case "accountId":
    case "model":
      return a[key];
    case "band":
      return a.band ?? "";
    case "distance":
      // No level in range sorts as the farthest; unknown (loading) last.
      return distance === undefined || Number.isNaN(distance) ? Number.POSITIVE_INFINITY : (distance ?? 1e9);
    default: {
      const v = num(a[key]);
      return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
    }
  }
}

/** The accounts: sortable by any column, filtered by text, with totals and the distance to liquidation. */
export function AccountsPage() {
  const live = useLive();
  const [filter, setFilter] = useState("");
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: "accountId", dir: 1 });
  const all = [...live.accounts.values()];
  const distances = useDistances(all.map((a) => a.accountId).sort(), live.tick?.seq);
  const rows = useMemo(() => {
    const f = filter.trim().toLowerCase();
    const kept = f
      ? all.filter((a) =>
          [a.accountId, a.model, a.band ?? "", a.description ?? ""].some((s) => s.toLowerCase().includes(f)),
        )
      : all;
    return kept.sort((a, b) => {
      const x = sortValue(a, sort.key, distances.get(a.accountId));
      const y = sortValue(b, sort.key, distances.get(b.accountId));
      const c = typeof x === "string" ? x.localeCompare(String(y)) : x - (y as number);
      return c * sort.dir || a.accountId.localeCompare(b.accountId);
    });
  }, [live.version, filter, sort, distances]);
  const total = (k: "equity" | "initialMargin" | "maintenanceMargin" | "freeCollateral") =>
    rows.reduce((s, a) => s + (Number.isFinite(num(a[k])) ? num(a[k]) : 0), 0);
  const missing = rows.filter((a) => a.equity === null).length;

  return (
    <>
      <h1>Accounts</h1>
      <div class="toolbar">
        <input
          type="search"
          placeholder="filter by account, model, band…"
          value={filter}
          onInput={(e) => setFilter((e.target as HTMLInputElement).value)}
          data-testid="accounts-filter"
          aria-label="filter accounts"
        />
        <span class="muted">
          {plural(rows.length, "account")} of {all.length}
        </span>
      </div>
      <div class="panel">
        <table data-testid="accounts-table" class="sortable">
          <thead>
            <tr>
              {COLUMNS.map((c) => (
                <th
                  key={c.key}
                  class={`${c.text ? "text" : ""} ${sort.key === c.key ? "sorted" : ""}`}
                  title={c.title ?? "sort"}
                  data-sort={c.key}
                  onClick={() => setSort((s) => ({ key: c.key, dir: s.key === c.key ? (-s.dir as 1 | -1) : 1 }))}
                >
                  {c.label}
                  {sort.key === c.key ? (sort.dir === 1 ? " ▲" : " ▼") : ""}
                </th>
              ))}
              <th class="text">flags</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((a) => {
              const d = distances.get(a.accountId);
              const href = `#/accounts/${encodeURIComponent(a.accountId)}`;
              return (
                <tr key={a.accountId} class="row" data-account={a.accountId} onClick={() => (location.hash = href)}>
                  <td class="text">
                    <a href={href}>{a.accountId}</a>
                  </td>
                  <td class="text">{a.model}</td>
                  <td>{fmtUsd(a.equity)}</td>
                  <td>{fmtUsd(a.initialMargin)}</td>
                  <td>{fmtUsd(a.maintenanceMargin)}</td>
                  <td class={num(a.freeCollateral) < 0 ? "neg" : ""}>{fmtUsd(a.freeCollateral)}</td>
                  <td
                    class={`health ${healthClass(a.healthRatio, a.band)}`}
                    data-testid={`health-${a.accountId}`}
                    title={a.healthRatio ?? ""}
                  >
                    {fmtHealth(a.healthRatio)}
                  </td>
                  <td
                    class={`health ${d === undefined || Number.isNaN(d) ? "" : distanceClass(d)}`}
                    data-testid={`distance-${a.accountId}`}
                  >
                    {d === undefined ? "…" : d === null ? "> range" : Number.isNaN(d) ? "n/a" : fmtPctAbs(d)}
                  </td>
                  <td class="text">{a.band ?? <span class="muted">no policy</span>}</td>
                  <td class="text">
                    {a.error ? <span class="badge critical">{a.error.code}</span> : null}
                    {a.flags.critical ? <span class="badge critical">{a.flags.critical} critical</span> : null}
                    {a.flags.warning ? <span class="badge warning">{a.flags.warning} warning</span> : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
          <tfoot>
            <tr data-testid="accounts-totals">
              <th class="text">total</th>
              <th class="text muted">{missing ? `${missing} without a report` : ""}</th>
              <th>{fmtUsd(total("equity"))}</th>
              <th>{fmtUsd(total("initialMargin"))}</th>
              <th>{fmtUsd(total("maintenanceMargin"))}</th>
              <th>{fmtUsd(total("freeCollateral"))}</th>
              <th colSpan={4} />
            </tr>
          </tfoot>
        </table>
      </div>
      <p class="muted">
        Health = maintenance collateral / maintenance margin; below 1 the account is liquidatable. Distance to
        liquidation = the smallest move of one underlying's spot price, the others held, that liquidates the account
        (the margin model re-run; "&gt; range" when no move from -99% to ×10 does). Rows update on every tick.
      </p>
    </>
  );
}
