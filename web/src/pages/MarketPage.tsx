import { getJson } from "../api.js";
import type { MarketOraclesJson, VolSurfacesJson } from "../apiTypes.js";
import { Chart, type ChartSeries } from "../components/Chart.js";
import { FlagList } from "../components/FlagList.js";
import { fmtAge, fmtPct, fmtPctAbs, fmtPrice, fmtTime, fmtUsd, num } from "../format.js";
import { useFetch, useLive } from "../live.js";

const SMILE_COLORS = ["#58a6ff", "#3fb950", "#d29922", "#a371f7", "#f85149", "#39c5cf", "#ff7b72", "#e3b341"];

function Smiles({ surface }: { surface: VolSurfacesJson["surfaces"][number] }) {
  const series: ChartSeries[] = surface.smiles.map((s, i) => ({
    label: s.expiry
      ? `${s.expiry.slice(0, 10)} (${Math.round(num(s.years) * 365)} d)`
      : `${Math.round(num(s.years) * 365)} d`,
    color: SMILE_COLORS[i % SMILE_COLORS.length]!,
  }));
  const vols = surface.smiles.flatMap((s) => s.vols);
  const flat = vols.every((v) => v === vols[0]);
  const data: [number[], ...number[][]] = [
    surface.strikes.map(num),
    ...surface.smiles.map((s) => s.vols.map((v) => 100 * num(v))),
  ];
  return (
    <div class="panel" data-testid={`smile-${surface.underlying}`}>
      <h2>
        {surface.underlying} implied vol by strike ({surface.kind} surface, spot {fmtUsd(surface.spot)} USD)
      </h2>
      {flat ? (
        <p class="muted note" data-testid={`smile-flat-${surface.underlying}`}>
          Flat surface: {fmtPctAbs(surface.smiles[0]?.vols[0])} at every strike and expiry (the lines overlap).
        </p>
      ) : null}
      <Chart
        data={data}
        series={series}
        x={{ time: false, label: "strike (USD)", format: (v) => fmtUsd(v) }}
        yLabel="implied vol (% a year)"
        yFormat={(v) => `${v.toFixed(0)}%`}
        height={200}
        legendValues={false}
        testId={`smile-chart-${surface.underlying}`}
        ariaLabel={`${surface.underlying} implied volatility smiles per expiry`}
      />
    </div>
  );
}

/** The live market: each feed's quotes per chain and source (age, staleness, divergence) and the vol surfaces. */
export function MarketPage() {
  const state = useLive();
  const seq = state.tick?.seq;
  const oracles = useFetch(() => getJson<MarketOraclesJson>("/v1/markets/oracles"), [seq]);
  const surfaces = useFetch(() => getJson<VolSurfacesJson>("/v1/markets/vol-surfaces"), [seq]);
  return (
    <>
      <h1>Market</h1>
      <p class="muted">
        Market as of {fmtTime(oracles.data?.asOf ?? state.tick?.asOf)}. A quote is stale past its own heartbeat (else
        one hour); the aggregated price is the median of the fresh quotes, its band widened by divergence, confidence
        and lost sources.
      </p>
      {surfaces.data ? (
        surfaces.data.surfaces.length ? (
          <div class="grid3">
            {surfaces.data.surfaces.map((s) => (
              <Smiles key={s.underlying} surface={s} />
            ))}
          </div>
        ) : (
          <div class="panel muted">The live market has no vol surface.</div>
        )
      ) : (
        <div class="panel muted">{surfaces.error ?? "loading the vol surfaces…"}</div>
      )}
      <div class="panel" data-testid="oracles">
        <h2>Prices per chain and source</h2>
        {!oracles.data ? (
          <p class="muted">{oracles.error ?? "loading…"}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th class="text">feed</th>
                <th class="text">chain</th>
                <th class="text">source</th>
                <th>price (USD)</th>
                <th>vs aggregate</th>
                <th>confidence (USD)</th>
                <th class="text">published</th>
                <th>age</th>
                <th class="text">state</th>
              </tr>
            </thead>
            {oracles.data.feeds.map((f) => (
              <tbody key={f.symbol} data-feed={f.symbol}>
                <tr class="feed-head">
                  <th class="text">{f.symbol}/USD</th>
                  <th class="text" colSpan={2}>
                    aggregate
                    {f.crossChainSpread !== null && num(f.crossChainSpread) > 0
                      ? ` · cross-chain spread ${fmtPctAbs(num(f.crossChainSpread) / num(f.price), 2)}`
                      : ""}
                  </th>
                  <th>{fmtPrice(f.price)}</th>
                  <th class="muted" title="uncertainty band half-width relative to price">
                    ± {f.price && f.uncertainty ? fmtPctAbs(num(f.uncertainty) / num(f.price), 2) : "—"}
                  </th>
                  <th colSpan={4} class="text">
                    {f.flags.map((fl) => (
                      <span key={fl.code} class={`badge ${fl.severity}`} title={fl.message}>
                        {fl.code}
                      </span>
                    ))}
                  </th>
                </tr>
                {f.quotes.map((q) => (
                  <tr key={`${q.chain}|${q.source}`} class={q.state === "fresh" ? "" : "dim"}>
                    <td />
                    <td class="text">{q.chain}</td>
                    <td class="text">{q.source}</td>
                    <td>{fmtPrice(q.price)}</td>
                    <td class={Math.abs(num(q.deviationRel)) > 0.02 ? "warn-text" : ""}>{fmtPct(q.deviationRel, 2)}</td>
                    <td>{q.confidence === null ? "—" : fmtPrice(q.confidence)}</td>
                    <td class="text">{fmtTime(q.publishedAt)}</td>
                    <td title={`staleness limit ${fmtAge(q.maxAgeSeconds)}`}>{fmtAge(q.ageSeconds)}</td>
                    <td class="text">
                      <span
                        class={`badge ${q.state === "fresh" ? "ok" : q.state === "stale" ? "critical" : "warning"}`}
                      >
                        {q.state}
                      </span>
                    </td>
                  </tr>
                ))}
              </tbody>
            ))}
          </table>
        )}
      </div>
      {oracles.data ? (
        <div class="panel">
          <h2>Market flags</h2>
          <FlagList flags={oracles.data.feeds.flatMap((f) => f.flags)} testId="market-flags" />
        </div>
      ) : null}
    </>
  );
}
