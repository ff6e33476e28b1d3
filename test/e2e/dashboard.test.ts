import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccountHealthJson, MarketOraclesJson } from "../../src/service/dashboardSchemas.js";
import { type Harness, startHarness, TEST_API_KEY } from "../integration/service/serviceHarness.js";
import { ensureWebBundle } from "../support/webBundle.js";

const CHROMIUM = process.env.XMARGIN_CHROMIUM ?? "/usr/bin/chromium";
const HERE = dirname(fileURLToPath(import.meta.url));
const SCREENSHOTS = join(HERE, "screenshots");
/** With XMARGIN_UPDATE_SCREENSHOTS=1 the README's screenshots (docs/images) are refreshed from this run. */
const DOC_IMAGES = join(HERE, "..", "..", "docs", "images");

/**
 * Waits until the text of `selector` differs from `before`. Polled from the test, not in the page: the dashboard's CSP
 * forbids eval, which Playwright's string predicates need once they poll inside the page.
 */
function waitForTextChange(page: Page, selector: string, before: string) {
  return expect.poll(() => page.locator(selector).textContent(), { timeout: 15_000 }).not.toBe(before);
}

/** USD as the dashboard prints it: thousands separated, cents only below 1,000. */
function usdText(s: string): string {
  const v = Number(s);
  const digits = Math.abs(v) >= 1000 ? 0 : 2;
  return v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A number printed by the dashboard ("1,234", "+56.78", "-9,000") back as a number. */
const parseShown = (s: string | null) => Number((s ?? "").replace(/[,+\s]/g, ""));

/** The dashboard in a real headless Chromium against the real service on loopback. */
describe.skipIf(!existsSync(CHROMIUM))("dashboard in headless Chromium", () => {
  let h: Harness;
  let browser: BrowserContext;
  let profile: string;
  const pageErrors: string[] = [];

  async function open(path: string, width = 1400, height = 1000): Promise<Page> {
    const page = await browser.newPage();
    await page.setViewportSize({ width, height });
    page.on("pageerror", (e) => pageErrors.push(e.message));
    // The key in the address (the page keeps it and removes it), so each test also runs on its own.
    await page.goto(`${h.url}/?key=${TEST_API_KEY}${path.replace(/^\//, "")}`);
    return page;
  }

  function keep(file: string): void {
    if (process.env.XMARGIN_UPDATE_SCREENSHOTS !== "1") return;
    mkdirSync(DOC_IMAGES, { recursive: true });
    copyFileSync(join(SCREENSHOTS, file), join(DOC_IMAGES, file));
  }

  beforeAll(async () => {
    ensureWebBundle();
    h = await startHarness();
    // A few replayed days first, so the margin-history chart has a line.
    for (let i = 0; i < 5; i++) expect((await h.call("/v1/feed/step", { method: "POST" })).status).toBe(200);
    profile = mkdtempSync(join(tmpdir(), "xmargin-chromium-"));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it("lists the accounts with totals, sorts and filters them, and updates live on a replayed tick", async () => {
    const outside: string[] = [];
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1400, height: 900 });
    page.on("pageerror", (e) => pageErrors.push(e.message));
    page.on("request", (r) => {
      if (!r.url().startsWith(h.url) && !r.url().startsWith(h.url.replace("http", "ws"))) outside.push(r.url());
    });
    await page.goto(`${h.url}/?key=${TEST_API_KEY}`);
    const rows = page.locator('[data-testid="accounts-table"] tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(7);
    await page.locator("#conn[data-state='open']").waitFor();

    // Totals: the sum of the accounts' equity from the API, formatted as the page formats USD.
    const list = (await h.call("/v1/accounts")).body as { accounts: Array<{ accountId: string; equity: string }> };
    const equitySum = list.accounts.reduce((s, a) => s + Number(a.equity), 0);
    const totals = page.locator('[data-testid="accounts-totals"] th');
    expect(await totals.nth(2).textContent()).toBe(usdText(String(equitySum)));

    // Distance to liquidation: the perp account's is the API's nearest level.
    const health = (await h.call("/v1/accounts/acct-directional-perp-01/health")).body as unknown as AccountHealthJson;
    const distance = page.locator('[data-testid="distance-acct-directional-perp-01"]');
    await expect.poll(() => distance.textContent(), { timeout: 15_000 }).not.toContain("…");
    expect(await distance.textContent()).toBe(`${(Number(health.distanceToLiquidation) * 100).toFixed(1)}%`);

    // Sorting by equity (descending on the second click) puts the largest equity first.
    await page.locator('th[data-sort="equity"]').click();
    await page.locator('th[data-sort="equity"]').click();
    const richest = [...list.accounts].sort((a, b) => Number(b.equity) - Number(a.equity))[0]!;
    expect(await rows.first().getAttribute("data-account")).toBe(richest.accountId);
    // The filter keeps the matching rows only.
    await page.locator('[data-testid="accounts-filter"]').fill("strangle");
    expect(await rows.count()).toBe(1);
    await page.locator('[data-testid="accounts-filter"]').fill("");
    expect(await rows.count()).toBe(7);

    const asOfBefore = (await page.locator('[data-testid="market-asof"]').textContent()) ?? "";
    const healthBefore = (await page.locator('[data-testid="health-acct-directional-perp-01"]').textContent()) ?? "";
    expect(Number(healthBefore)).toBeGreaterThan(1);
    expect((await h.call("/v1/feed/step", { method: "POST" })).status).toBe(200);
    await waitForTextChange(page, '[data-testid="market-asof"]', asOfBefore);
    await waitForTextChange(page, '[data-testid="health-acct-directional-perp-01"]', healthBefore);
    await page.screenshot({ path: join(SCREENSHOTS, "accounts.png"), fullPage: true });
    keep("accounts.png");
    expect(outside).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it("shows the account's liquidation price, per-chain figures and greeks; the what-if panel changes a number", async () => {
    const id = "acct-directional-perp-01";
    const page = await open(`/#/accounts/${id}`, 1400, 1200);
    const health = (await h.call(`/v1/accounts/${id}/health`)).body as unknown as AccountHealthJson;
    const down = health.underlyings.find((u) => u.underlying === "BTC")!.down!;
    const liq = page.locator('[data-testid="liq-BTC-down"]');
    await liq.waitFor({ timeout: 15_000 });
    expect(await liq.textContent()).toBe(usdText(down.price));
    expect(await page.locator('[data-testid="by-chain"] tbody tr').count()).toBeGreaterThan(0);
    await page.locator('[data-testid="greeks"] tbody tr[data-underlying="BTC"]').waitFor();
    // uPlot draws on canvas: the history chart has one.
    expect(await page.locator('[data-testid="history-chart"] canvas').count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, "account.png"), fullPage: false });
    keep("account.png");

    // What-if: BTC -20%. The after/change cells are the service's answer for the same document.
    const panel = page.locator('[data-testid="whatif"]');
    await page.locator('[data-testid="whatif-underlying"]').selectOption("BTC");
    await page.locator('[data-testid="whatif-spot"]').fill("-20");
    await page.locator('[data-testid="whatif-run"]').click();
    await page.locator('[data-testid="whatif-result"]').waitFor({ timeout: 15_000 });
    const before = parseShown(await page.locator('[data-testid="whatif-before-equity"]').textContent());
    const after = parseShown(await page.locator('[data-testid="whatif-after-equity"]').textContent());
    const change = parseShown(await page.locator('[data-testid="whatif-diff-equity"]').textContent());
    expect(after).not.toBe(before);
    // A 10 BTC long loses 10 x 20% x spot (the perp's value is linear in spot); the page rounds to whole USD.
    const spot = Number(health.underlyings.find((u) => u.underlying === "BTC")!.spot);
    expect(Math.abs(change - -0.2 * 10 * spot)).toBeLessThanOrEqual(1);
    expect(Math.abs(after - before - change)).toBeLessThanOrEqual(1);
    await panel.screenshot({ path: join(SCREENSHOTS, "whatif.png") });
    keep("whatif.png");

    await page.locator('[data-testid="whatif-spot"]').fill("");
    await page.locator('[data-testid="whatif-cash-action"]').selectOption("deposit");
    await page.locator('[data-testid="whatif-amount"]').fill("10000");
    const shownBefore = (await page.locator('[data-testid="whatif-diff-equity"]').textContent()) ?? "";
    await page.locator('[data-testid="whatif-run"]').click();
    await waitForTextChange(page, '[data-testid="whatif-diff-equity"]', shownBefore);
    // A deposit of 10,000 USDC adds 10,000 x the USDC oracle price (about 1) of equity; the page shows whole USD.
    const prices = (await h.call("/v1/markets")).body as { prices: Array<{ symbol: string; price: string }> };
    const usdc = Number(prices.prices.find((p) => p.symbol === "USDC")!.price);
    const shown = parseShown(await page.locator('[data-testid="whatif-diff-equity"]').textContent());
    expect(Math.abs(shown - 10_000 * usdc)).toBeLessThanOrEqual(1);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it("renders the market page: quotes per chain and source with ages, and the vol smiles as a chart", async () => {
    const page = await open("/#/market", 1400, 1100);
    const oracles = (await h.call("/v1/markets/oracles")).body as unknown as MarketOraclesJson;
    await page.locator('[data-testid="oracles"] tbody tr').first().waitFor({ timeout: 15_000 });
    const quoteRows = oracles.feeds.reduce((n, f) => n + f.quotes.length + 1, 0);
    expect(await page.locator('[data-testid="oracles"] tbody tr').count()).toBe(quoteRows);
    const chart = page.locator('[data-testid^="smile-chart-"] canvas').first();
    await chart.waitFor({ timeout: 15_000 });
    const box = await chart.boundingBox();
    expect(box?.width ?? 0).toBeGreaterThan(300);
    // One series per expiry, named by its days to expiry.
    expect(await page.locator('[data-testid^="smile-chart-"] .u-legend').first().textContent()).toMatch(/\d+ d/);
    await page.screenshot({ path: join(SCREENSHOTS, "market.png"), fullPage: true });
    keep("market.png");
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it("shows an options account's heatmap and backtest, updated live", async () => {
    const page = await open("/#/accounts/acct-btc-strangle-01");
    await page.locator('[data-testid="heatmap-BTC"] td').first().waitFor({ timeout: 15_000 });
    await page.locator("#conn[data-state='open']").waitFor();
    expect(await page.locator('[data-testid="heatmap-BTC"] td').count()).toBeGreaterThanOrEqual(27);
    expect(await page.locator('[data-testid="components"] tbody tr').count()).toBeGreaterThan(0);
    await page.locator('[data-testid="backtest-summary"]').waitFor({ timeout: 30_000 });
    const bt = (await h.call("/v1/accounts/acct-btc-strangle-01/backtest?days=180")).body as {
      summary: { exceptions: number };
    };
    const summary = (await page.locator('[data-testid="backtest-summary"]').textContent()) ?? "";
    expect(summary).toContain(`${bt.summary.exceptions} exception`);
    expect(await page.locator('[data-testid="backtest-chart"] canvas').count()).toBe(1);
    const equityBefore = (await page.locator('[data-testid="acct-equity"]').textContent()) ?? "";
    const asOfBefore = (await page.locator('[data-testid="acct-asof"]').textContent()) ?? "";
    expect((await h.call("/v1/feed/step", { method: "POST" })).status).toBe(200);
    await waitForTextChange(page, '[data-testid="acct-asof"]', asOfBefore);
    expect((await page.locator('[data-testid="acct-equity"]').textContent()) ?? "").not.toBe(equityBefore);
    expect(await page.locator('[data-testid="backtest-chart"] canvas').count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, "account-strangle.png"), fullPage: true });
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it("shows the policy rules fired on an account after an admin edits the rulebook", async () => {
    const rulebook = (await h.call("/v1/rulebook")).body.rulebook as { version: number; rules: unknown[] };
    const res = await h.call("/v1/rulebook", {
      method: "PUT",
      body: {
        ...rulebook,
        version: rulebook.version + 1,
        rules: [
          ...rulebook.rules,
          {
            id: "desk-watch",
            description: "Risk desk watch list",
            when: { "==": [{ var: "account.id" }, "acct-btc-strangle-01"] },
            actions: [{ kind: "marginMultiplier", factor: 1.2 }],
          },
        ],
      },
    });
    expect(res.status).toBe(200);
    const page = await open("/#/accounts/acct-btc-strangle-01");
    const panel = page.locator('[data-testid="policy"]');
    await panel.waitFor({ timeout: 15_000 });
    expect(await panel.textContent()).toContain("desk-watch");
    expect(await panel.textContent()).toContain("margin x1.2");
    expect(await page.locator('[data-testid="components"]').textContent()).toContain("policy");
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
