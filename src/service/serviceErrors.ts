import { XmarginError, type XmarginErrorCode } from "../core/errors.js";

/** Error codes a client can see: the engine's, plus the HTTP ones. */
export type ServiceErrorCode =
  | XmarginErrorCode
  | "UNAUTHORIZED"
  | "NOT_FOUND"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "RATE_LIMITED"
  | "CONFLICT"
  | "FORBIDDEN"
  | "INTERNAL";

/** The body of every error answer: `{ error: { code, path?, message, details? } }`. Never a stack trace. */
export interface ErrorBody {
  error: { code: ServiceErrorCode; path?: string; message: string; details?: string };
}

/** An error the HTTP layer answers with its own status. */
export class HttpError extends Error {
  override readonly name = "HttpError";
  constructor(
    readonly statusCode: number,
    readonly code: ServiceErrorCode,
    message: string,
    readonly path?: string,
  ) {
    super(message);
  }
}

/** HTTP status of an engine error: input faults are the client's (400); I/O is ours (500). */
export function statusOfXmarginError(err: XmarginError): number {
  return err.code === "IO_ERROR" ? 500 : 400;
}

/**
 * Re-roots an error raised on an embedded document at the path of that document in the request, so a 400 names the
 * field of the request: `$.holdings[0].token` of the portfolio becomes `$.portfolio.holdings[0].token`.
 */
export function prefixPath(err: unknown, prefix: string): unknown {
  if (!(err instanceof XmarginError)) return err;
  const path = err.path === undefined ? prefix : err.path.startsWith("$") ? prefix + err.path.slice(1) : err.path;
  return new XmarginError(err.shortMessage, {
    code: err.code,
    path,
    ...(err.details ? { details: err.details } : {}),
    ...(err.docsPath ? { docsPath: err.docsPath } : {}),
    cause: err,
  });
}

/** Runs `fn`, re-rooting any engine error at `prefix`. */
export function underPath<T>(prefix: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw prefixPath(err, prefix);
  }
}

/** The client-facing body of an error (no stack, no cause). */
export function errorBody(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof XmarginError) {
    const j = err.toJSON();
    return { status: statusOfXmarginError(err), body: { error: j } };
  }
  if (err instanceof HttpError) {
    return {
      status: err.statusCode,
      body: { error: { code: err.code, message: err.message, ...(err.path ? { path: err.path } : {}) } },
    };
  }
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    const code: ServiceErrorCode =
      status === 413
        ? "PAYLOAD_TOO_LARGE"
        : status === 415
          ? "UNSUPPORTED_MEDIA_TYPE"
          : status === 429
            ? "RATE_LIMITED"
            : status === 404
              ? "NOT_FOUND"
              : status === 401
                ? "UNAUTHORIZED"
                : "INVALID_INPUT";
    const message = err instanceof Error ? err.message : "bad request";
    return { status, body: { error: { code, ...(code === "INVALID_INPUT" ? { path: "$" } : {}), message } } };
  }
  return { status: 500, body: { error: { code: "INTERNAL", message: "internal error" } } };
}
