import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_RULEBOOK } from "../../../src/margin/policy/defaultRulebook.js";
import { type Harness, startHarness, TEST_API_KEY } from "./serviceHarness.js";

/** A key that may read every account but not administer: rulebook edits need an admin key. */
const READER = "reader-key-0123456789abcdef";
const ACCOUNT = "acct-directional-perp-01";

describe("rulebook in the service: versions, admin key, re-margining, audit trail", () => {
  let h: Harness;
  const admin = (body: unknown, key: string | null = TEST_API_KEY) =>
    h.call("/v1/rulebook", { method: "PUT", body, key });
  beforeAll(async () => {
    h = await startHarness({ apiKeys: [TEST_API_KEY, { key: READER, accounts: ["*"] }] });
  });
  afterAll(async () => {
    await h.stop();
  });

  it("a rule added by an admin fires on a live account: its report, the stream's data and the audit trail show it", async () => {
    const active = await h.call("/v1/rulebook");
    expect(active.body.label).toBe("default@v1");
    const before = await h.call(`/v1/accounts/${ACCOUNT}/margin`);
    const imBefore = Number((before.body.report as { initialMargin: string }).initialMargin);

    const next = {
      ...DEFAULT_RULEBOOK,
      version: 2,
      rules: [
        ...DEFAULT_RULEBOOK.rules,
        {
          id: "desk-watch",
          description: "Risk desk watch list: margin x1.5 and an alert",
          when: { "==": [{ var: "account.id" }, ACCOUNT] },
          actions: [
            { kind: "marginMultiplier", factor: 1.5 },
            { kind: "alert", severity: "warning", message: "on the desk's watch list" },
          ],
        },
      ],
    };
    // Without the admin key, with an API key only, or with a stale version: refused.
    expect((await admin(next, null)).status).toBe(401);
    expect((await admin(next, "wrong-key-0123456789abcdef")).status).toBe(401);
    expect((await admin(next, READER)).status).toBe(403);
    const stale = await admin({ ...next, version: 5 });
    expect(stale.status).toBe(409);
    expect((stale.body.error as { path: string }).path).toBe("$.version");
    const bad = await admin({
      ...next,
      rules: [{ ...next.rules.at(-1), when: { "<": [{ var: "account.helth" }, 1] } }],
    });
    expect(bad.status).toBe(400);
    expect((bad.body.error as { path: string }).path).toBe('$.rules[0].when["<"][0].var');

    const put = await admin(next);
    expect(put.status).toBe(200);
    expect(put.body.label).toBe("default@v2");
    expect(put.body.recomputed).toContain(ACCOUNT);

    const after = await h.call(`/v1/accounts/${ACCOUNT}/margin`);
    const report = after.body.report as {
      initialMargin: string;
      policy?: { rulebook: string; fired: Array<{ ruleId: string; effects: string[] }> };
      components: Array<{ name: string; initialMargin: string; detail: string }>;
      flags: Array<{ code: string }>;
    };
    expect(report.policy?.rulebook).toBe("default@v2");
    const watch = report.policy?.fired.find((f) => f.ruleId === "desk-watch");
    expect(watch?.effects).toEqual(expect.arrayContaining(["margin x1.5"]));
    expect(report.components.find((c) => c.name === "policy")?.detail).toContain("desk-watch");
    expect(report.flags.map((f) => f.code)).toEqual(expect.arrayContaining(["POLICY_ALERT"]));
    // The model's own requirement is unchanged (same market), so x1.5 shows up one to one.
    expect(Number(report.initialMargin)).toBeCloseTo(1.5 * imBefore, 0);

    const audit = await h.call(`/v1/policy/audit?limit=50`);
    const entries = audit.body.entries as Array<{
      kind: string;
      actor: string;
      rulebook: string;
      accountId: string | null;
    }>;
    const putEntry = entries.find((e) => e.kind === "rulebook-put");
    expect(putEntry?.rulebook).toBe("default@v2");
    expect(putEntry?.actor).toBe("admin");
    const mine = await h.call(`/v1/policy/audit?account=${ACCOUNT}`);
    const fired = (
      mine.body.entries as Array<{ kind: string; rulebook: string; detail: { fired: Array<{ ruleId: string }> } }>
    )[0]!;
    expect(fired.kind).toBe("rules-fired");
    expect(fired.rulebook).toBe("default@v2");
    expect(fired.detail.fired.map((f) => f.ruleId)).toContain("desk-watch");

    const versions = await h.call("/v1/rulebook/versions");
    expect(versions.body.active).toBe(2);
    expect((versions.body.versions as Array<{ version: number }>).map((v) => v.version)).toEqual([2]);
  }, 60_000);
});
