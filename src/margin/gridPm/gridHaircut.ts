import { invalidInput } from "../../core/errors.js";
import type { GridPmConfig } from "./config.js";

/**
 * The grid model's haircut rate of a holding of token kind `kind` (0.1 = 10% off its value as collateral); a kind the
 * config has no rate for is an error naming the config field, never a haircut of 0.
 */
export function gridHaircut(config: GridPmConfig, kind: string): number {
  const h = config.haircutByKind[kind];
  if (h === undefined) throw invalidInput(`$.config.haircutByKind.${kind}`, `no haircut for token kind ${kind}`);
  return h;
}
