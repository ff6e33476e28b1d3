import pdfT from "@stdlib/stats-base-dists-t-pdf";
import quantileT from "@stdlib/stats-base-dists-t-quantile";
import { invalidInput } from "../../core/errors.js";
import { normalPdf } from "../../core/normal.js";
import { normalQuantile } from "../normalQuantile.js";
import type { Innovations } from "../scenarios/monteCarloScenarios.js";

/**
 * Expected Shortfall at `confidence` of a zero-mean loss with standard deviation 1 whose law is normal or Student-t
 * (scaled to unit variance), in closed form (McNeil, Frey and Embrechts, Quantitative Risk Management, 2015,
 * examples 2.14 and 2.15):
 * - normal: phi(z_a) / (1 - a);
 * - t_nu: sqrt((nu - 2) / nu) g_nu(q) (nu + q^2) / ((nu - 1)(1 - a)), q the t_nu quantile, g_nu its density.
 * A linear loss a^T X of elliptical factors X is sd(a^T X) times this, the control variate's known mean. Filtered
 * historical simulation draws its t copula from the t law, whose delta-t loss is the control: its t_nu figure.
 */
export function unitEllipticalEs(confidence: number, innovations: Innovations): number {
  const key = innovations.kind === "normal" ? `n${confidence}` : `t${innovations.nu}|${confidence}`;
  let es = known.get(key);
  if (es === undefined) {
    es = closedForm(confidence, innovations);
    if (known.size > 64) known.clear();
    known.set(key, es);
  }
  return es;
}

/** Values already computed: every xchain report of a tick asks for the same one (the t quantile is iterative). */
const known = new Map<string, number>();

function closedForm(confidence: number, innovations: Innovations): number {
  if (!(confidence > 0 && confidence < 1)) throw invalidInput("$.confidence", "must be in (0,1)");
  const tail = 1 - confidence;
  if (innovations.kind === "normal") return normalPdf(normalQuantile(confidence)) / tail;
  const nu = innovations.nu;
  if (!(nu > 2 && Number.isFinite(nu))) throw invalidInput("$.innovations.nu", "must be a finite number > 2");
  const q = quantileT(confidence, nu);
  return (Math.sqrt((nu - 2) / nu) * pdfT(q, nu) * (nu + q * q)) / ((nu - 1) * tail);
}
