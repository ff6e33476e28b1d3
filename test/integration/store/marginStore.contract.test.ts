/**
 * The MarginStore contract: one suite, run against the embedded SQLite store and a private PostgreSQL server. Every
 * expected value is written out by hand from the rows the test itself stores.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { XmarginError } from "../../../src/core/errors.js";
import { shardOf } from "../../../src/store/bus/shardOf.js";
import type {
  AccountWrite,
  MarginSnapshotWrite,
  MarginStore,
  PolicyAuditWrite,
} from "../../../src/store/marginStore.js";
import { sqliteMigrations } from "../../../src/store/migrations.js";
import { openStore } from "../../../src/store/openStore.js";
import { postgresMigrations } from "../../../src/store/postgresMigrations.js";
import { StoreUnavailableError } from "../../../src/store/storeUnavailableError.js";
import { type PostgresServer, postgresSkipReason, startPostgres } from "../../support/postgresServer.js";
import { usePostgres } from "../../support/usePostgres.js";

/** One kind of store under test: how to get a fresh empty store URL, and its latest schema version. */
interface StoreKind {
  name: string;
  skip: string | undefined;
  latestVersion: number;
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
  freshUrl(): Promise<string>;
}

const dirs: string[] = [];
let counter = 0;
const sqlite: StoreKind = {
  name: "SQLite",
  skip: undefined,
  latestVersion: sqliteMigrations.at(-1)!.version,
  async setUp() {},
  async tearDown() {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  },
  async freshUrl() {
    const dir = mkdtempSync(join(tmpdir(), "xmargin-contract-"));
    dirs.push(dir);
    return `sqlite:${join(dir, "store.db")}`;
  },
};

let server: PostgresServer | undefined;
const postgres: StoreKind = {
  name: "PostgreSQL",
  skip: postgresSkipReason(),
  latestVersion: postgresMigrations.at(-1)!.version,
  async setUp() {
    server = await startPostgres();
  },
  async tearDown() {
    await server?.stop();
  },
  async freshUrl() {
    return server!.createDatabase(`contract_${++counter}`);
  },
};

if (postgres.skip) console.warn(`MarginStore contract on PostgreSQL skipped: ${postgres.skip}`);

const account = (id: string, n = 1, policy: unknown = null): AccountWrite => ({
  accountId: id,
  portfolio: { accountId: id, holdings: [{ chain: "ethereum", token: "ETH", amount: `${n}` }], positions: [] },
  config: { model: "grid" },
  policy,
  updatedAt: `2026-01-01T00:00:0${n}Z`,
});

const tick = (seq: number, ethUsd: number) => ({
  seq,
  asOf: new Date(Date.UTC(2023, 6, seq)).toISOString(),
  source: `replay ${seq}`,
  snapshot: { seq },
  prices: [
    { symbol: "ETH", priceUsd: ethUsd, uncertaintyUsd: 0.5, flags: [] },
    { symbol: "BTC", priceUsd: 30_000 + seq, uncertaintyUsd: 1, flags: ["stale"] },
  ],
});

const margin = (accountId: string, seq: number, version = 1, im = seq * 10): MarginSnapshotWrite => ({
  accountId,
  seq,
  asOf: `t${seq}`,
  model: "grid",
  accountVersion: version,
  equityUsd: 1000,
  initialMarginUsd: im,
  maintenanceMarginUsd: im / 2,
  freeCollateralUsd: 1000 - im,
  healthRatio: seq === 1 ? null : 1000 / (im / 2),
  reason: "tick",
  report: { accountId, seq, version, im },
});

const audit = (kind: PolicyAuditWrite["kind"], accountId: string | null, n: number): PolicyAuditWrite => ({
  at: `t${n}`,
  kind,
  actor: "admin:x",
  rulebook: `default@v${n}`,
  accountId,
  detail: { n },
});

describe.each([sqlite, postgres])("MarginStore contract: $name", (kind) => {
  const open: MarginStore[] = [];
  const fresh = async (): Promise<{ store: MarginStore; url: string }> => {
    const url = await kind.freshUrl();
    const store = await openStore(url);
    open.push(store);
    return { store, url };
  };

  beforeAll(async () => {
    if (!kind.skip) await kind.setUp();
  }, 60_000);
  afterAll(async () => {
    for (const s of open) await s.close();
    if (!kind.skip) await kind.tearDown();
  });

  describe.skipIf(kind.skip !== undefined)("every method", () => {
    it("migrates an empty database to the latest version; reopening applies nothing and keeps the data", async () => {
      const { store, url } = await fresh();
      expect(store.schemaVersion).toBe(kind.latestVersion);
      await store.putAccount(account("a1"));
      await store.close();
      const again = await openStore(url);
      open.push(again);
      expect(again.schemaVersion).toBe(kind.latestVersion);
      expect((await again.getAccount("a1"))?.version).toBe(1);
      expect(await again.countAccounts()).toBe(1);
    });

    it("putAccount: version 1, +1 per write; documents round-trip; unknown id is undefined", async () => {
      const { store } = await fresh();
      expect(await store.putAccount(account("a1", 1))).toEqual({
        accountId: "a1",
        portfolio: account("a1", 1).portfolio,
        config: { model: "grid" },
        policy: null,
        version: 1,
        updatedAt: "2026-01-01T00:00:01Z",
      });
      const second = await store.putAccount(account("a1", 2, { targetHealth: { min: 1.2, max: 3 } }));
      expect(second.version).toBe(2);
      expect(await store.getAccount("a1")).toEqual(second);
      expect((await store.getAccount("a1"))?.policy).toEqual({ targetHealth: { min: 1.2, max: 3 } });
      expect(await store.getAccount("nobody")).toBeUndefined();
    });

    it("putAccounts: one transaction, rows in the order given; a repeated id rejects the batch naming it", async () => {
      const { store } = await fresh();
      await store.putAccount(account("b"));
      const rows = await store.putAccounts([account("c"), account("b", 2), account("a")]);
      expect(rows.map((r) => [r.accountId, r.version])).toEqual([
        ["c", 1],
        ["b", 2],
        ["a", 1],
      ]);
      const err = await store.putAccounts([account("x"), account("y"), account("x")]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(XmarginError);
      expect((err as XmarginError).path).toBe("$[2].accountId");
      expect(await store.getAccount("x")).toBeUndefined();
      expect(await store.putAccounts([])).toEqual([]);
    });

    it("importAccounts: one transaction, counted, stored as putAccounts stores them; a repeated id writes nothing", async () => {
      const { store } = await fresh();
      expect(await store.importAccounts([account("b"), account("a", 2)])).toBe(2);
      expect(await store.getAccount("a")).toEqual({ ...account("a", 2), version: 1 });
      expect(await store.importAccounts([account("a", 3)])).toBe(1);
      expect((await store.getAccount("a"))?.version).toBe(2);
      await expect(store.importAccounts([account("c"), account("c")])).rejects.toThrow(/c/);
      expect(await store.getAccount("c")).toBeUndefined();
      expect(await store.importAccounts([])).toBe(0);
    });

    it("listAccounts in byte order of the id, whole or by pages; countAccounts", async () => {
      const { store } = await fresh();
      const ids = ["acct-9", "acct-10", "B", "a", "acct-1"];
      await store.putAccounts(ids.map((id) => account(id)));
      // Byte order: upper case before lower case, "acct-1" < "acct-10" < "acct-9".
      const sorted = ["B", "a", "acct-1", "acct-10", "acct-9"];
      expect((await store.listAccounts()).map((r) => r.accountId)).toEqual(sorted);
      const page1 = await store.listAccounts({ limit: 2 });
      const page2 = await store.listAccounts({ afterId: page1.at(-1)!.accountId, limit: 2 });
      const page3 = await store.listAccounts({ afterId: page2.at(-1)!.accountId, limit: 2 });
      expect([page1, page2, page3].map((p) => p.map((r) => r.accountId))).toEqual([
        ["B", "a"],
        ["acct-1", "acct-10"],
        ["acct-9"],
      ]);
      expect(await store.countAccounts()).toBe(5);
    });

    it("recordTick: latest market and price history (oldest first, latest `limit`); written once per seq; never moves back", async () => {
      const { store } = await fresh();
      expect(await store.latestMarket()).toBeUndefined();
      for (const [seq, px] of [
        [1, 1900],
        [2, 1950],
        [3, 1925.5],
      ] as const) {
        await store.recordTick(tick(seq, px));
      }
      expect(await store.latestMarket()).toEqual({
        seq: 3,
        asOf: "2023-07-03T00:00:00.000Z",
        source: "replay 3",
        snapshot: { seq: 3 },
      });
      expect(await store.priceHistory("ETH", 10)).toEqual([
        { seq: 1, asOf: "2023-07-01T00:00:00.000Z", priceUsd: 1900, uncertaintyUsd: 0.5 },
        { seq: 2, asOf: "2023-07-02T00:00:00.000Z", priceUsd: 1950, uncertaintyUsd: 0.5 },
        { seq: 3, asOf: "2023-07-03T00:00:00.000Z", priceUsd: 1925.5, uncertaintyUsd: 0.5 },
      ]);
      expect((await store.priceHistory("BTC", 2)).map((p) => p.priceUsd)).toEqual([30_002, 30_003]);
      // A retried tick (same seq) writes nothing new; a late older tick does not replace the latest market.
      await store.recordTick(tick(3, 9999));
      expect((await store.priceHistory("ETH", 1))[0]!.priceUsd).toBe(1925.5);
      await store.recordTick({ ...tick(0, 1800), asOf: "2023-06-30T00:00:00.000Z" });
      expect((await store.latestMarket())?.seq).toBe(3);
      expect(await store.priceHistory("ETH", 10)).toHaveLength(4);
    });

    it("recordTick is one transaction: a bad price leaves no tick and no price behind", async () => {
      const { store } = await fresh();
      await store.recordTick(tick(1, 1900));
      const bad = tick(2, 1950);
      bad.prices[1] = { ...bad.prices[1]!, priceUsd: null as unknown as number };
      await expect(store.recordTick(bad)).rejects.toThrow();
      expect((await store.latestMarket())?.seq).toBe(1);
      expect(await store.priceHistory("ETH", 10)).toHaveLength(1);
    });

    it("recordMargins: write-once per (account, seq, version); counts new rows; latest report never moves back", async () => {
      const { store } = await fresh();
      const batch = [margin("a", 1), margin("b", 1), margin("a", 2)];
      expect(await store.recordMargins(batch)).toBe(3);
      // The same batch again (a redelivered work item): nothing new.
      expect(await store.recordMargins(batch)).toBe(0);
      expect(await store.recordMargins([margin("a", 2, 1, 999)])).toBe(0);
      expect((await store.marginHistory("a", 10)).map((r) => [r.seq, r.initialMarginUsd])).toEqual([
        [1, 10],
        [2, 20],
      ]);
      // A new account version at the same tick is a new report.
      expect(await store.recordMargins([margin("a", 2, 2, 25)])).toBe(1);
      expect(await store.latestReport("a")).toEqual({
        seq: 2,
        accountVersion: 2,
        report: { accountId: "a", seq: 2, version: 2, im: 25 },
      });
      // The same key recomputed with another result (a new rulebook at the same tick): the history row stays as
      // first written, the latest report is the new one.
      expect(await store.recordMargins([margin("a", 2, 2, 26)])).toBe(0);
      expect((await store.marginHistory("a", 1))[0]?.initialMarginUsd).toBe(25);
      expect((await store.latestReport("a"))?.report).toEqual({ accountId: "a", seq: 2, version: 2, im: 26 });
      // A late row for an older tick is kept in history but does not replace the latest report.
      expect(await store.recordMargins([margin("b", 0)])).toBe(1);
      expect((await store.latestReport("b"))?.seq).toBe(1);
      expect(await store.latestReport("nobody")).toBeUndefined();
      expect(await store.latestReportSeqs()).toEqual(
        new Map([
          ["a", 2],
          ["b", 1],
        ]),
      );
      expect(await store.latestReportSeqs(["b", "nobody"])).toEqual(new Map([["b", 1]]));
      expect(await store.recordMargins([])).toBe(0);
    });

    it("marginHistory: the row's figures as written, oldest first, the latest `limit` rows", async () => {
      const { store } = await fresh();
      await store.recordMargins([1, 2, 3, 4].map((seq) => margin("a", seq)));
      const rows = await store.marginHistory("a", 2);
      const { report: _report, ...third } = margin("a", 3);
      expect(rows[0]).toEqual(third);
      expect(rows.map((r) => r.seq)).toEqual([3, 4]);
      expect((await store.marginHistory("a", 10))[0]!.healthRatio).toBeNull();
      expect(await store.marginHistory("nobody", 10)).toEqual([]);
    });

    it("recordMargins is one transaction: a bad row in the middle of a batch writes nothing", async () => {
      const { store } = await fresh();
      await store.recordMargins([margin("a", 1)]);
      const bad = { ...margin("c", 2), model: null as unknown as string };
      await expect(store.recordMargins([margin("a", 2), bad, margin("b", 2)])).rejects.toThrow();
      expect((await store.marginHistory("a", 10)).map((r) => r.seq)).toEqual([1]);
      expect(await store.marginHistory("b", 10)).toEqual([]);
      expect((await store.latestReport("a"))?.seq).toBe(1);
    });

    it("recordMargins takes a batch of 2,000 accounts in one call", async () => {
      const { store } = await fresh();
      const rows = Array.from({ length: 2000 }, (_, i) => margin(`acct-${i}`, 7, 1, i));
      // Control characters in a report (the PostgreSQL store joins a batch's reports with U+001E) round-trip.
      rows[1] = { ...rows[1]!, report: { note: "a\u001eb\u0000c\n" } };
      expect(await store.recordMargins(rows)).toBe(2000);
      expect((await store.latestReport("acct-1"))?.report).toEqual({ note: "a\u001eb\u0000c\n" });
      expect((await store.latestReport("acct-2"))?.report).toEqual(rows[2]!.report);
      expect((await store.latestReportSeqs()).size).toBe(2000);
      expect((await store.marginHistory("acct-1234", 1))[0]?.initialMarginUsd).toBe(1234);
    });

    it("recordMargins stores a row's given reportText as its report (serialised once by the writer), not as a column", async () => {
      const { store } = await fresh();
      const row = margin("a", 1);
      // The text wins over the object: proof it is the text that is stored (writers pass JSON.stringify(report)).
      expect(await store.recordMargins([{ ...row, reportText: '{"from":"text"}' }, margin("b", 1)])).toBe(2);
      expect((await store.latestReport("a"))?.report).toEqual({ from: "text" });
      expect((await store.latestReport("b"))?.report).toEqual(margin("b", 1).report);
      const { report: _report, ...figures } = row;
      expect((await store.marginHistory("a", 1))[0]).toEqual(figures);
    });

    it("recordFigures: compact rows, write-once per key, one transaction, latest report untouched", async () => {
      const { store } = await fresh();
      const row = (accountId: string, seq: number, version = 1, im = seq * 10) => {
        const { report: _report, reportText: _text, ...figures } = margin(accountId, seq, version, im);
        return figures;
      };
      expect(await store.recordFigures([row("a", 1), row("b", 1), row("a", 2)])).toBe(3);
      expect(await store.recordFigures([row("a", 2, 1, 999), row("b", 2)])).toBe(1);
      expect(await store.marginHistory("a", 10)).toEqual([row("a", 1), row("a", 2)]);
      expect((await store.marginHistory("a", 10))[0]!.healthRatio).toBeNull();
      expect(await store.latestReport("a")).toBeUndefined();
      const bad = { ...row("c", 3), model: null as unknown as string };
      await expect(store.recordFigures([row("a", 3), bad])).rejects.toThrow();
      expect((await store.marginHistory("a", 10)).map((r) => r.seq)).toEqual([1, 2]);
      const many = Array.from({ length: 2000 }, (_, i) => row(`acct-${i}`, 5, 1, i));
      expect(await store.recordFigures(many)).toBe(2000);
      expect((await store.marginHistory("acct-1999", 1))[0]?.initialMarginUsd).toBe(1999);
      expect(await store.recordFigures([])).toBe(0);
    });

    it("listShardAccounts: exactly the accounts shardOf puts in a shard, in id order, for any shard count", async () => {
      const { store } = await fresh();
      const ids = Array.from({ length: 60 }, (_, i) => `acct-${i}`);
      await store.putAccounts(ids.map((id) => account(id)));
      for (const shards of [16, 5]) {
        const seen: string[] = [];
        for (let k = 0; k < shards; k++) {
          const rows = await store.listShardAccounts(k, shards);
          const got = rows.map((r) => r.accountId);
          expect(got).toEqual(ids.filter((id) => shardOf(id, shards) === k).sort());
          seen.push(...got);
        }
        expect(seen.sort()).toEqual([...ids].sort());
      }
      // A rewritten account keeps its shard.
      await store.putAccount(account("acct-7", 2));
      const k = shardOf("acct-7", 16);
      expect((await store.listShardAccounts(k, 16)).find((r) => r.accountId === "acct-7")?.version).toBe(2);
      await expect(store.listShardAccounts(0, 0)).rejects.toThrow(/shards/);
    });

    it("plans: increasing ids, delivery outcome, newest first with a limit", async () => {
      const { store } = await fresh();
      const plan = (n: number) => ({
        accountId: "a",
        createdAt: `t${n}`,
        seq: n,
        asOf: `d${n}`,
        kind: "rebalance",
        status: "proposed",
        record: { why: `w${n}` },
      });
      const id1 = await store.insertPlan(plan(1));
      const id2 = await store.insertPlan(plan(2));
      const id3 = await store.insertPlan(plan(3));
      expect(id2).toBeGreaterThan(id1);
      expect(id3).toBeGreaterThan(id2);
      await store.setPlanDelivery(id2, "HTTP 200");
      const plans = await store.listPlans("a", 2);
      expect(plans).toEqual([
        { ...plan(3), id: id3, delivery: null },
        { ...plan(2), id: id2, delivery: "HTTP 200" },
      ]);
      expect(await store.listPlans("b", 10)).toEqual([]);
    });

    it("meta: set, overwrite, read; listMeta by prefix only", async () => {
      const { store } = await fresh();
      expect(await store.getMeta("k")).toBeUndefined();
      await store.setMeta("k", "v1");
      await store.setMeta("k", "v2");
      expect(await store.getMeta("k")).toBe("v2");
      await store.setMeta("band:a", "in-band");
      await store.setMeta("band:b", "below-band");
      await store.setMeta("bandit", "x");
      await store.setMeta("%band:", "like-wildcards-are-literal");
      expect(await store.listMeta("band:")).toEqual(
        new Map([
          ["band:a", "in-band"],
          ["band:b", "below-band"],
        ]),
      );
      expect(await store.listMeta("%")).toEqual(new Map([["%band:", "like-wildcards-are-literal"]]));
    });

    it("rulebooks and the audit trail: every version kept; a duplicate version writes neither rulebook nor audit", async () => {
      const { store } = await fresh();
      await store.putRulebook(
        { name: "default", version: 2, document: { v: 2 }, createdAt: "t2", actor: "admin:x" },
        audit("rulebook-put", null, 2),
      );
      await store.putRulebook(
        { name: "default", version: 3, document: { v: 3 }, createdAt: "t3", actor: "admin:y" },
        audit("rulebook-put", null, 3),
      );
      await expect(
        store.putRulebook(
          { name: "default", version: 3, document: {}, createdAt: "t", actor: "a" },
          audit("rulebook-put", null, 9),
        ),
      ).rejects.toThrow();
      await store.appendPolicyAudit([audit("rules-fired", "a1", 4), audit("rules-cleared", "a2", 5)]);
      await store.appendPolicyAudit([]);
      expect(await store.latestRulebook("default")).toEqual({
        name: "default",
        version: 3,
        document: { v: 3 },
        createdAt: "t3",
        actor: "admin:y",
      });
      expect(await store.latestRulebook("other")).toBeUndefined();
      expect((await store.rulebookVersions("default", 10)).map((r) => r.version)).toEqual([3, 2]);
      expect((await store.rulebookVersions("default", 1)).map((r) => r.version)).toEqual([3]);
      expect((await store.policyAudit(10)).map((e) => e.detail)).toEqual([{ n: 5 }, { n: 4 }, { n: 3 }, { n: 2 }]);
      expect((await store.policyAudit(2)).map((e) => e.kind)).toEqual(["rules-cleared", "rules-fired"]);
      const a2 = await store.policyAudit(10, "a2");
      expect(a2).toEqual([{ ...audit("rules-cleared", "a2", 5), id: a2[0]!.id }]);
    });

    it("close is idempotent; a call after close is rejected, not answered", async () => {
      const { store } = await fresh();
      await store.close();
      await store.close();
      await expect(store.getMeta("k")).rejects.toThrow();
    });
  });
});

describe.skipIf(postgres.skip !== undefined)("PostgreSQL store: restart mid-use", () => {
  const server = usePostgres();

  it("fails with a retryable StoreUnavailableError while down, reconnects by itself, loses no acknowledged write", async () => {
    const pg = server();
    const store = await openStore(await pg.createDatabase("restart"), { log: () => {} });
    try {
      const acknowledged: number[] = [];
      for (let seq = 1; seq <= 20; seq++) {
        await store.recordTick(tick(seq, 1900 + seq));
        await store.recordMargins([margin("a", seq), margin("b", seq)]);
        acknowledged.push(seq);
      }
      pg.stopImmediately();
      const err = await store.recordMargins([margin("a", 21)]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreUnavailableError);
      expect((err as StoreUnavailableError).retryable).toBe(true);
      expect((err as StoreUnavailableError).code).toBe("UNAVAILABLE");
      pg.start();
      // The pool replaces its dead connections: the first call after the restart succeeds.
      expect(await store.recordMargins([margin("a", 21)])).toBe(1);
      expect((await store.latestMarket())?.seq).toBe(20);
      expect((await store.priceHistory("ETH", 100)).map((p) => p.seq)).toEqual(acknowledged);
      expect((await store.marginHistory("b", 100)).map((r) => r.seq)).toEqual(acknowledged);
      expect((await store.marginHistory("a", 100)).map((r) => r.seq)).toEqual([...acknowledged, 21]);

      // A restart between two calls (idle connections killed under the pool) costs at most one failed call.
      await pg.restart();
      const outcome = await store.getMeta("k").then(
        () => "ok",
        (e: unknown) => (e instanceof StoreUnavailableError ? "retryable" : `other: ${String(e)}`),
      );
      expect(["ok", "retryable"]).toContain(outcome);
      expect(await store.countAccounts()).toBe(0);
    } finally {
      await store.close();
    }
  });
});
