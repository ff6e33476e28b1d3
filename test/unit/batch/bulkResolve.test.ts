import { describe, expect, it } from "vitest";
import { generateAccounts } from "../../../bench/generateAccounts.js";
import { generatePortfolio } from "../../../bench/generatePortfolio.js";
import { XmarginError } from "../../../src/core/errors.js";
import { BatchGridEngine } from "../../../src/margin/batch/batchGridEngine.js";
import { onboardAccounts } from "../../../src/margin/batch/onboardAccounts.js";
import { computeGridPm } from "../../../src/margin/gridPm/computeGridPm.js";
import type { GridPmConfig } from "../../../src/margin/gridPm/config.js";
import { resolveMarginConfig } from "../../../src/margin/resolveConfig.js";
import { portfolioSchema } from "../../../src/schema/portfolio.js";
import { isCertainlyValidPortfolio } from "../../../src/schema/portfolioCheck.js";
import { exampleMarket } from "../../support/exampleMarket.js";

const MARKET = exampleMarket();
const CONFIG = resolveMarginConfig({ model: "grid" }) as GridPmConfig;

const perp = { kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "ETH", size: "2" };
const option = {
  kind: "option",
  chain: "ethereum",
  venue: "lyra",
  underlying: "BTC",
  size: "-1.5",
  expiry: "2023-09-29T08:00:00Z",
  strike: "32000",
  optionType: "call",
};
const future = { kind: "future", chain: "ethereum", venue: "dydx", underlying: "ETH", size: "3", expiry: "2023-12-28" };
const usdc = { chain: "ethereum", token: "USDC", amount: "1000.5" };
const base = { accountId: "acct-1", holdings: [usdc], positions: [perp, option] };
/** A list with a hole at 1 (no JSON has one, but a JS caller can pass it). */
const SPARSE: unknown[] = [];
SPARSE[0] = usdc;
SPARSE[2] = usdc;

/** One valid document with one field changed (`undefined` removes it). */
function withField(listName: "holdings" | "positions" | undefined, index: number, field: string, value: unknown) {
  const doc = structuredClone(base) as Record<string, unknown>;
  const target = listName === undefined ? doc : (doc[listName] as Array<Record<string, unknown>>)[index]!;
  if (value === undefined) delete target[field];
  else target[field] = value;
  return doc;
}

/**
 * Documents every path must refuse: each schema rule (key, type, pattern, length, refinement, list size, strictness)
 * and each resolution rule (unknown chain, token or underlying, decimals finer than the token's, an unpriced borrow,
 * a derivative on USD, an option without a vol surface, duplicate ids).
 */
const BAD: Array<[string, unknown]> = [
  ["not an object", 42],
  ["null", null],
  ["an array", [base]],
  ["no accountId", withField(undefined, 0, "accountId", undefined)],
  ["accountId with a space", withField(undefined, 0, "accountId", "acct 1")],
  ["accountId of 65 characters", withField(undefined, 0, "accountId", "a".repeat(65))],
  ["empty accountId", withField(undefined, 0, "accountId", "")],
  ["unknown top-level key", { ...base, owner: "me" }],
  ["description of 501 characters", { ...base, description: "x".repeat(501) }],
  ["description a number", { ...base, description: 5 }],
  ["holdings not a list", { ...base, holdings: { 0: usdc } }],
  ["10,001 holdings", { ...base, holdings: Array.from({ length: 10_001 }, () => usdc) }],
  ["holding without amount", withField("holdings", 0, "amount", undefined)],
  ["holding with both amounts", withField("holdings", 0, "amountRaw", "1000")],
  ["holding amount in exponent form", withField("holdings", 0, "amount", "1e3")],
  ["holding amount a number", withField("holdings", 0, "amount", 1000)],
  ["holding amount of 101 characters", withField("holdings", 0, "amount", "1".repeat(101))],
  [
    "holding amountRaw with a fraction",
    { ...base, holdings: [{ chain: "ethereum", token: "USDC", amountRaw: "1.5" }] },
  ],
  ["holding chain in capitals", withField("holdings", 0, "chain", "Ethereum")],
  ["holding token with a space", withField("holdings", 0, "token", "US DC")],
  ["holding unknown key", withField("holdings", 0, "note", "x")],
  ["holding not an object", { ...base, holdings: ["USDC"] }],
  ["sparse holdings", { ...base, holdings: SPARSE }],
  ["position without kind", withField("positions", 0, "kind", undefined)],
  ["position of unknown kind", withField("positions", 0, "kind", "swap")],
  ["size 0", withField("positions", 0, "size", "0")],
  ["size -0", withField("positions", 0, "size", "-0.0")],
  ["size with a plus sign", withField("positions", 0, "size", "+2")],
  ["size with a leading zero", withField("positions", 0, "size", "02")],
  ["perp entry price 0", withField("positions", 0, "entryPrice", "0")],
  ["perp funding not a decimal", withField("positions", 0, "fundingAccruedUsd", "lots")],
  ["perp with an expiry", withField("positions", 0, "expiry", "2023-09-29T08:00:00Z")],
  ["perp underlying in lower case", withField("positions", 0, "underlying", "eth")],
  ["perp venue missing", withField("positions", 0, "venue", undefined)],
  ["position id with a space", withField("positions", 0, "id", "my perp")],
  ["option strike negative", withField("positions", 1, "strike", "-1")],
  ["option strike 0", withField("positions", 1, "strike", "0.000")],
  ["option type straddle", withField("positions", 1, "optionType", "straddle")],
  ["option expiry without zone", withField("positions", 1, "expiry", "2023-09-29T08:00:00")],
  ["option expiry not a date", withField("positions", 1, "expiry", "2023-13-01T08:00:00Z")],
  ["option without strike", withField("positions", 1, "strike", undefined)],
  ["option with funding", withField("positions", 1, "fundingAccruedUsd", "1")],
  ["future without expiry", { ...base, positions: [{ ...future, expiry: undefined }] }],
  ["future expiry a number", { ...base, positions: [{ ...future, expiry: 20231228 }] }],
  ["unknown holding chain", withField("holdings", 0, "chain", "fantom")],
  ["unknown holding token", withField("holdings", 0, "token", "NOPE")],
  ["holding finer than the token's decimals", withField("holdings", 0, "amount", "1.1234567")],
  [
    "raw amount finer than nothing (fine) but the token unknown",
    { ...base, holdings: [{ chain: "solana", token: "BONK", amountRaw: "5" }] },
  ],
  ["an unpriced borrow", { ...base, holdings: [{ chain: "base", token: "cbETH", amount: "-1" }] }],
  ["an unpriced borrow in raw units", { ...base, holdings: [{ chain: "solana", token: "mSOL", amountRaw: "-1000" }] }],
  ["unknown position chain", withField("positions", 0, "chain", "fantom")],
  ["unknown underlying", withField("positions", 0, "underlying", "DOGE")],
  ["derivative on USD", withField("positions", 0, "underlying", "USD")],
  ["option on an underlying without a vol surface", withField("positions", 1, "underlying", "LINK")],
  [
    "duplicate position ids",
    {
      ...base,
      positions: [
        { ...perp, id: "x" },
        { ...option, id: "x" },
      ],
    },
  ],
  ["a position named like a holding", { ...base, positions: [{ ...perp, id: "h0" }] }],
  ["a position named like a later one", { ...base, positions: [{ ...perp, id: "p1" }, option] }],
];

/** The error `fn` throws, as { path, message, code }; null when it throws nothing. */
function failure(fn: () => unknown): { path: string | undefined; message: string; code: string } | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (!(e instanceof XmarginError)) throw e;
    return { path: e.path, message: e.message, code: e.code };
  }
}

describe("bulk resolve (BatchGridEngine.fromDocuments): the per-document path's rules and errors", () => {
  const good = generateAccounts(30, 8);

  it.each(BAD)("refuses %s exactly as the per-document path does", (_name, bad) => {
    const index = 7;
    const docs = [...good.slice(0, index), bad, ...good.slice(index)];
    const perDocument = failure(() => onboardAccounts(docs, MARKET, 100));
    expect(perDocument, "the per-document path must refuse it").not.toBeNull();
    expect(perDocument!.path?.startsWith("$[107]")).toBe(true);
    const bulk = failure(() => BatchGridEngine.fromDocuments(docs, MARKET, CONFIG, {}, 100));
    expect(bulk).toEqual(perDocument);
    // The compiled check never vouches for a document zod refuses.
    if (!portfolioSchema.safeParse(bad).success) expect(isCertainlyValidPortfolio(bad)).toBe(false);
  });

  it("vouches for every generated document (so the bulk path does not fall back to zod for them)", () => {
    for (const d of [...good, ...generateAccounts(200, 99)]) expect(isCertainlyValidPortfolio(d)).toBe(true);
  });

  it("accepts what zod accepts even where its check is stricter (a class instance, an explicit undefined)", () => {
    class Doc {
      constructor(
        readonly accountId: string,
        readonly positions: unknown[],
      ) {}
    }
    const odd = [new Doc("odd-1", [perp]), { ...base, accountId: "odd-2", description: undefined }];
    expect(isCertainlyValidPortfolio(odd[0])).toBe(false);
    const bulk = BatchGridEngine.fromDocuments(odd, MARKET, CONFIG);
    const twoStep = new BatchGridEngine(onboardAccounts(odd, MARKET), MARKET, CONFIG);
    bulk.computeAll();
    twoStep.computeAll();
    expect(bulk.accountIds).toEqual(["odd-1", "odd-2"]);
    expect([...bulk.initialMarginUsd]).toEqual([...twoStep.initialMarginUsd]);
  });

  it("asks no haircut of an unpriced holding, as the two-step path drops it first", () => {
    // cbETH on base has no price in the example market; a config without an "lst" haircut must not refuse it.
    const { lst: _lst, ...haircutByKind } = CONFIG.haircutByKind;
    const config = { ...CONFIG, haircutByKind } as GridPmConfig;
    const docs = [
      { accountId: "a", holdings: [{ chain: "base", token: "cbETH", amount: "2" }, usdc], positions: [perp] },
    ];
    const twoStep = new BatchGridEngine(onboardAccounts(docs, MARKET), MARKET, config);
    const bulk = BatchGridEngine.fromDocuments(docs, MARKET, config);
    twoStep.computeAll();
    bulk.computeAll();
    expect([...bulk.initialMarginUsd]).toEqual([...twoStep.initialMarginUsd]);
    expect([...bulk.collateralValueUsd]).toEqual([...twoStep.collateralValueUsd]);
    // A priced holding of that kind still needs its haircut on both paths.
    const priced = [{ accountId: "b", holdings: [{ chain: "ethereum", token: "wstETH", amount: "1" }] }];
    const perDocument = failure(() => new BatchGridEngine(onboardAccounts(priced, MARKET), MARKET, config));
    expect(perDocument?.message).toMatch(/no haircut for token kind lst/);
    expect(failure(() => BatchGridEngine.fromDocuments(priced, MARKET, config))?.message).toMatch(
      /no haircut for token kind lst/,
    );
  });

  it("gives the two-step path's figures bit for bit on edge cases (expired, unpriced, raw amounts, named ids)", () => {
    const edge = [
      base,
      { accountId: "expired", positions: [{ ...option, expiry: "2023-06-01T00:00:00Z" }, perp] },
      {
        accountId: "unpriced-collateral",
        holdings: [{ chain: "base", token: "cbETH", amount: "2" }, usdc],
        positions: [perp],
      },
      {
        accountId: "raw",
        holdings: [
          { chain: "ethereum", token: "WETH", amountRaw: "1500000000000000000" },
          { chain: "arbitrum", token: "USDC.e", amountRaw: "-2500000" },
          { chain: "ethereum", token: "USDC", amount: "-0" },
        ],
        positions: [{ ...perp, fundingAccruedUsd: "-12.5", entryPrice: "1800" }, future],
      },
      {
        accountId: "named",
        holdings: [usdc],
        positions: [
          { ...perp, id: "hedge" },
          { ...option, id: "call-1" },
        ],
      },
      { accountId: "linear-link", positions: [{ ...perp, underlying: "LINK", chain: "ethereum" }] },
      { accountId: "empty" },
      { ...generatePortfolio(40, 3), accountId: "free-strikes" },
    ];
    const bulk = BatchGridEngine.fromDocuments(edge, MARKET, CONFIG);
    const twoStep = new BatchGridEngine(onboardAccounts(edge, MARKET), MARKET, CONFIG);
    bulk.computeAll();
    twoStep.computeAll();
    expect(bulk.accountIds).toEqual(edge.map((d) => d.accountId));
    expect([...bulk.initialMarginUsd]).toEqual([...twoStep.initialMarginUsd]);
    expect([...bulk.maintenanceMarginUsd]).toEqual([...twoStep.maintenanceMarginUsd]);
    expect([...bulk.collateralValueUsd]).toEqual([...twoStep.collateralValueUsd]);
    expect(bulk.shape()).toEqual(twoStep.shape());
    // And each is the one-account report's (an independent path: computeGridPm over its resolved portfolio).
    onboardAccounts(edge, MARKET).forEach((p, a) => {
      const report = computeGridPm(p, MARKET, CONFIG);
      expect(bulk.initialMarginUsd[a], p.accountId).toBe(report.initialMarginUsd);
      expect(bulk.collateralValueUsd[a], p.accountId).toBe(report.collateralValueUsd);
    });
    // The expired option is settled cash (its intrinsic value), the unpriced collateral counts for nothing.
    expect(bulk.explain(1).groups.map((g) => g.underlying)).toEqual(["ETH"]);
    const unpriced = bulk.collateralValueUsd[2]!;
    const onlyUsdc = BatchGridEngine.fromDocuments(
      [{ accountId: "u", holdings: [usdc], positions: [perp] }],
      MARKET,
      CONFIG,
    );
    onlyUsdc.computeAll();
    expect(unpriced).toBe(onlyUsdc.collateralValueUsd[0]);
  });
});
