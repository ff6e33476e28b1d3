import { parseUnits } from "../../core/decimal.js";
import { XmarginError } from "../../core/errors.js";
import { getToken } from "../../market/tokenRegistry.js";
import type { BridgeMove } from "./bridgeExecutor.js";

/** Most fractional digits taken from a float amount (beyond that a float has no exact digits to give). */
const MAX_FLOAT_DIGITS = 12;

/**
 * The cross-chain moves of a plan's steps (`{token, fromChain, toChain, units}` as the rebalancing engine gives them, units a number or
 * a decimal string as stored plans carry them)
 * in base units of the source chain's token (per the token registry, rounded down). Steps without a chain change are skipped.
 * Errors name the step (`$.steps[2].units`).
 * @example
 * movesOfPlanSteps([{ token: "USDC", fromChain: "ethereum", toChain: "arbitrum", units: 1500 }]);
 */
export function movesOfPlanSteps(steps: ReadonlyArray<Record<string, unknown>>): BridgeMove[] {
  const moves: BridgeMove[] = [];
  steps.forEach((s, i) => {
    const { token, fromChain, toChain, units } = s;
    if (typeof fromChain !== "string" || typeof toChain !== "string" || fromChain === toChain) return;
    if (typeof token !== "string") {
      throw new XmarginError("a move needs a token symbol", { code: "INVALID_INPUT", path: `$.steps[${i}].token` });
    }
    const { decimals } = getToken(fromChain, token, `$.steps[${i}].token`);
    const path = `$.steps[${i}].units`;
    let amountRaw: bigint;
    if (typeof units === "string") {
      // A stored plan carries decimal strings: exact, cut (not rounded) to the token's decimals.
      const [whole = "0", frac = ""] = units.split(".");
      amountRaw = parseUnits(frac ? `${whole}.${frac.slice(0, decimals)}` : whole, decimals, path);
    } else if (typeof units === "number" && Number.isFinite(units)) {
      const digits = Math.min(decimals, MAX_FLOAT_DIGITS);
      const text = units.toFixed(digits);
      amountRaw = parseUnits(text, decimals, path);
      // toFixed rounds to nearest: never move more than the plan says (it could exceed the balance).
      if (Number(text) > units) amountRaw -= 10n ** BigInt(decimals - digits);
    } else {
      throw new XmarginError("a move needs an amount (number or decimal string)", { code: "INVALID_INPUT", path });
    }
    if (amountRaw < 0n) throw new XmarginError("a move needs an amount > 0", { code: "INVALID_INPUT", path });
    if (amountRaw > 0n) moves.push({ token, fromChain, toChain, amountRaw });
  });
  return moves;
}
