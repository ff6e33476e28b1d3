/**
 * The fail-safe oracle rule, proven over every model and every example (issue 14, item 3 and 4): removing, staling,
 * future-dating or diverging any one source of a feed the account reads, or any subset of sources short of all (across
 * several feeds at once, stale and divergent combined), never lowers the initial margin and never raises free
 * collateral, on the models alone. The examples' two sources agree exactly, so before the
 * mutation the price is the same whichever source is read; after it, the price may move to the sources left, and the
 * band must more than pay for the move.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeMargin } from "../../src/margin/computeMargin.js";
import { MARGIN_MODEL_NAMES } from "../../src/margin/modelNames.js";
import type { MarketSnapshotInput } from "../../src/schema/marketSnapshot.js";
import type { PortfolioInput } from "../../src/schema/portfolio.js";
import { portfolioSchema } from "../../src/schema/portfolio.js";
import { dependenciesOf } from "../../src/service/liveAccount.js";
import { REPO_ROOT } from "../../src/service/paths.js";
import { expectAtMost } from "./support.js";

type Quote = MarketSnapshotInput["quotes"][number];

const MARKET = JSON.parse(
  readFileSync(join(REPO_ROOT, "examples", "market-2023-06-30.json"), "utf8"),
) as MarketSnapshotInput;
const EXAMPLES = readdirSync(join(REPO_ROOT, "examples", "portfolios"))
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => ({
    name: f,
    portfolio: JSON.parse(readFileSync(join(REPO_ROOT, "examples", "portfolios", f), "utf8")) as PortfolioInput,
  }));

/** Two hours before the market time: past every one-hour heartbeat. */
const STALE = "2023-06-30T22:00:00Z";
/** Ten minutes after the market time: past the 60 s of allowed clock skew. */
const FUTURE = "2023-07-01T00:10:00Z";

/** A change to one quote; `apply: null` removes it. */
type Mutation = { name: string; apply: ((q: Quote) => Quote) | null };
const scaled = (q: Quote, factor: number): Quote => ({ ...q, price: String(Number(q.price) * factor) });
const MUTATIONS: Mutation[] = [
  { name: "removed", apply: null },
  { name: "stale", apply: (q) => ({ ...q, publishedAt: STALE }) },
  { name: "future-dated", apply: (q) => ({ ...q, publishedAt: FUTURE }) },
  { name: "stale with a 1e9 s heartbeat", apply: (q) => ({ ...q, publishedAt: STALE, maxAgeSec: "1000000000" }) },
  ...[0.7, 0.95, 0.99, 1.01, 1.05, 1.3].map((f) => ({ name: `diverging x${f}`, apply: (q: Quote) => scaled(q, f) })),
];

const config = (model: string) => (model === "xchain" ? { model, simulation: { paths: 2000, seed: 7 } } : { model });

/** The model's figures; `withPolicy` adds the default rulebook (docs/rules.md), whose oracle rules add margin. */
function figures(portfolio: PortfolioInput, market: MarketSnapshotInput, model: string, withPolicy = false) {
  const r = computeMargin({ portfolio, market, config: config(model), policy: withPolicy ? {} : false });
  return { im: r.initialMarginUsd, fc: r.freeCollateralUsd, flags: r.flags };
}

/** Indices of the quotes of the feeds an example reads that have more than one source. */
function multiSourceQuotes(portfolio: PortfolioInput): number[] {
  const deps = dependenciesOf(portfolioSchema.parse(portfolio));
  const count = new Map<string, number>();
  for (const q of MARKET.quotes) count.set(q.feed, (count.get(q.feed) ?? 0) + 1);
  return MARKET.quotes
    .map((q, i) => ({ q, i }))
    .filter(({ q }) => deps.has(q.feed.replace("/USD", "")) && (count.get(q.feed) ?? 0) > 1)
    .map(({ i }) => i);
}

function checkAll(model: string, portfolio: PortfolioInput, mutations: readonly Mutation[], withPolicy = false): void {
  const base = figures(portfolio, MARKET, model, withPolicy);
  const targets = multiSourceQuotes(portfolio);
  expect(targets.length).toBeGreaterThan(0);
  for (const i of targets) {
    for (const m of mutations) {
      const quotes = MARKET.quotes.flatMap((q, k) => (k !== i ? [q] : m.apply ? [m.apply(q)] : []));
      const after = figures(portfolio, { ...MARKET, quotes }, model, withPolicy);
      const what = `${m.name} ${MARKET.quotes[i]!.source} ${MARKET.quotes[i]!.feed}`;
      expectAtMost(base.im, after.im, 1e-9, `${what}: IM`);
      expectAtMost(after.fc, base.fc, 1e-9, `${what}: free collateral`);
    }
  }
}

describe("fail-safe oracle rule: losing or diverging sources never lowers margin (every model, every example)", () => {
  for (const model of MARGIN_MODEL_NAMES) {
    for (const { name, portfolio } of EXAMPLES) {
      it(`${model} / ${name}`, { timeout: 120_000 }, () => checkAll(model, portfolio, MUTATIONS));
    }
  }

  it("the default rulebook after the model keeps the rule (delta-hedged options, every model)", () => {
    const book = EXAMPLES.find((e) => e.name === "delta-hedged-options.json")!.portfolio;
    for (const model of MARGIN_MODEL_NAMES) checkAll(model, book, MUTATIONS, true);
  }, 120_000);

  it("removing a source from an ad-hoc snapshot never lowers IM: the one left gets a band (R9; grid, short strangle)", () => {
    const strangle = EXAMPLES.find((e) => e.name === "short-strangle.json")!.portfolio;
    checkAll("grid", strangle, [{ name: "removed", apply: null }]);
  });

  // Harder: every multi-source feed the account reads at once, each keeping one source as it was and every other
  // source removed, stale, future-dated or moved, or stale at a moved price (a stale source's last price diverging).
  const change = fc.oneof(
    fc.constantFrom(...MUTATIONS),
    fc.double({ min: 0.6, max: 1.4, noNaN: true }).map<Mutation>((f) => ({
      name: `stale at x${f}`,
      apply: (q) => ({ ...scaled(q, f), publishedAt: STALE }),
    })),
    fc
      .double({ min: 0.6, max: 1.4, noNaN: true })
      .map<Mutation>((f) => ({ name: `x${f}`, apply: (q) => scaled(q, f) })),
  );
  for (const model of MARGIN_MODEL_NAMES) {
    for (const { name, portfolio } of EXAMPLES) {
      it(`any subset short of all, several feeds at once: ${model} / ${name}`, { timeout: 120_000 }, () => {
        const base = figures(portfolio, MARKET, model);
        const targets = multiSourceQuotes(portfolio);
        const feeds = [...new Set(targets.map((i) => MARKET.quotes[i]!.feed))];
        fc.assert(
          fc.property(
            fc.array(fc.nat(), { minLength: feeds.length, maxLength: feeds.length }),
            fc.array(fc.option(change, { nil: undefined }), { minLength: targets.length, maxLength: targets.length }),
            (keepPick, changes) => {
              // The source each feed keeps untouched; every other target quote takes its change (or none).
              const kept = new Set(
                feeds.map((feed, k) => {
                  const own = targets.filter((i) => MARKET.quotes[i]!.feed === feed);
                  return own[keepPick[k]! % own.length]!;
                }),
              );
              const what: string[] = [];
              const quotes = MARKET.quotes.flatMap((q, i) => {
                const t = targets.indexOf(i);
                const m = t >= 0 && !kept.has(i) ? changes[t] : undefined;
                if (!m) return [q];
                what.push(`${m.name} ${q.source} ${q.feed}`);
                return m.apply ? [m.apply(q)] : [];
              });
              const after = figures(portfolio, { ...MARKET, quotes }, model);
              expectAtMost(base.im, after.im, 1e-9, `${what.join(", ")}: IM`);
              expectAtMost(after.fc, base.fc, 1e-9, `${what.join(", ")}: free collateral`);
            },
          ),
          { numRuns: model === "xchain" ? 15 : 40, seed: 14 },
        );
      });
    }
  }

  it("a future-dated quote has its own flag, not 'stale'", () => {
    const quotes = MARKET.quotes.map((q) =>
      q.source === "pyth" && q.feed === "BTC/USD" ? { ...q, publishedAt: FUTURE } : q,
    );
    const strangle = EXAMPLES.find((e) => e.name === "short-strangle.json")!.portfolio;
    const { flags } = figures(strangle, { ...MARKET, quotes }, "grid");
    const btc = flags.filter((f) => f.message.startsWith("BTC/USD"));
    expect(btc.map((f) => `${f.code}:${f.severity}`)).toEqual(["ORACLE_FUTURE_DATED:warning"]);
  });
});
