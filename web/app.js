// xmargin dashboard: plain ES module, no dependencies, served by the service itself (nothing loaded from outside).
// Data: GET /v1/accounts, /v1/accounts/:id, /v1/accounts/:id/margin, /history, /plans, /backtest (lazily);
// live: WebSocket /v1/stream.

const SVG_NS = "http://www.w3.org/2000/svg";

const state = {
  /** accountId -> summary row of GET /v1/accounts */
  accounts: new Map(),
  /** accountId -> MarginReport JSON */
  reports: new Map(),
  /** accountId -> margin history rows */
  history: new Map(),
  /** accountId -> plans, newest first */
  plans: new Map(),
  /** accountId -> { status: "loading" | "ok" | "error", data?, error? } of GET /v1/accounts/:id/backtest */
  backtests: new Map(),
  /** accountId -> { policy, config } */
  details: new Map(),
  /** symbol -> price (number) of the previous tick */
  prevPrices: new Map(),
  tick: null,
  route: { name: "list", id: null },
};

function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "style") Object.assign(el.style, v);
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs ?? {})) el.setAttribute(k, String(v));
  for (const c of children.flat()) {
    if (c === undefined || c === null) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const num = (s) => (s === null || s === undefined ? Number.NaN : Number(s));

function fmtUsd(s, digits = 0) {
  const v = num(s);
  if (!Number.isFinite(v)) return "—";
  return v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function fmtCompact(v) {
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (a >= 1e3) return `${(v / 1e3).toFixed(1)}k`;
  return v.toFixed(0);
}

function fmtHealth(s) {
  const v = num(s);
  return Number.isFinite(v) ? v.toFixed(3) : "n/a";
}

function fmtPct(s) {
  const v = num(s);
  return `${v > 0 ? "+" : ""}${(v * 100).toFixed(0)}%`;
}

function healthClass(health, band) {
  const v = num(health);
  if (band === "below-maintenance" || (Number.isFinite(v) && v < 1)) return "bad";
  if (band === "below-band" || band === "above-band" || (Number.isFinite(v) && v < 1.5)) return "warn";
  return "good";
}

// The API key: opened once as /?key=..., then kept in this browser's storage and removed from the address bar.
const API_KEY_STORAGE = "xmargin.apiKey";
function apiKey() {
  const params = new URLSearchParams(location.search);
  const given = params.get("key");
  if (given) {
    localStorage.setItem(API_KEY_STORAGE, given);
    params.delete("key");
    const rest = params.toString();
    history.replaceState(null, "", `${location.pathname}${rest ? `?${rest}` : ""}${location.hash}`);
  }
  return localStorage.getItem(API_KEY_STORAGE) ?? "";
}
const API_KEY = apiKey();

async function getJson(path) {
  const headers = { accept: "application/json" };
  if (API_KEY) headers["x-api-key"] = API_KEY;
  const res = await fetch(path, { headers });
  if (res.status === 401) throw new Error("this service needs an API key: open the dashboard as /?key=YOUR_KEY");
  const body = await res.json();
  if (!res.ok) throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
  return body;
}

function flash(el) {
  if (!el) return;
  el.classList.remove("flash");
  void el.offsetWidth;
  el.classList.add("flash");
}

// ---------- header ----------

function setConn(stateName) {
  const el = document.getElementById("conn");
  el.dataset.state = stateName;
  el.textContent = stateName === "open" ? "live" : stateName;
}

function setTick(tick) {
  if (!tick || tick.seq === null || tick.seq === undefined) return;
  state.tick = tick;
  const asOf = document.getElementById("market-asof");
  asOf.textContent = tick.asOf.replace("T00:00:00Z", "").replace("T", " ");
  document.getElementById("market-seq").textContent = String(tick.seq);
  if (tick.source) document.getElementById("market-source").textContent = tick.source;
  flash(asOf);
}

function setPrices(prices) {
  const ticker = document.getElementById("ticker");
  ticker.replaceChildren();
  for (const p of prices.filter((x) => x.kind === "underlying")) {
    const v = Number(p.price);
    const prev = state.prevPrices.get(p.symbol);
    const dir = prev === undefined || prev === v ? "" : v > prev ? "up" : "down";
    const critical = p.flags.some((f) => f.severity === "critical");
    ticker.append(
      h(
        "span",
        { class: dir, "data-symbol": p.symbol, title: critical ? "stale oracle" : "" },
        `${p.symbol} ${v.toLocaleString("en-US", { maximumSignificantDigits: 6 })}${critical ? " ⚠" : ""}`,
      ),
    );
    state.prevPrices.set(p.symbol, v);
  }
}

// ---------- accounts list ----------

function summaryFromReport(id, report) {
  const prev = state.accounts.get(id) ?? { accountId: id };
  return {
    ...prev,
    model: report.model,
    asOf: report.asOf,
    equity: report.equity,
    initialMargin: report.initialMargin,
    maintenanceMargin: report.maintenanceMargin,
    freeCollateral: report.freeCollateral,
    healthRatio: report.healthRatio,
    flags: {
      critical: report.flags.filter((f) => f.severity === "critical").length,
      warning: report.flags.filter((f) => f.severity === "warning").length,
      info: report.flags.filter((f) => f.severity === "info").length,
    },
    error: null,
  };
}

function accountRow(a) {
  const cls = healthClass(a.healthRatio, a.band);
  return h(
    "tr",
    {
      class: "row",
      "data-account": a.accountId,
      onclick: () => navigate(`#/accounts/${encodeURIComponent(a.accountId)}`),
    },
    h("td", { class: "text" }, h("a", { href: `#/accounts/${encodeURIComponent(a.accountId)}` }, a.accountId)),
    h("td", { class: "text" }, a.model),
    h("td", {}, fmtUsd(a.equity)),
    h("td", {}, fmtUsd(a.initialMargin)),
    h("td", {}, fmtUsd(a.maintenanceMargin)),
    h("td", {}, fmtUsd(a.freeCollateral)),
    h("td", { class: `health ${cls}`, "data-testid": `health-${a.accountId}` }, fmtHealth(a.healthRatio)),
    h("td", { class: "text" }, a.band ?? h("span", { class: "muted" }, "no policy")),
    h(
      "td",
      { class: "text" },
      a.error ? h("span", { class: "badge critical" }, a.error.code) : null,
      a.flags?.critical ? h("span", { class: "badge critical" }, `${a.flags.critical} critical`) : null,
      a.flags?.warning ? h("span", { class: "badge warning" }, `${a.flags.warning} warning`) : null,
    ),
  );
}

function renderList() {
  const rows = [...state.accounts.values()].sort((a, b) => a.accountId.localeCompare(b.accountId));
  const view = document.getElementById("view");
  view.replaceChildren(
    h("h1", {}, "Accounts"),
    h(
      "div",
      { class: "panel" },
      h(
        "table",
        { "data-testid": "accounts-table" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", {}, "account"),
            h("th", { class: "text" }, "model"),
            h("th", {}, "equity USD"),
            h("th", {}, "initial margin"),
            h("th", {}, "maintenance margin"),
            h("th", {}, "free collateral"),
            h("th", {}, "health"),
            h("th", { class: "text" }, "band"),
            h("th", { class: "text" }, "flags"),
          ),
        ),
        h("tbody", { id: "accounts-body" }, rows.map(accountRow)),
      ),
    ),
    h(
      "p",
      { class: "muted" },
      "Health = maintenance collateral / maintenance margin; below 1 the account is liquidatable. Rows update on every tick.",
    ),
  );
}

function updateListRow(id) {
  const body = document.getElementById("accounts-body");
  if (!body) return;
  const a = state.accounts.get(id);
  const old = body.querySelector(`tr[data-account="${CSS.escape(id)}"]`);
  const row = accountRow(a);
  if (old) old.replaceWith(row);
  else body.append(row);
  flash(row);
}

// ---------- charts ----------

/** Lines over time; `marks` ({x, y, color, title}) are drawn as points on top (e.g. backtest exceptions). */
function lineChart(series, { width = 640, height = 200, label = "", marks = [] } = {}) {
  const pad = { l: 64, r: 12, t: 12, b: 24 };
  const all = series.flatMap((s) => s.points);
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img", "aria-label": label });
  if (all.length === 0) {
    root.append(svg("text", { x: width / 2, y: height / 2, "text-anchor": "middle" }, "no history yet"));
    return root;
  }
  const xs = all.map((p) => p.x);
  const ys = all.map((p) => p.y).filter(Number.isFinite);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs) === x0 ? x0 + 1 : Math.max(...xs);
  let y0 = Math.min(...ys);
  let y1 = Math.max(...ys);
  if (y1 === y0) {
    y0 -= Math.abs(y0) * 0.05 + 1;
    y1 += Math.abs(y1) * 0.05 + 1;
  }
  const sx = (x) => pad.l + ((x - x0) / (x1 - x0)) * (width - pad.l - pad.r);
  const sy = (y) => height - pad.b - ((y - y0) / (y1 - y0)) * (height - pad.t - pad.b);
  for (let k = 0; k <= 4; k++) {
    const y = y0 + ((y1 - y0) * k) / 4;
    root.append(
      svg("line", { x1: pad.l, x2: width - pad.r, y1: sy(y), y2: sy(y), stroke: "#26303b" }),
      svg("text", { x: pad.l - 6, y: sy(y) + 4, "text-anchor": "end" }, y1 - y0 < 20 ? y.toFixed(2) : fmtCompact(y)),
    );
  }
  const d0 = new Date(x0).toISOString().slice(0, 10);
  const d1 = new Date(x1).toISOString().slice(0, 10);
  root.append(
    svg("text", { x: pad.l, y: height - 6 }, d0),
    svg("text", { x: width - pad.r, y: height - 6, "text-anchor": "end" }, d1),
  );
  for (const s of series) {
    const pts = s.points.filter((p) => Number.isFinite(p.y));
    if (pts.length === 0) continue;
    const d = pts.map((p, i) => `${i ? "L" : "M"}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join("");
    root.append(svg("path", { d, fill: "none", stroke: s.color, "stroke-width": 2 }));
    const last = pts[pts.length - 1];
    root.append(svg("circle", { cx: sx(last.x), cy: sy(last.y), r: 3, fill: s.color }));
  }
  for (const m of marks.filter((p) => Number.isFinite(p.y))) {
    root.append(
      svg(
        "circle",
        { class: "mark", cx: sx(m.x), cy: sy(m.y), r: 4, fill: m.color, stroke: "#0d1117" },
        svg("title", {}, m.title ?? ""),
      ),
    );
  }
  return root;
}

function legend(series) {
  return h(
    "div",
    { class: "legend" },
    series.map((s) => h("span", {}, h("span", { class: "swatch", style: { background: s.color } }), s.name)),
  );
}

function barChart(rows, { width = 560 } = {}) {
  const rowH = 22;
  const height = rows.length * rowH + 8;
  const max = Math.max(1, ...rows.map((r) => r.value));
  const labelW = 110;
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img" });
  rows.forEach((r, i) => {
    const y = 4 + i * rowH;
    const w = Math.max(0, (r.value / max) * (width - labelW - 90));
    root.append(
      svg("text", { x: 0, y: y + 14 }, r.label),
      svg("rect", { x: labelW, y: y + 3, width: w, height: rowH - 8, fill: "#58a6ff", rx: 2 }),
      svg("text", { x: labelW + w + 6, y: y + 14 }, fmtUsd(r.value)),
    );
  });
  return root;
}

function historySeries(rows) {
  const pts = (key) => rows.map((r) => ({ x: Date.parse(r.asOf), y: num(r[key]) }));
  return {
    margin: [
      { name: "initial margin", color: "#58a6ff", points: pts("initialMargin") },
      { name: "maintenance margin", color: "#d29922", points: pts("maintenanceMargin") },
    ],
    health: [{ name: "health ratio", color: "#3fb950", points: pts("healthRatio") }],
  };
}

// ---------- backtest ----------

const BACKTEST_DAYS = 180;

function backtestPanel(id) {
  const bt = state.backtests.get(id);
  const data = bt?.data ?? null;
  const title = `Backtest (last ${data ? data.days.length : BACKTEST_DAYS} days)`;
  const panel = (...children) =>
    h("div", { class: "panel", id: "backtest-panel", "data-testid": "backtest" }, h("h2", {}, title), ...children);
  if (!data) {
    return panel(
      h(
        "p",
        { class: "muted", "data-testid": "backtest-status" },
        bt?.status === "error" ? `backtest unavailable: ${bt.error}` : "running the backtest on the daily history…",
      ),
    );
  }
  const x = (d) => Date.parse(`${d.date}T00:00:00Z`);
  const series = [
    { name: "margin (IM + haircuts)", color: "#58a6ff", points: data.days.map((d) => ({ x: x(d), y: num(d.margin) })) },
    {
      name: `realised ${data.horizonDays}-day loss`,
      color: "#f85149",
      points: data.days.filter((d) => d.loss !== null).map((d) => ({ x: x(d), y: num(d.loss) })),
    },
  ];
  const marks = data.days
    .filter((d) => d.exception)
    .map((d) => ({
      x: x(d),
      y: num(d.loss),
      color: "#ffa657",
      title: `${d.date}: loss ${fmtUsd(d.loss)} > margin ${fmtUsd(d.margin)}`,
    }));
  const s = data.summary;
  return panel(
    legend([...series, { name: "exception (loss > margin)", color: "#ffa657" }]),
    lineChart(series, {
      width: 1280,
      height: 260,
      label: "backtest: margin and realised loss per day, exceptions marked",
      marks,
    }),
    h(
      "p",
      { class: "muted", "data-testid": "backtest-summary" },
      `${data.model} on ${data.from} – ${data.to}${data.paths ? ` (${data.paths} paths per day)` : ""}: ` +
        `${s.exceptions} exceptions in ${s.observations} observed days (${(s.rate * 100).toFixed(2)}%), ` +
        `traffic light ${s.zone}, Kupiec p ${s.kupiecP < 0.001 ? "<0.001" : s.kupiecP.toFixed(3)}. ` +
        `The last ${data.horizonDays} day(s) have no realised loss yet.`,
    ),
  );
}

/** Fetches the account's backtest once per page visit, after the page rendered; never blocks live updates. */
async function loadBacktest(id) {
  const current = state.backtests.get(id);
  if (current?.status === "loading") return;
  state.backtests.set(id, { status: "loading", data: current?.data });
  try {
    const data = await getJson(`/v1/accounts/${encodeURIComponent(id)}/backtest?days=${BACKTEST_DAYS}`);
    state.backtests.set(id, { status: "ok", data });
  } catch (err) {
    state.backtests.set(id, { status: "error", error: String(err.message ?? err) });
  }
  if (state.route.id === id) document.getElementById("backtest-panel")?.replaceWith(backtestPanel(id));
}

// ---------- heatmap ----------

function pnlColor(pnl, maxAbs) {
  const t = Math.min(1, Math.abs(pnl) / (maxAbs || 1));
  const light = 88 - 48 * t;
  return pnl < 0 ? `hsl(3, 85%, ${light}%)` : `hsl(135, 55%, ${light}%)`;
}

function heatmap(table) {
  const core = table.scenarios.filter((s) => num(s.weight) === 1);
  const extreme = table.scenarios.filter((s) => num(s.weight) !== 1);
  const spots = [...new Set(core.map((s) => num(s.spotShock)))].sort((a, b) => a - b);
  const vols = [...new Set(core.map((s) => num(s.volShock)))].sort((a, b) => a - b);
  const cell = new Map(core.map((s) => [`${num(s.spotShock)}|${num(s.volShock)}`, s]));
  const maxAbs = Math.max(1, ...table.scenarios.map((s) => Math.abs(num(s.pnl))));
  return h(
    "div",
    { class: "panel", "data-testid": `heatmap-${table.underlying}` },
    h(
      "h2",
      {},
      `${table.underlying}: scenario P&L (USD), worst ${table.worstScenarioId} = -${fmtUsd(table.worstLoss)}`,
    ),
    h(
      "table",
      { class: "heatmap" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", {}, "vol \\ spot"),
          spots.map((x) => h("th", {}, fmtPct(x))),
        ),
      ),
      h(
        "tbody",
        {},
        vols.map((v) =>
          h(
            "tr",
            {},
            h("th", {}, fmtPct(v)),
            spots.map((x) => {
              const s = cell.get(`${x}|${v}`);
              if (!s) return h("td", {}, "");
              const pnl = num(s.pnl);
              return h(
                "td",
                {
                  class: s.id === table.worstScenarioId ? "worst" : "",
                  style: { background: pnlColor(pnl, maxAbs) },
                  title: `${s.id}: ${fmtUsd(s.pnl)} USD`,
                },
                fmtCompact(pnl),
              );
            }),
          ),
        ),
      ),
    ),
    extreme.length
      ? h(
          "p",
          { class: "muted" },
          `extreme moves (counted at their weight): ${extreme
            .map((s) => `${s.id} ${fmtCompact(num(s.pnl))} × ${s.weight}`)
            .join(", ")}`,
        )
      : null,
  );
}

// ---------- account page ----------

function card(label, value, testid, cls) {
  return h(
    "div",
    { class: "card" },
    h("div", { class: "label" }, label),
    h("div", { class: `value ${cls ?? ""}`, "data-testid": testid }, value),
  );
}

function accountView(id) {
  const report = state.reports.get(id);
  const summary = state.accounts.get(id) ?? {};
  const details = state.details.get(id);
  const view = document.getElementById("view");
  if (!report) {
    view.replaceChildren(
      h("p", {}, h("a", { href: "#/" }, "← accounts")),
      h("h1", {}, id),
      h("div", { class: "panel" }, summary.error ? `cannot margin: ${summary.error.message}` : "loading…"),
    );
    return;
  }
  const series = historySeries(state.history.get(id) ?? []);
  const plans = state.plans.get(id) ?? [];
  const policy = details?.policy;
  view.replaceChildren(
    h("p", {}, h("a", { href: "#/" }, "← accounts")),
    h("h1", {}, `${id} `, h("span", { class: "muted" }, `(${report.model})`)),
    h(
      "div",
      { class: "cards", id: "cards" },
      card("equity USD", fmtUsd(report.equity), "acct-equity"),
      card("initial margin", fmtUsd(report.initialMargin), "acct-im"),
      card("maintenance margin", fmtUsd(report.maintenanceMargin), "acct-mm"),
      card("free collateral", fmtUsd(report.freeCollateral), "acct-free"),
      card(
        "health",
        fmtHealth(report.healthRatio),
        "acct-health",
        `health ${healthClass(report.healthRatio, summary.band)}`,
      ),
      card("as of", report.asOf.replace("T00:00:00Z", ""), "acct-asof"),
      policy
        ? card(
            "policy band",
            `${policy.targetHealth.min} – ${policy.targetHealth.max}${policy.dryRun ? " (dry run)" : ""}`,
            "acct-band",
          )
        : null,
    ),
    h(
      "div",
      { class: "grid2" },
      h(
        "div",
        { class: "panel" },
        h("h2", {}, "Margin history (from the store)"),
        legend(series.margin),
        lineChart(series.margin, { label: "initial and maintenance margin over time" }),
      ),
      h(
        "div",
        { class: "panel" },
        h("h2", {}, "Health ratio history"),
        legend(series.health),
        lineChart(series.health, { label: "health ratio over time" }),
      ),
    ),
    backtestPanel(id),
    report.policy
      ? h(
          "div",
          { class: "panel", "data-testid": "policy" },
          h("h2", {}, `Policy rules fired (${report.policy.rulebook})`),
          h(
            "ul",
            {},
            report.policy.fired.map((f) =>
              h(
                "li",
                {},
                h("strong", {}, f.ruleId),
                " ",
                f.description,
                h("span", { class: "muted" }, ` (${f.effects.join("; ") || "no effect"})`),
              ),
            ),
          ),
        )
      : null,
    h(
      "div",
      { class: "panel" },
      h("h2", {}, "Components"),
      h(
        "table",
        { "data-testid": "components" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", {}, "component"),
            h("th", {}, "initial"),
            h("th", {}, "maintenance"),
            h("th", { class: "text" }, "detail"),
          ),
        ),
        h(
          "tbody",
          {},
          report.components.map((c) =>
            h(
              "tr",
              {},
              h("td", {}, c.name),
              h("td", {}, fmtUsd(c.initialMargin)),
              h("td", {}, fmtUsd(c.maintenanceMargin)),
              h("td", { class: "text muted" }, c.detail),
            ),
          ),
        ),
      ),
    ),
    h(
      "div",
      { class: "grid2" },
      h(
        "div",
        { class: "panel" },
        h("h2", {}, "Initial margin by chain"),
        barChart(report.breakdown.byChain.map((g) => ({ label: g.chain, value: num(g.initialMargin) }))),
      ),
      h(
        "div",
        { class: "panel" },
        h("h2", {}, "Initial margin by underlying"),
        barChart(report.breakdown.byUnderlying.map((g) => ({ label: g.underlying, value: num(g.initialMargin) }))),
      ),
    ),
    ...(report.scenarios.length
      ? report.scenarios.map(heatmap)
      : [
          h(
            "div",
            { class: "panel" },
            h("h2", {}, "Scenario grid"),
            h("p", { class: "muted" }, `The ${report.model} model has no scenario grid.`),
            report.worstPaths?.length
              ? h(
                  "table",
                  {},
                  h(
                    "thead",
                    {},
                    h(
                      "tr",
                      {},
                      h("th", {}, "worst simulated path"),
                      h("th", {}, "loss USD"),
                      h("th", { class: "text" }, "factor moves"),
                    ),
                  ),
                  h(
                    "tbody",
                    {},
                    report.worstPaths.slice(0, 5).map((w) =>
                      h(
                        "tr",
                        {},
                        h("td", {}, w.id),
                        h("td", {}, fmtUsd(w.loss)),
                        h(
                          "td",
                          { class: "text muted" },
                          Object.entries(w.factorMoves)
                            .map(([k, v]) => `${k} ${fmtPct(v)}`)
                            .join(", "),
                        ),
                      ),
                    ),
                  ),
                )
              : null,
          ),
        ]),
    h(
      "div",
      { class: "panel" },
      h("h2", {}, "Positions and holdings"),
      h(
        "table",
        {},
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", {}, "item"),
            h("th", { class: "text" }, "chain"),
            h("th", { class: "text" }, "underlying"),
            h("th", {}, "value"),
            h("th", {}, "initial"),
            h("th", {}, "maintenance"),
          ),
        ),
        h(
          "tbody",
          {},
          report.breakdown.byPosition.map((p) =>
            h(
              "tr",
              {},
              h("td", {}, p.label),
              h("td", { class: "text" }, p.chain),
              h("td", { class: "text" }, p.underlying),
              h("td", {}, fmtUsd(p.value)),
              h("td", {}, fmtUsd(p.initialMargin)),
              h("td", {}, fmtUsd(p.maintenanceMargin)),
            ),
          ),
        ),
      ),
    ),
    h(
      "div",
      { class: "panel" },
      h("h2", {}, "Flags"),
      report.flags.length
        ? h(
            "ul",
            {},
            report.flags.map((f) => h("li", {}, h("span", { class: `badge ${f.severity}` }, f.code), " ", f.message)),
          )
        : h("p", { class: "muted" }, "none"),
    ),
    h(
      "div",
      { class: "panel", "data-testid": "plans" },
      h("h2", {}, "Rebalancing and liquidation plans (audit)"),
      plans.length
        ? plans.slice(0, 20).map((p) => {
            const r = p.record ?? p;
            return h(
              "details",
              {},
              h(
                "summary",
                {},
                h("span", { class: `badge ${r.kind === "liquidation" ? "critical" : "warning"}` }, r.kind),
                ` ${r.status} · ${r.seen?.asOf?.slice(0, 10) ?? ""} · ${r.trigger?.why ?? ""}`,
              ),
              h("pre", {}, JSON.stringify(r, null, 2)),
            );
          })
        : h("p", { class: "muted" }, policy ? "no plan yet: the account has stayed in its band" : "no policy"),
    ),
  );
}

async function loadAccount(id) {
  const enc = encodeURIComponent(id);
  const [acct, margin, history, plans] = await Promise.all([
    getJson(`/v1/accounts/${enc}`),
    getJson(`/v1/accounts/${enc}/margin`).catch(() => null),
    getJson(`/v1/accounts/${enc}/history?limit=1000`),
    getJson(`/v1/accounts/${enc}/plans?limit=50`),
  ]);
  state.details.set(id, { policy: acct.policy, config: acct.config });
  if (margin) state.reports.set(id, margin.report);
  state.history.set(id, history.history);
  state.plans.set(id, plans.plans);
}

// ---------- routing and live updates ----------

function navigate(hash) {
  if (location.hash !== hash) location.hash = hash;
}

async function render() {
  const m = /^#\/accounts\/(.+)$/.exec(location.hash);
  if (m) {
    const id = decodeURIComponent(m[1]);
    state.route = { name: "account", id };
    accountView(id);
    try {
      await loadAccount(id);
    } catch (err) {
      document
        .getElementById("view")
        .replaceChildren(h("p", {}, h("a", { href: "#/" }, "← accounts")), h("p", {}, String(err.message)));
      return;
    }
    if (state.route.id === id) {
      accountView(id);
      void loadBacktest(id);
    }
  } else {
    state.route = { name: "list", id: null };
    renderList();
  }
}

function onReport(msg) {
  state.reports.set(msg.accountId, msg.report);
  state.accounts.set(msg.accountId, summaryFromReport(msg.accountId, msg.report));
  const rows = state.history.get(msg.accountId);
  if (rows && msg.reason !== "subscribe") {
    const last = rows[rows.length - 1];
    if (!last || last.seq !== msg.seq || msg.reason === "position") {
      rows.push({
        seq: msg.seq,
        asOf: msg.report.asOf,
        equity: msg.report.equity,
        initialMargin: msg.report.initialMargin,
        maintenanceMargin: msg.report.maintenanceMargin,
        freeCollateral: msg.report.freeCollateral,
        healthRatio: msg.report.healthRatio,
      });
    }
  }
  if (state.route.name === "list") updateListRow(msg.accountId);
  else if (state.route.id === msg.accountId) {
    accountView(msg.accountId);
    flash(document.getElementById("cards"));
  }
}

function onMessage(msg) {
  switch (msg.type) {
    case "hello":
      setTick(msg);
      break;
    case "tick":
      setTick(msg);
      setPrices(msg.prices);
      break;
    case "report":
      onReport(msg);
      break;
    case "plan": {
      const list = state.plans.get(msg.accountId);
      if (list) list.unshift({ record: msg.plan });
      const a = state.accounts.get(msg.accountId);
      if (a) a.band = msg.plan.trigger?.to ?? a.band;
      if (state.route.id === msg.accountId) accountView(msg.accountId);
      else if (state.route.name === "list") updateListRow(msg.accountId);
      break;
    }
    case "account-error": {
      const a = state.accounts.get(msg.accountId);
      if (a) {
        a.error = msg.error;
        if (state.route.name === "list") updateListRow(msg.accountId);
      }
      break;
    }
    default:
      break;
  }
}

let retryMs = 500;
function connect() {
  const proto = location.protocol === "https:" ? "wss" : "ws";
  const keyQuery = API_KEY ? `?key=${encodeURIComponent(API_KEY)}` : "";
  const ws = new WebSocket(`${proto}://${location.host}/v1/stream${keyQuery}`);
  ws.addEventListener("open", () => {
    retryMs = 500;
    setConn("open");
    ws.send(JSON.stringify({ type: "subscribe", accounts: ["*"] }));
  });
  ws.addEventListener("message", (ev) => {
    try {
      onMessage(JSON.parse(ev.data));
    } catch (err) {
      console.error("bad stream message", err);
    }
  });
  ws.addEventListener("close", () => {
    setConn("closed");
    setTimeout(connect, retryMs);
    retryMs = Math.min(10_000, retryMs * 2);
  });
}

async function start() {
  const [accounts, markets] = await Promise.all([getJson("/v1/accounts"), getJson("/v1/markets").catch(() => null)]);
  for (const a of accounts.accounts) state.accounts.set(a.accountId, a);
  if (markets) {
    setTick(markets);
    setPrices(markets.prices);
  }
  window.addEventListener("hashchange", () => void render());
  await render();
  connect();
}

void start();
