/**
 * Typed errors for the whole engine. Every error carries a code from a closed list and, where the fault lies in an
 * input document, the JSON path of the bad field (e.g. `$.positions[3].strike`).
 */
export type XmarginErrorCode =
  | "INVALID_INPUT"
  | "MISSING_DATA"
  | "ORACLE_STALE"
  | "UNSUPPORTED"
  | "CALCULATION_FAILED"
  | "IO_ERROR";

export interface XmarginErrorArgs {
  code: XmarginErrorCode;
  /** JSON path of the offending field, `$` for the document root. */
  path?: string;
  details?: string;
  docsPath?: string;
  cause?: unknown;
}

export class XmarginError extends Error {
  override readonly name = "XmarginError";
  readonly code: XmarginErrorCode;
  readonly path: string | undefined;
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly docsPath: string | undefined;

  constructor(shortMessage: string, args: XmarginErrorArgs) {
    const where = args.path ? `${args.path}: ` : "";
    super(`${where}${shortMessage}${args.details ? ` (${args.details})` : ""}`, { cause: args.cause });
    this.code = args.code;
    this.path = args.path;
    this.shortMessage = shortMessage;
    this.details = args.details;
    this.docsPath = args.docsPath;
  }

  /** Follows the `cause` chain; returns the first error matching `predicate`, or the deepest one. */
  walk(predicate?: (err: unknown) => boolean): unknown {
    let current: unknown = this;
    while (current instanceof Error) {
      if (predicate?.(current)) return current;
      if (current.cause === undefined) return predicate ? undefined : current;
      current = current.cause;
    }
    return predicate ? (predicate(current) ? current : undefined) : current;
  }

  toJSON(): { code: XmarginErrorCode; path?: string; message: string; details?: string } {
    return {
      code: this.code,
      ...(this.path ? { path: this.path } : {}),
      message: this.shortMessage,
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

export function invalidInput(path: string, shortMessage: string, details?: string): XmarginError {
  return new XmarginError(shortMessage, { code: "INVALID_INPUT", path, ...(details ? { details } : {}) });
}

export function missingData(path: string, shortMessage: string, details?: string): XmarginError {
  return new XmarginError(shortMessage, { code: "MISSING_DATA", path, ...(details ? { details } : {}) });
}

/** Formats a path of keys/indices the way users read JSON: `$.positions[3].strike`. */
export function jsonPath(segments: ReadonlyArray<PropertyKey>): string {
  let out = "$";
  for (const seg of segments) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (typeof seg === "string" && /^[A-Za-z_$][\w$]*$/.test(seg)) out += `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}
