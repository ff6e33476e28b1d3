import { describe, expect, it } from "vitest";
import { run } from "../../../src/cli/run.js";
import { renderTable } from "../../../src/cli/table.js";
import { market, portfolio } from "../../support/fixtures.js";
import { jsonFileWriter } from "../../support/tempFiles.js";

const { write } = jsonFileWriter("xmargin-value-");
const m = write("market.json", market());
const p = write(
  "p.json",
  portfolio({
    holdings: [{ chain: "arbitrum", token: "USDC", amount: "1000" }],
    positions: [
      { kind: "perp", chain: "arbitrum", venue: "gmx", underlying: "ETH", size: "10" },
      { kind: "perp", chain: "base", venue: "v", underlying: "ETH", size: "-4" },
    ],
  }),
);

interface ValueDoc {
  positions: Array<{ underlying: string; delta: string; deltaUsd: string }>;
  netGreeks: Array<{ underlying: string; delta: string; deltaUsd: string; gamma: string }>;
}

describe("xmargin value: net greeks per underlying, delta in units and in USD", () => {
  it("nets the perps of one underlying (10 - 4 = 6 ETH = 12,000 USD at 2,000) apart from the USD holding", async () => {
    const doc = JSON.parse(await run(["value", "--portfolio", p, "--market", m, "--json"])) as ValueDoc;
    const eth = doc.netGreeks.find((n) => n.underlying === "ETH")!;
    expect(Number(eth.delta)).toBeCloseTo(6, 12);
    expect(eth.deltaUsd).toBe("12000.00");
    expect(Number(eth.gamma)).toBe(0);
    const usd = doc.netGreeks.find((n) => n.underlying === "USD")!;
    expect(usd.deltaUsd).toBe("1000.00");
    expect(doc.positions.find((x) => x.underlying === "ETH" && Number(x.delta) < 0)!.deltaUsd).toBe("-8000.00");
    const text = await run(["value", "--portfolio", p, "--market", m]);
    expect(text).toContain("net greeks per underlying");
    expect(text).toMatch(/delta \(units\)\s+delta \(USD\)/);
  });
});

describe("errors name the right culprit", () => {
  it("a misspelt chain is an unknown chain on the chain field, not an unknown token", async () => {
    const bad = write("bad-chain.json", portfolio({ holdings: [{ chain: "arbitrm", token: "USDC", amount: "1" }] }));
    await expect(run(["margin", "--portfolio", bad, "--market", m])).rejects.toThrow(
      /\$\.holdings\[0\]\.chain: unknown chain "arbitrm" \(known chains: .*arbitrum/,
    );
    const token = write("bad-token.json", portfolio({ holdings: [{ chain: "arbitrum", token: "USDX", amount: "1" }] }));
    await expect(run(["margin", "--portfolio", token, "--market", m])).rejects.toThrow(
      /unknown token "USDX" on arbitrum/,
    );
  });

  it("an unknown underlying in --move is rejected with the nearest one instead of moving nothing", async () => {
    await expect(run(["whatif", "--portfolio", p, "--market", m, "--move", "DOGE,-10%"])).rejects.toThrow(
      /--move\[0\]: unknown underlying "DOGE"/,
    );
    await expect(run(["whatif", "--portfolio", p, "--market", m, "--move", "ETHH,-10%"])).rejects.toThrow(
      /did you mean ETH\?/,
    );
  });
});

describe("renderTable", () => {
  it("right-aligns number columns, header included, and left-aligns text", () => {
    const t = renderTable(
      ["name", "value (USD)"],
      [
        ["a", "1,234.50"],
        ["bb", "-7.00"],
      ],
    ).split("\n");
    expect(t[0]).toBe("name  value (USD)");
    expect(t[2]).toBe("a        1,234.50");
    expect(t[3]).toBe("bb          -7.00");
  });
});
