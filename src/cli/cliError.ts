import { XmarginError } from "../core/errors.js";

/** The error document of `--json` runs, on stderr: what failed (code), where (JSON path or option) and why. */
export interface CliErrorJson {
  error: { code: string; path: string | null; message: string; details?: string };
}

/** An error as the JSON document of `--json` runs (an unexpected error is INTERNAL, with its message, no stack). */
export function cliErrorJson(err: unknown): CliErrorJson {
  if (err instanceof XmarginError) {
    return {
      error: {
        code: err.code,
        path: err.path ?? null,
        message: err.shortMessage,
        ...(err.details ? { details: err.details } : {}),
      },
    };
  }
  return { error: { code: "INTERNAL", path: null, message: err instanceof Error ? err.message : String(err) } };
}

/** An error as one line of text (the path first, as users read JSON paths). */
export function cliErrorLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return `xmargin: ${message.split("\n")[0]}`;
}

/** 2 for bad input or data (the user can fix it), 1 for anything unexpected. */
export function exitCodeOf(err: unknown): number {
  return err instanceof XmarginError ? 2 : 1;
}
