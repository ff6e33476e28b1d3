import { useEffect, useMemo, useState } from "preact/hooks";
import { accountPath, getJson } from "../api.js";
import type {
  AccountDetail,
  AccountGreeksJson,
  AccountHealthJson,
  AccountMargin,
  BacktestJson,
  HistoryRow,
  PlanRow,
} from "../apiTypes.js";
import { BACKTEST_DAYS, BacktestPanel } from "../components/BacktestPanel.js";
import { Chart, type ChartSeries } from "../components/Chart.js";
import { FlagList } from "../components/FlagList.js";
import { GreeksPanel } from "../components/GreeksPanel.js";
import { GroupTable } from "../components/GroupTable.js";
import { Heatmap } from "../components/Heatmap.js";
import { LiquidationPanel } from "../components/LiquidationPanel.js";
import { WhatIfPanel } from "../components/WhatIfPanel.js";
import { fmtCompact, fmtHealth, fmtPct, fmtPctAbs, fmtTime, fmtUsd, num } from "../format.js";
import { distanceClass, healthClass } from "../health.js";
import { live, useFetch, useLive, useThrottledFetch } from "../live.js";

/** Shortest time between two liquidation searches of the open account, ms. */
const HEALTH_REFRESH_MS = 10_000;

const MARGIN_SERIES: ChartSeries[] = [
  { label: "equity (USD)", color: "#a371f7" },
  { label: "initial margin (USD)", color: "#58a6ff" },
  { label: "maintenance margin (USD)", color: "#d29922" },
];
const HEALTH_SERIES: ChartSeries[] = [
  { label: "health ratio", color: "#3fb950" },
  { label: "liquidation (1.0)", color: "#f85149", dash: [6, 4] },
];

function Card({
  label,
  value,
  testId,
  cls,
  title,
}: {
  label: string;
  value: string;
  testId: string;
  cls?: string;
  title?: string;
}) {
  return (
    <div class="card" title={title}>
      <div class="label">{label}</div>
      <div class={`value ${cls ?? ""}`} data-testid={testId}>
        {value}
      </div>
    </div>
  );
}

/** One account: headline cards, liquidation prices, what-if, per chain and underlying, greeks, history, backtest. */
export function AccountPage({ id }: { id: string }) {
  const state = useLive();
  const seq = state.tick?.seq;
  const [detail, setDetail] = useState<AccountDetail | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [plans, setPlans] = useState<PlanRow[]>([]);

  useEffect(() => {
    Promise.all([
      getJson<AccountDetail>(accountPath(id)),
      getJson<AccountMargin>(accountPath(id, "/margin")).catch(() => null),
      getJson<{ history: HistoryRow[] }>(accountPath(id, "/history?limit=1000")),
      getJson<{ plans: PlanRow[] }>(accountPath(id, "/plans?limit=50")),
    ]).then(
      ([acct, margin, history, planList]) => {
        setDetail(acct);
        if (margin) live.reports.set(id, margin.report);
        live.history.set(id, history.history);
        setPlans(planList.plans);
      },
      (err: Error) => setLoadError(err.message),
    );
  }, [id]);

  // Recomputed per tick (the service caches one answer per account version and tick).
  // The liquidation search is heavy (seconds for a simulated model): refreshed at most every 10 s, not every tick.
  const health = useThrottledFetch(
    () => getJson<AccountHealthJson>(accountPath(id, "/health")),
    `${id}|${detail?.version ?? ""}`,
    seq,
    HEALTH_REFRESH_MS,
  );
  const greeks = useFetch(() => getJson<AccountGreeksJson>(accountPath(id, "/greeks")), [id, seq, detail?.version]);
  const backtest = useFetch(
    () => getJson<BacktestJson>(accountPath(id, `/backtest?days=${BACKTEST_DAYS}`)),
    [id, detail?.version],
  );

  const report = state.reports.get(id);
  const summary = state.accounts.get(id);
  const history = state.history.get(id) ?? [];
  const historyData = useMemo(() => {
    const x = history.map((r) => Date.parse(r.asOf) / 1000);
    return {
      margin: [
        x,
        history.map((r) => num(r.equity)),
        history.map((r) => num(r.initialMargin)),
        history.map((r) => num(r.maintenanceMargin)),
      ] as [number[], ...number[][]],
      health: [x, history.map((r) => (r.healthRatio === null ? null : num(r.healthRatio))), x.map(() => 1)] as [
        number[],
        ...(number | null)[][],
      ],
    };
  }, [state.version, history.length]);

  const back = (
    <p>
      <a href="#/">← accounts</a>
    </p>
  );
  if (loadError) {
    return (
      <>
        {back}
        <div class="panel error">{loadError}</div>
      </>
    );
  }
  if (!report) {
    return (
      <>
        {back}
        <h1>{id}</h1>
        <div class="panel">{summary?.error ? `cannot margin: ${summary.error.message}` : "loading…"}</div>
      </>
    );
  }
  const policy = detail?.policy;
  const distance = health.data?.distanceToLiquidation ?? null;
  return (
    <>
      {back}
      <h1>
        {id} <span class="muted">({report.model})</span>
      </h1>
      {detail?.portfolio.description ? <p class="muted">{detail.portfolio.description}</p> : null}
      <div class="cards" id="cards">
        <Card label="equity (USD)" value={fmtUsd(report.equity)} testId="acct-equity" />
        <Card label="initial margin (USD)" value={fmtUsd(report.initialMargin)} testId="acct-im" />
        <Card label="maint. margin (USD)" value={fmtUsd(report.maintenanceMargin)} testId="acct-mm" />
        <Card
          label="free collateral (USD)"
          value={fmtUsd(report.freeCollateral)}
          testId="acct-free"
          cls={num(report.freeCollateral) < 0 ? "bad" : ""}
        />
        <Card
          label="health"
          value={fmtHealth(report.healthRatio)}
          testId="acct-health"
          cls={`health ${healthClass(report.healthRatio, summary?.band)}`}
          title={report.healthRatio ?? ""}
        />
        <Card
          label="distance to liquidation"
          value={health.data ? (distance === null ? "> range" : fmtPctAbs(distance)) : "…"}
          testId="acct-distance"
          cls={`health ${distanceClass(distance === null ? null : num(distance))}`}
          title="smallest move of one underlying's spot that liquidates the account"
        />
        <Card label="as of" value={fmtTime(report.asOf)} testId="acct-asof" />
        {policy ? (
          <Card
            label="policy band (health)"
            value={`${policy.targetHealth.min} – ${policy.targetHealth.max}${policy.dryRun ? " (dry run)" : ""}`}
            testId="acct-band"
          />
        ) : null}
      </div>
      <LiquidationPanel
        health={health.data}
        error={health.error}
        withPolicy={Boolean(report.policy)}
        currentSeq={seq}
      />
      <WhatIfPanel key={detail ? "ready" : "loading"} accountId={id} detail={detail} />
      <div class="grid2">
        <GroupTable
          title="By chain: equity, collateral and margin"
          keyLabel="chain"
          rows={report.breakdown.byChain.map((g) => ({ key: g.chain, group: g }))}
          testId="by-chain"
        />
        <GroupTable
          title="By underlying"
          keyLabel="underlying"
          rows={report.breakdown.byUnderlying.map((g) => ({ key: g.underlying, group: g }))}
          testId="by-underlying"
        />
      </div>
      <GreeksPanel greeks={greeks.data} error={greeks.error} />
      <div class="grid2">
        <div class="panel">
          <h2>Equity and margin history (from the store)</h2>
          <Chart
            data={historyData.margin}
            series={MARGIN_SERIES}
            x={{ time: true }}
            yLabel="USD"
            testId="history-chart"
            ariaLabel="equity, initial and maintenance margin over time"
          />
        </div>
        <div class="panel">
          <h2>Health ratio history</h2>
          <Chart
            data={historyData.health}
            series={HEALTH_SERIES}
            x={{ time: true }}
            yLabel="health (ratio)"
            yFormat={(v) => (Math.abs(v) >= 1000 ? fmtCompact(v) : v.toFixed(2))}
            testId="health-chart"
            ariaLabel="health ratio over time"
          />
        </div>
      </div>
      <BacktestPanel data={backtest.data} error={backtest.error} />
      {report.policy ? (
        <div class="panel" data-testid="policy">
          <h2>Policy rules fired ({report.policy.rulebook})</h2>
          <ul>
            {report.policy.fired.map((f) => (
              <li key={f.ruleId}>
                <strong>{f.ruleId}</strong> {f.description}{" "}
                <span class="muted">({f.effects.join("; ") || "no effect"})</span>
              </li>
            ))}
          </ul>
          {report.policy.alerts.length ? (
            <ul class="flags" data-testid="policy-alerts">
              {report.policy.alerts.map((a, i) => (
                <li key={`${a.ruleId}-${i}`}>
                  <span class={`badge ${a.severity}`}>alert</span> {a.message} <span class="muted">({a.ruleId})</span>
                </li>
              ))}
            </ul>
          ) : null}
          {report.policy.reduceOnly || report.policy.blockWithdrawals ? (
            <p class="bad">
              {[
                report.policy.reduceOnly ? "reduce-only" : "",
                report.policy.blockWithdrawals ? "withdrawals blocked" : "",
              ]
                .filter(Boolean)
                .join(", ")}
            </p>
          ) : null}
        </div>
      ) : null}
      <div class="panel">
        <h2>Flags</h2>
        <FlagList flags={report.flags} testId="acct-flags" />
      </div>
      <div class="panel">
        <h2>Components</h2>
        <table data-testid="components">
          <thead>
            <tr>
              <th class="text">component</th>
              <th>initial (USD)</th>
              <th>maintenance (USD)</th>
              <th class="text">detail</th>
            </tr>
          </thead>
          <tbody>
            {report.components.map((c) => (
              <tr key={c.name}>
                <td class="text">{c.name}</td>
                <td>{fmtUsd(c.initialMargin)}</td>
                <td>{fmtUsd(c.maintenanceMargin)}</td>
                <td class="text muted">{c.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {report.scenarios.length ? (
        report.scenarios.map((t) => <Heatmap key={t.underlying} table={t} />)
      ) : (
        <div class="panel">
          <h2>Scenario grid</h2>
          <p class="muted">The {report.model} model has no scenario grid.</p>
          {report.worstPaths?.length ? (
            <table>
              <thead>
                <tr>
                  <th class="text">worst simulated path</th>
                  <th>loss (USD)</th>
                  <th class="text">factor moves</th>
                </tr>
              </thead>
              <tbody>
                {report.worstPaths.slice(0, 5).map((w) => (
                  <tr key={w.id}>
                    <td class="text">{w.id}</td>
                    <td>{fmtUsd(w.loss)}</td>
                    <td class="text muted">
                      {Object.entries(w.factorMoves)
                        .map(([k, v]) => `${k} ${fmtPct(v)}`)
                        .join(", ")}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </div>
      )}
      <div class="panel">
        <h2>Positions and holdings</h2>
        <table>
          <thead>
            <tr>
              <th class="text">item</th>
              <th class="text">chain</th>
              <th class="text">underlying</th>
              <th>value (USD)</th>
              <th>initial (USD)</th>
              <th>maintenance (USD)</th>
              <th>horizon (days)</th>
            </tr>
          </thead>
          <tbody>
            {report.breakdown.byPosition.map((p) => (
              <tr key={p.id}>
                <td class="text">{p.label}</td>
                <td class="text">{p.chain}</td>
                <td class="text">{p.underlying}</td>
                <td>{fmtUsd(p.value)}</td>
                <td>{fmtUsd(p.initialMargin)}</td>
                <td>{fmtUsd(p.maintenanceMargin)}</td>
                <td>{p.horizonDays === undefined ? "—" : num(p.horizonDays).toFixed(2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="panel" data-testid="plans">
        <h2>Rebalancing and liquidation plans (audit)</h2>
        {plans.length ? (
          plans.slice(0, 20).map((p) => {
            const r = p.record as {
              kind?: string;
              status?: string;
              seen?: { asOf?: string };
              trigger?: { why?: string };
            };
            return (
              <details key={p.id}>
                <summary>
                  <span class={`badge ${r.kind === "liquidation" ? "critical" : "warning"}`}>{r.kind ?? p.kind}</span>{" "}
                  {r.status ?? p.status} · {fmtTime(r.seen?.asOf ?? p.asOf)} · {r.trigger?.why ?? ""}
                </summary>
                <pre>{JSON.stringify(r, null, 2)}</pre>
              </details>
            );
          })
        ) : (
          <p class="muted">{policy ? "no plan yet: the account has stayed in its band" : "no policy"}</p>
        )}
      </div>
    </>
  );
}
