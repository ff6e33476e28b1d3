/**
 * Fuzzing of the CLI entry `run()` (src/cli/run.ts): mutated documents written to temporary files, byte-level damage
 * to the JSON text (truncation, BOM, invalid UTF-8, deep nesting, 10 MB files) and hostile argument vectors.
 * Accepted: output (with --json: parseable JSON with no NaN/Infinity/exponent number strings), an XmarginError
 * (INVALID_INPUT / MISSING_DATA / IO_ERROR) or node's ERR_PARSE_ARGS_* errors, which main() turns into exit code 2.
 *
 * The HTTP service does not exist yet; when it lands, its endpoints get the same documents (docs/reliability.md).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { XmarginError } from "../../src/core/errors.js";
import { mutate, pick, rng, Tally } from "./mutate.js";

const EXAMPLES = join(import.meta.dirname, "../../examples");
const PORTFOLIOS = ["directional-perp.json", "short-strangle.json", "lst-collateral-eth-short.json"].map((f) =>
  join(EXAMPLES, "portfolios", f),
);
const MARKET = join(EXAMPLES, "market-2023-06-30.json");
const dir = mkdtempSync(join(tmpdir(), "xmargin-fuzz-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileNo = 0;
/** JSON text of a mutated document; a 10,000-deep nest overflows JSON.stringify itself, so it is written by hand. */
function jsonText(doc: unknown): string {
  try {
    return JSON.stringify(doc);
  } catch {
    return `{"accountId": "a", "holdings": ${"[".repeat(10_000)}${"]".repeat(10_000)}}`;
  }
}

function writeTemp(content: string | Buffer): string {
  const file = join(dir, `f${fileNo++}.json`);
  writeFileSync(file, content);
  return file;
}

const ACCEPTED = new Set(["INVALID_INPUT", "MISSING_DATA", "IO_ERROR"]);

async function classifyRun(
  argv: string[],
  json: boolean,
): Promise<{ kind: "ok" | "rejected" | "crash"; what: string }> {
  let out: string;
  try {
    out = await run(argv);
  } catch (err) {
    if (err instanceof XmarginError && ACCEPTED.has(err.code)) return { kind: "rejected", what: err.code };
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) return { kind: "rejected", what: code };
    const e = err as Error;
    return { kind: "crash", what: `${e.name} ${String(code ?? "")}: ${String(e.message).slice(0, 200)}` };
  }
  if (json) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(out);
    } catch {
      return { kind: "crash", what: `--json output is not JSON: ${out.slice(0, 200)}` };
    }
    const bad = JSON.stringify(parsed).match(/"(-?(NaN|Infinity)|-?\d+(\.\d+)?e[+-]\d+)"/);
    if (bad) return { kind: "crash", what: `--json output has a non-decimal number string ${bad[0]}` };
  }
  return { kind: "ok", what: "" };
}

/** Byte-level damage to a JSON text. */
function damage(text: string, r: () => number): string | Buffer {
  switch (Math.floor(r() * 7)) {
    case 0:
      return text.slice(0, Math.floor(r() * text.length));
    case 1:
      return `\uFEFF${text}`;
    case 2:
      return Buffer.concat([
        Buffer.from(text.slice(0, 40)),
        Buffer.from([0xff, 0xfe, 0xc3]),
        Buffer.from(text.slice(40)),
      ]);
    case 3:
      return `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    case 4:
      return text.replace(/"(\d+(\.\d+)?)"/, "$1");
    case 5:
      return `${text}\n{}`;
    default:
      return "";
  }
}

describe("fuzzing the CLI run()", () => {
  it("margin / value / compare on mutated and damaged files: only typed errors, finite JSON output", async () => {
    const r = rng(404);
    const tally = new Tally();
    const marketDoc: unknown = JSON.parse(readFileSync(MARKET, "utf8"));
    const ITER = 240;
    for (let i = 0; i < ITER; i++) {
      const portfolioFile = pick(r, PORTFOLIOS);
      const portfolioDoc: unknown = JSON.parse(readFileSync(portfolioFile, "utf8"));
      const which = Math.floor(r() * 4);
      const p =
        which === 0
          ? writeTemp(jsonText(mutate(portfolioDoc, r)))
          : which === 1
            ? writeTemp(damage(JSON.stringify(portfolioDoc), r))
            : portfolioFile;
      const m =
        which === 2
          ? writeTemp(jsonText(mutate(marketDoc, r)))
          : which === 3
            ? writeTemp(damage(JSON.stringify(marketDoc), r))
            : MARKET;
      const json = r() < 0.7;
      const command = i % 40 === 0 ? "compare" : i % 5 === 0 ? "value" : "margin";
      const model = pick(r, ["grid", "isolated", "cross", "grid"]);
      const argv = [command, "--portfolio", p, "--market", m, ...(command === "margin" ? ["--model", model] : [])];
      const outcome = await classifyRun(json ? [...argv, "--json"] : argv, json);
      tally.add(
        outcome.kind === "ok"
          ? { kind: "ok" }
          : outcome.kind === "rejected"
            ? { kind: "rejected", code: outcome.what }
            : { kind: "crash", what: outcome.what },
        () => argv.join(" "),
      );
    }
    if (process.env.FUZZ_REPORT) console.log(tally.summary());
    expect(tally.crashes.size, tally.summary()).toBe(0);
    expect(tally.ok).toBeGreaterThan(0);
  });

  it("a 10 MB portfolio file and a 100,000-deep nested file are rejected with a typed error", async () => {
    const big = writeTemp(JSON.stringify({ accountId: "a", description: "x".repeat(10 * 1024 * 1024) }));
    const deep = writeTemp(`${"[".repeat(100_000)}${"]".repeat(100_000)}`);
    for (const file of [big, deep]) {
      const o = await classifyRun(["margin", "--portfolio", file, "--market", MARKET], false);
      expect(o.kind, o.what).toBe("rejected");
    }
  });

  it("hostile argument vectors: only typed errors", async () => {
    const r = rng(505);
    const tally = new Tally();
    const tokens = [
      "margin",
      "value",
      "compare",
      "risk",
      "nope",
      "--portfolio",
      "--market",
      "--config",
      "--model",
      "--json",
      "--unknown",
      "xchain",
      "grid",
      "",
      "-",
      "--",
      "/dev/null",
      "/nonexistent/file.json",
      dir,
      PORTFOLIOS[0]!,
      MARKET,
      "😀",
      "--portfolio=",
      "--model=__proto__",
    ];
    for (let i = 0; i < 300; i++) {
      const argv = Array.from({ length: Math.floor(r() * 7) }, () => pick(r, tokens));
      if (argv.includes("risk") || argv[0] === "demo") continue; // risk reads the price history (slow), demo runs all
      const o = await classifyRun(argv, false);
      tally.add(
        o.kind === "crash"
          ? { kind: "crash", what: o.what }
          : o.kind === "ok"
            ? { kind: "ok" }
            : { kind: "rejected", code: o.what },
        () => JSON.stringify(argv),
      );
    }
    if (process.env.FUZZ_REPORT) console.log(tally.summary());
    expect(tally.crashes.size, tally.summary()).toBe(0);
  });
});
