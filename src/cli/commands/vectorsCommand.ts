import { readdirSync } from "node:fs";
import { join } from "node:path";
import { formatExactDecimal } from "../../core/decimal.js";
import { XmarginError } from "../../core/errors.js";
import { computePmrm2 } from "../../margin/venues/derivePmrm2/computePmrm2.js";
import { goldenCaseInputs } from "../../margin/venues/derivePmrm2/goldenCase.js";
import { readJsonFile } from "../readJsonFile.js";
import { renderTable } from "../table.js";

/** Derive's own acceptance tolerance for MM and IM (spec 10.1). */
export const VECTORS_REL_TOLERANCE = 1e-8;

export const VECTOR_SUITES = ["derive-pmrm2"] as const;

export interface VectorsArgs {
  suite: string | undefined;
  dir: string;
  json: boolean;
}

export interface VectorCaseResult {
  case: string;
  maintenanceMargin?: number;
  initialMargin?: number;
  expectedMM?: number;
  expectedIM?: number;
  relErrMM?: number;
  relErrIM?: number;
  /** Why the case could not be computed. */
  error?: string;
}

function relErr(got: number, want: number): number {
  return want === 0 ? Math.abs(got) : Math.abs(got - want) / Math.abs(want);
}

/** Computes every `*.json` case file in `dir` (sorted by name) and compares MM and IM with the expected values. */
export function runDerivePmrm2Vectors(dir: string): VectorCaseResult[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith(".json"));
  } catch (cause) {
    throw new XmarginError(`cannot read vector directory ${dir}`, { code: "IO_ERROR", path: "--dir", cause });
  }
  if (files.length === 0)
    throw new XmarginError(`no *.json case files in ${dir}`, { code: "MISSING_DATA", path: "--dir" });
  return files.sort().map((file) => {
    try {
      const g = goldenCaseInputs(readJsonFile(join(dir, file), "vector case"));
      const r = computePmrm2(g.account, g.params);
      return {
        case: file,
        maintenanceMargin: r.maintenanceMargin,
        initialMargin: r.initialMargin,
        expectedMM: g.expectedMM,
        expectedIM: g.expectedIM,
        relErrMM: relErr(r.maintenanceMargin, g.expectedMM),
        relErrIM: relErr(r.initialMargin, g.expectedIM),
      };
    } catch (err) {
      return { case: file, error: err instanceof Error ? err.message : String(err) };
    }
  });
}

function passes(r: VectorCaseResult): boolean {
  return (
    r.error === undefined &&
    (r.relErrMM ?? Number.POSITIVE_INFINITY) <= VECTORS_REL_TOLERANCE &&
    (r.relErrIM ?? Number.POSITIVE_INFINITY) <= VECTORS_REL_TOLERANCE
  );
}

const dec = (v: number | undefined) => (v === undefined ? "" : formatExactDecimal(v));
const sci = (v: number | undefined) => (v === undefined ? "" : v.toExponential(2));

function render(results: VectorCaseResult[], json: boolean): string {
  if (json) {
    return JSON.stringify(
      {
        cases: results.map((r) =>
          r.error !== undefined
            ? { case: r.case, error: r.error }
            : {
                case: r.case,
                maintenanceMargin: dec(r.maintenanceMargin),
                initialMargin: dec(r.initialMargin),
                expectedMM: dec(r.expectedMM),
                expectedIM: dec(r.expectedIM),
                relErrMM: r.relErrMM,
                relErrIM: r.relErrIM,
              },
        ),
      },
      null,
      2,
    );
  }
  const passed = results.filter(passes).length;
  const worst = (key: "relErrMM" | "relErrIM") => Math.max(0, ...results.map((r) => r[key] ?? 0));
  const table = renderTable(
    ["case", "MM", "expected MM", "rel err", "IM", "expected IM", "rel err", ""],
    results.map((r) => [
      r.case,
      dec(r.maintenanceMargin),
      dec(r.expectedMM),
      sci(r.relErrMM),
      dec(r.initialMargin),
      dec(r.expectedIM),
      sci(r.relErrIM),
      passes(r) ? "ok" : `MISS${r.error ? `: ${r.error}` : ""}`,
    ]),
  );
  return [
    table,
    "",
    `${passed}/${results.length} cases within ${VECTORS_REL_TOLERANCE} relative; worst MM ${worst("relErrMM").toExponential(2)}, worst IM ${worst("relErrIM").toExponential(2)}`,
  ].join("\n");
}

/** Exit code of a run in which a case misses the tolerance or cannot be computed (the report is still printed). */
export const VECTORS_MISS_EXIT_CODE = 1;

/**
 * `xmargin vectors derive-pmrm2 --dir DIR [--json]`: runs a venue's golden cases; the exit code is
 * `VECTORS_MISS_EXIT_CODE` when any case misses the tolerance or cannot be computed, else 0.
 */
export function vectorsCommand(args: VectorsArgs): { text: string; exitCode: number } {
  if (args.suite !== "derive-pmrm2") {
    throw new XmarginError(`unknown vector suite ${JSON.stringify(args.suite ?? "")}`, {
      code: "INVALID_INPUT",
      path: "suite",
      details: `one of: ${VECTOR_SUITES.join(", ")}`,
    });
  }
  const results = runDerivePmrm2Vectors(args.dir);
  const missed = results.some((r) => !passes(r));
  return { text: render(results, args.json), exitCode: missed ? VECTORS_MISS_EXIT_CODE : 0 };
}
