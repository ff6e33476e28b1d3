import { type FailureReason, XmarginError, type XmarginErrorJson } from "../../core/errors.js";

/**
 * HTTP status of each failure reason: the one place the engine's reasons meet HTTP. A missing reason is a compile
 * error, so a new reason cannot reach a client without a status.
 */
export const STATUS_OF_REASON: Readonly<Record<FailureReason, number>> = {
  INVALID_INPUT: 400,
  MISSING_DATA: 400,
  ORACLE_STALE: 400,
  UNSUPPORTED: 400,
  CALCULATION_FAILED: 422,
  IO_ERROR: 500,
  NOT_FOUND: 404,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  LIMIT_EXCEEDED: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** The body of every error answer: `{ error: { code, path?, message, details?, docsPath } }`. Never a stack trace. */
export interface ErrorBody {
  error: XmarginErrorJson;
}

/** Transport failures fastify reports by status (body too large, wrong media type...), as our reasons. */
function reasonOfFrameworkStatus(status: number): FailureReason {
  if (status === 401) return "UNAUTHORIZED";
  if (status === 403) return "FORBIDDEN";
  if (status === 404) return "NOT_FOUND";
  if (status === 405) return "METHOD_NOT_ALLOWED";
  if (status === 413 || status === 414 || status === 431) return "PAYLOAD_TOO_LARGE";
  if (status === 415) return "UNSUPPORTED_MEDIA_TYPE";
  if (status === 429) return "RATE_LIMITED";
  return "INVALID_INPUT";
}

export interface ErrorAnswer {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
}

/**
 * The client-facing answer of any thrown value: typed errors by their reason; fastify's own 4xx (body limit, media
 * type, JSON syntax) keep their status under our body shape; anything else is a 500 INTERNAL without detail.
 */
export function errorAnswer(err: unknown): ErrorAnswer {
  if (err instanceof XmarginError) {
    const headers: Record<string, string> =
      err.retryAfterSec !== undefined ? { "retry-after": String(Math.max(1, Math.ceil(err.retryAfterSec))) } : {};
    return { status: STATUS_OF_REASON[err.code], body: { error: err.toJSON() }, headers };
  }
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    const code = reasonOfFrameworkStatus(status);
    const message = err instanceof Error ? err.message.slice(0, 200) : "bad request";
    const typed = new XmarginError(message, { code, ...(code === "INVALID_INPUT" ? { path: "$" } : {}) });
    return { status, body: { error: typed.toJSON() }, headers: {} };
  }
  const internal = new XmarginError("internal error", { code: "INTERNAL" });
  return { status: 500, body: { error: internal.toJSON() }, headers: {} };
}
