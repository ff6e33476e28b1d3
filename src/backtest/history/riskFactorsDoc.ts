import { formatDecimal } from "../../core/decimal.js";
import type { RiskFactorEstimate } from "../../risk/estimateRiskFactors.js";
import type { RiskFactorsDoc } from "../../schema/marketSnapshot.js";

const SIGNIFICANT_DIGITS = 10;

/** Residual quantiles at 6 significant digits (their sampling error is far larger). */
function residualField(q: Float64Array | undefined): { residualQuantiles?: string[] } {
  return q ? { residualQuantiles: Array.from(q, (x) => formatDecimal(x, 6)) } : {};
}

/**
 * The `riskFactors` block of a MarketSnapshot from an estimate (backtest days, the service's replay, `xmargin risk`).
 * One formatted value per pair keeps the correlation matrix exactly symmetric after rounding.
 * @param source provenance text (cut to the schema's 500 characters); default the estimate's own.
 */
export function riskFactorsDoc(e: RiskFactorEstimate, source: string = e.source): RiskFactorsDoc {
  const n = e.names.length;
  const num = (x: number) => formatDecimal(x, SIGNIFICANT_DIGITS);
  return {
    source: source.slice(0, 500),
    factors: e.names.map((name, i) => ({
      name,
      volDaily: num(e.volsDaily[i]!),
      backtestVolDaily: num(e.oneDayVolsDaily[i]!),
      ...residualField(e.residualQuantiles[i]),
      ...(Number.isFinite(e.moveResponse[i]!) ? { moveResponse: num(e.moveResponse[i]!) } : {}),
    })),
    correlations: e.names.map((_, i) =>
      e.names.map((__, j) => (i === j ? "1" : num(e.correlation[Math.min(i, j) * n + Math.max(i, j)]!))),
    ),
  };
}
