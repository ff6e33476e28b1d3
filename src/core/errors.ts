/**
 * Typed errors for the whole engine. Every error carries a reason from one closed list (after Strata's
 * FailureReason) and, where the fault lies in an input document, the JSON path of the bad field (e.g.
 * `$.positions[3].strike`). The service maps the reason to an HTTP status at its edge; nothing below it knows HTTP.
 */

/**
 * The closed list of failure reasons, each with the page of docs/ that explains it. Adding a reason means adding it
 * here (and its HTTP status in src/service/http/errorStatus.ts, which the compiler enforces).
 */
export const FAILURE_REASONS = {
  /** A field of an input document is malformed, out of bounds or inconsistent. */
  INVALID_INPUT: "docs/documents.md",
  /** Data the computation needs is absent (a price, a history, a market). */
  MISSING_DATA: "docs/documents.md",
  /** No fresh price for a feed. */
  ORACLE_STALE: "docs/oracles.md",
  /** The engine cannot do what was asked (an unknown chain, a model option not implemented). */
  UNSUPPORTED: "docs/documents.md",
  /** The computation itself failed (a non-finite number, no root found); the input may be extreme. */
  CALCULATION_FAILED: "docs/reliability.md",
  /** Reading or writing a file or the store failed. */
  IO_ERROR: "docs/service.md",
  /** A named thing (an account) does not exist. */
  NOT_FOUND: "docs/service.md",
  /** No credentials, or unknown credentials. */
  UNAUTHORIZED: "docs/service.md",
  /** Valid credentials without the scope the request needs, or a request from a host or origin not allowed. */
  FORBIDDEN: "docs/service.md",
  /** The request asks for more work than the compute budget allows (paths, positions, days); names the field. */
  LIMIT_EXCEEDED: "docs/reliability.md",
  /** The request body is larger than the configured limit. */
  PAYLOAD_TOO_LARGE: "docs/reliability.md",
  /** The request body is not JSON. */
  UNSUPPORTED_MEDIA_TYPE: "docs/service.md",
  /** Too many requests from this client in the window. */
  RATE_LIMITED: "docs/reliability.md",
  /** The route exists but not with this method. */
  METHOD_NOT_ALLOWED: "docs/service.md",
  /** The request is valid but the state of the service does not allow it now (no further replay day). */
  CONFLICT: "docs/service.md",
  /** The service is busy or not ready; retry later. */
  UNAVAILABLE: "docs/reliability.md",
  /** An unexpected fault (a bug); the client sees no detail. */
  INTERNAL: "docs/service.md",
} as const satisfies Record<string, string>;

export type FailureReason = keyof typeof FAILURE_REASONS;
/** The same list under the name the engine's API has always used. */
export type XmarginErrorCode = FailureReason;

export interface XmarginErrorArgs {
  code: FailureReason;
  /** JSON path of the offending field, `$` for the document root. */
  path?: string;
  details?: string;
  /** Page of docs/ explaining the failure; defaults to the reason's page. */
  docsPath?: string;
  cause?: unknown;
  /** Seconds after which a retry may succeed (UNAVAILABLE, LIMIT_EXCEEDED from rate limits). */
  retryAfterSec?: number;
}

export interface XmarginErrorJson {
  code: FailureReason;
  path?: string;
  message: string;
  details?: string;
  docsPath: string;
}

export class XmarginError extends Error {
  override readonly name = "XmarginError";
  readonly code: FailureReason;
  readonly path: string | undefined;
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly docsPath: string;
  readonly retryAfterSec: number | undefined;

  constructor(shortMessage: string, args: XmarginErrorArgs) {
    const where = args.path ? `${args.path}: ` : "";
    super(`${where}${shortMessage}${args.details ? ` (${args.details})` : ""}`, { cause: args.cause });
    this.code = args.code;
    this.path = args.path;
    this.shortMessage = shortMessage;
    this.details = args.details;
    this.docsPath = args.docsPath ?? FAILURE_REASONS[args.code];
    this.retryAfterSec = args.retryAfterSec;
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

  toJSON(): XmarginErrorJson {
    return {
      code: this.code,
      ...(this.path ? { path: this.path } : {}),
      message: this.shortMessage,
      ...(this.details ? { details: this.details } : {}),
      docsPath: this.docsPath,
    };
  }
}

/** True when `value` names a reason of the closed list (for documents read back from a store). */
export function isFailureReason(value: unknown): value is FailureReason {
  return typeof value === "string" && Object.hasOwn(FAILURE_REASONS, value);
}

export function invalidInput(path: string, shortMessage: string, details?: string): XmarginError {
  return new XmarginError(shortMessage, { code: "INVALID_INPUT", path, ...(details ? { details } : {}) });
}

export function missingData(path: string, shortMessage: string, details?: string): XmarginError {
  return new XmarginError(shortMessage, { code: "MISSING_DATA", path, ...(details ? { details } : {}) });
}

/** A computation that could not produce a finite, meaningful number. */
export function calculationFailed(shortMessage: string, details?: string): XmarginError {
  return new XmarginError(shortMessage, { code: "CALCULATION_FAILED", ...(details ? { details } : {}) });
}

/** A thrown value as reports carry it: a typed error as it is, anything else as CALCULATION_FAILED with its cause. */
export function asXmarginError(err: unknown): XmarginError {
  if (err instanceof XmarginError) return err;
  return new XmarginError("calculation failed", { code: "CALCULATION_FAILED", cause: err });
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
