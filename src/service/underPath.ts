import { XmarginError } from "../core/errors.js";

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
    docsPath: err.docsPath,
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
