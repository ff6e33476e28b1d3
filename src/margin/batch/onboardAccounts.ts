import { XmarginError } from "../../core/errors.js";
import { portfolioSchema } from "../../schema/portfolio.js";
import { parseDocument } from "../../schema/validate.js";
import type { ResolvedMarket } from "../resolve/resolvedMarket.js";
import type { ResolvedPortfolio } from "../resolve/resolvedPortfolio.js";
import { resolvePortfolio } from "../resolve/resolvePortfolio.js";

/**
 * Bulk onboarding: validates and resolves many account documents against one resolved market, in order. A bad
 * document stops the batch with the error of that document, its JSON path prefixed with the account's position in the
 * batch (`$[41].positions[2].size`), so the caller knows which account to fix.
 * @param documents untrusted portfolio documents
 * @param market the resolved market every account is resolved against
 * @param firstIndex index of `documents[0]` in the caller's whole batch (for error paths of a shard)
 */
export function onboardAccounts(
  documents: readonly unknown[],
  market: ResolvedMarket,
  firstIndex = 0,
): ResolvedPortfolio[] {
  const out: ResolvedPortfolio[] = new Array(documents.length);
  for (let i = 0; i < documents.length; i++) out[i] = onboardAccount(documents[i], market, firstIndex + i);
  return out;
}

/**
 * One document of a bulk onboarding: validated and resolved, an error's JSON path prefixed with `$[index]`.
 * @param document untrusted portfolio document
 * @param market the resolved market
 * @param index the document's position in the caller's batch
 */
export function onboardAccount(document: unknown, market: ResolvedMarket, index: number): ResolvedPortfolio {
  try {
    return resolvePortfolio(parseDocument(portfolioSchema, document, "Portfolio"), market);
  } catch (e) {
    throw inAccount(e, index);
  }
}

/** An error of one document of a batch, its JSON path prefixed with the document's place: `$[41].positions[2]`. */
export function inAccount(e: unknown, index: number): unknown {
  if (!(e instanceof XmarginError)) return e;
  const path = `$[${index}]${(e.path ?? "$").slice(1)}`;
  return new XmarginError(e.shortMessage, {
    code: e.code,
    path,
    ...(e.details ? { details: e.details } : {}),
    ...(e.docsPath ? { docsPath: e.docsPath } : {}),
    cause: e,
  });
}
