import { invalidInput } from "../core/errors.js";
import { MARGIN_MODEL_NAMES, type MarginModelName } from "../margin/models.js";
import { suggestion } from "./didYouMean.js";

/** A model name given on the command line, or INVALID_INPUT naming the option with the nearest model. */
export function checkModelName(name: string, option = "--model"): MarginModelName {
  if ((MARGIN_MODEL_NAMES as readonly string[]).includes(name)) return name as MarginModelName;
  throw invalidInput(option, `unknown model "${name}"`, suggestion(name, MARGIN_MODEL_NAMES));
}
