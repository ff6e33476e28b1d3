/**
 * A small deterministic mutation engine for JSON documents: start from a valid document, then replace, delete, add
 * or blow up nodes with hostile values (wrong types, out-of-range and malformed decimals, NaN/Infinity, unicode,
 * deep nesting, long strings and arrays, prototype keys). Seeded (mulberry32), so every run is the same.
 */
import { XmarginError } from "../../src/core/errors.js";
import { firstNonFinite } from "../property/support.js";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** mulberry32: tiny, fast, good enough to pick mutations; the same seed gives the same sequence. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

function deepArray(depth: number): Json {
  let v: Json = [];
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

function deepObject(depth: number): Json {
  let v: Json = {};
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

/** Hostile decimal strings: exponent forms, out of float range, underflow to 0, signs, padding, non-ASCII digits. */
export const NASTY_DECIMALS: readonly string[] = [
  "1e400",
  "-1e400",
  "1e-400",
  "1E3",
  "NaN",
  "Infinity",
  "-Infinity",
  "-0",
  "-0.0",
  "0.0",
  "00",
  "01",
  "+1",
  ".5",
  "5.",
  " 5",
  "5 ",
  "0x10",
  "1_000",
  "1,5",
  `1${"0".repeat(308)}`,
  `1${"0".repeat(400)}`,
  `-1${"0".repeat(400)}`,
  `0.${"0".repeat(400)}1`,
  `-0.${"0".repeat(400)}1`,
  `9${"9".repeat(20)}.${"9".repeat(40)}`,
  "179769313486231570000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
  "0.000000000000000000000000000001",
  "١٢٣",
  "１２３",
  "1\u00002",
  "",
];

const NASTY_STRINGS: readonly string[] = [
  "",
  " ",
  "\u0000",
  "😀",
  "\u202eETH",
  "ETH\u200b",
  "Ｅｔｈｅｒｅｕｍ",
  "ethereum\n",
  "ARBITRUM",
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "USD",
  "ETH/USD/USD",
  "/USD",
  "2024-02-30T00:00:00Z",
  "2024-01-01T24:00:00Z",
  "9999-12-31T23:59:59Z",
  "0000-01-01T00:00:00Z",
  "2024-01-01T00:00:00+99:99",
  "2024-01-01",
  "2023-12-31T23:59:59.999999999Z",
  "x".repeat(65),
  "x".repeat(100_000),
];

/** A replacement value: wrong type, hostile number, hostile string or a structure bomb. */
export function nastyValue(r: () => number): unknown {
  switch (Math.floor(r() * 8)) {
    case 0:
      return pick(r, [null, true, false, 0, -0, 1, -1, 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER + 2]);
    case 1:
      // Not JSON, but computeMargin is a library call and takes any value.
      return pick(r, [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, undefined, 10n]);
    case 2:
    case 3:
      return pick(r, NASTY_DECIMALS);
    case 4:
      return pick(r, NASTY_STRINGS);
    case 5:
      return pick(r, [[], {}, [null], { "": null }, [[[]]], ["1"], { length: 1 }]);
    case 6:
      return r() < 0.5 ? deepArray(10_000) : deepObject(10_000);
    default:
      return JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"x": 1}}}');
  }
}

type Container = Record<string, unknown> | unknown[];

/** Every container node and, for each, its keys; the root is [undefined, "$"]. */
function containers(doc: unknown): Container[] {
  const out: Container[] = [];
  const walk = (v: unknown, depth: number) => {
    if (depth > 12 || v === null || typeof v !== "object") return;
    out.push(v as Container);
    for (const child of Array.isArray(v) ? v : Object.values(v)) walk(child, depth + 1);
  };
  walk(doc, 0);
  return out;
}

const UNKNOWN_KEYS = ["extra", "__proto__", "constructor", "amount ", "Amount", "kind", "positions", ""];

/** Applies one random mutation in place (the document must already be a private copy). */
export function mutateOnce(doc: unknown, r: () => number): void {
  const nodes = containers(doc);
  if (nodes.length === 0) return;
  const node = pick(r, nodes);
  const keys: Array<string | number> = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
  const op = Math.floor(r() * 10);
  const set = (k: string | number, v: unknown) => {
    if (Array.isArray(node)) node[k as number] = v;
    else Object.defineProperty(node, k, { value: v, enumerable: true, writable: true, configurable: true });
  };
  if (keys.length === 0 || op === 0) {
    // Add an element or an unknown key.
    if (Array.isArray(node)) node.push(nastyValue(r));
    else set(pick(r, UNKNOWN_KEYS), nastyValue(r));
    return;
  }
  const k = pick(r, keys);
  const current = Array.isArray(node) ? node[k as number] : node[k as string];
  switch (op) {
    case 1:
      // Delete.
      if (Array.isArray(node)) node.splice(k as number, 1);
      else delete node[k as string];
      return;
    case 2:
      // Duplicate an array element many times (a large array; shared references, the engine must not mutate input).
      if (Array.isArray(node)) for (let i = 0; i < 200; i++) node.push(current);
      else set(k, [current, current]);
      return;
    case 3:
    case 4:
      // Decimal-looking leaves get a hostile decimal; others a hostile anything.
      set(k, typeof current === "string" && /^-?\d/.test(current) ? pick(r, NASTY_DECIMALS) : nastyValue(r));
      return;
    case 5:
      // Change the sign or scale of a decimal string while keeping it valid.
      if (typeof current === "string" && /^-?\d+(\.\d+)?$/.test(current)) {
        set(
          k,
          pick(r, [
            current.startsWith("-") ? current.slice(1) : `-${current}`,
            `${current}${"0".repeat(30)}`,
            `0.${"0".repeat(20)}${current.replace(/^-/, "").replace(".", "")}`,
            "0",
            current.replace(/^(-?)(\d+)/, "$10$2").replace(/^(-?)0(\d)/, "$1$2"),
          ]),
        );
      } else set(k, nastyValue(r));
      return;
    case 6:
      // Swap the types of two siblings.
      set(k, pick(r, keys) === k ? null : (Array.isArray(node) ? node : Object.values(node))[0]);
      return;
    default:
      set(k, nastyValue(r));
  }
}

/** A mutated deep copy of `doc` with 1 to `maxMutations` mutations. */
export function mutate(doc: unknown, r: () => number, maxMutations = 3): unknown {
  const copy = structuredClone(doc);
  const n = 1 + Math.floor(r() * maxMutations);
  for (let i = 0; i < n; i++) mutateOnce(copy, r);
  return copy;
}

/** Outcome of one fuzz case: a finite report, an accepted error, or a crash (anything else). */
export type Outcome = { kind: "ok" } | { kind: "rejected"; code: string } | { kind: "crash"; what: string };

const ACCEPTED_CODES = new Set(["INVALID_INPUT", "MISSING_DATA"]);

/** Runs `fn` and classifies the result: a report must have only finite numbers; an error must be typed with a path. */
export function classify(fn: () => unknown): Outcome {
  let result: unknown;
  try {
    result = fn();
  } catch (err) {
    if (err instanceof XmarginError && ACCEPTED_CODES.has(err.code) && err.path?.startsWith("$")) {
      return { kind: "rejected", code: err.code };
    }
    const e = err as { name?: string; code?: string; path?: string; message?: string };
    return {
      kind: "crash",
      what: `${e.name ?? typeof err}${e.code ? ` ${e.code}` : ""}${e.path ? ` at ${e.path}` : " (no path)"}: ${String(e.message).slice(0, 160)}`,
    };
  }
  const bad = firstNonFinite(result);
  return bad ? { kind: "crash", what: `non-finite number in a successful report: ${bad}` } : { kind: "ok" };
}

/**
 * Crash signatures of bugs already reported, with a minimal failing test each in test/property/knownBugs.test.ts.
 * They are counted apart so the fuzz tests stay a detector of NEW crashes; remove an entry once its fix lands.
 */
// BUG-7 (a bigint or deeply nested model name crashed the config check) is fixed; no known crashes remain.
export const KNOWN_CRASHES: ReadonlyArray<{ bug: string; pattern: RegExp }> = [];

/** Tally of a fuzz campaign. */
export class Tally {
  cases = 0;
  ok = 0;
  rejected = new Map<string, number>();
  crashes = new Map<string, { count: number; example: string }>();
  known = new Map<string, number>();

  add(outcome: Outcome, example: () => string): void {
    this.cases++;
    if (outcome.kind === "ok") this.ok++;
    else if (outcome.kind === "rejected") this.rejected.set(outcome.code, (this.rejected.get(outcome.code) ?? 0) + 1);
    else if (KNOWN_CRASHES.some((k) => k.pattern.test(outcome.what))) {
      const bug = KNOWN_CRASHES.find((k) => k.pattern.test(outcome.what))!.bug;
      this.known.set(bug, (this.known.get(bug) ?? 0) + 1);
    } else {
      const key = outcome.what.replace(/\d+(\.\d+)?/g, "N");
      const seen = this.crashes.get(key);
      if (seen) seen.count++;
      else this.crashes.set(key, { count: 1, example: `${outcome.what}\n  input: ${example().slice(0, 600)}` });
    }
  }

  summary(): string {
    const crashes = [...this.crashes.values()].map((c) => `  ${c.count}x ${c.example}`).join("\n");
    return `${this.cases} cases: ${this.ok} ok, rejected ${JSON.stringify(Object.fromEntries(this.rejected))}, known bugs ${JSON.stringify(Object.fromEntries(this.known))}, ${this.crashes.size} distinct new crash(es)${crashes ? `\n${crashes}` : ""}`;
  }
}

/** JSON.stringify that survives bigint and cycles, for crash examples. */
export function show(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? `${x}n` : x)) ?? String(v);
  } catch {
    return String(v);
  }
}
