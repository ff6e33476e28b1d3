import { z } from "zod";
import { invalidInput } from "../../core/errors.js";
import { FEATURE_NAMES, N_FEATURES } from "./features.js";

/** Version of the artefact layout; bump when features or the network change. */
export const FORECAST_WEIGHTS_VERSION = 1;

/** Largest |log multiplier| a forecast may apply to its EWMA base (e^3 ~ 20x either way). */
export const MAX_LOG_MULTIPLIER = 3;

/** Hyper-parameters of the one-hidden-layer network and its training. */
export interface MlpHyper {
  hidden: number;
  epochs: number;
  /** L2 penalty on the weights. */
  l2: number;
  learningRate: number;
  batchSize: number;
  seed: number;
}

const finite = z.number().finite();

/** The weights artefact: a tanh network mapping standardised features to ln(next variance / EWMA variance). */
export const forecastWeightsSchema = z
  .object({
    kind: z.literal("xmargin-vol-forecaster"),
    version: z.literal(FORECAST_WEIGHTS_VERSION),
    group: z.enum(["underlying", "basis"]),
    features: z.array(z.string()),
    hyper: z
      .object({
        hidden: z.number().int().min(1).max(256),
        epochs: z.number().int().min(1),
        l2: z.number().min(0),
        learningRate: z.number().positive(),
        batchSize: z.number().int().min(1),
        seed: z.number().int().min(0),
      })
      .strict(),
    trainedThrough: z.string(),
    trainingRows: z.number().int().min(1),
    factors: z.array(z.string()),
    /**
     * Factors where the forecasting report found this model better out of sample (DM p < 0.05, coverage not
     * worse): the ones `method: "auto"` forecasts with it.
     */
    defaultFor: z.array(z.string()).default([]),
    featureMean: z.array(finite),
    featureStd: z.array(finite.positive()),
    w1: z.array(finite),
    b1: z.array(finite),
    w2: z.array(finite),
    b2: finite,
  })
  .strict();

export type ForecastWeights = z.infer<typeof forecastWeightsSchema>;

/** Checks that an artefact matches this build's feature list and its arrays their declared sizes. */
export function checkWeights(w: ForecastWeights, path = "$"): void {
  if (w.features.join(",") !== FEATURE_NAMES.join(",")) {
    throw invalidInput(`${path}.features`, "feature list differs from this build", `got ${w.features.join(",")}`);
  }
  const h = w.hyper.hidden;
  const sizes: Array<[string, number, number]> = [
    ["featureMean", w.featureMean.length, N_FEATURES],
    ["featureStd", w.featureStd.length, N_FEATURES],
    ["w1", w.w1.length, N_FEATURES * h],
    ["b1", w.b1.length, h],
    ["w2", w.w2.length, h],
  ];
  for (const [name, got, want] of sizes) {
    if (got !== want) throw invalidInput(`${path}.${name}`, `must have ${want} entries`, `got ${got}`);
  }
}

/** Weights unpacked into typed arrays for the prediction loop. */
export interface MlpKernel {
  hidden: number;
  mean: Float64Array;
  invStd: Float64Array;
  w1: Float64Array;
  b1: Float64Array;
  w2: Float64Array;
  b2: number;
  /** Scratch for the hidden layer (one per kernel, reused by every row). */
  scratch: Float64Array;
}

export function mlpKernel(w: ForecastWeights): MlpKernel {
  checkWeights(w);
  return {
    hidden: w.hyper.hidden,
    mean: Float64Array.from(w.featureMean),
    invStd: Float64Array.from(w.featureStd, (s) => 1 / s),
    w1: Float64Array.from(w.w1),
    b1: Float64Array.from(w.b1),
    w2: Float64Array.from(w.w2),
    b2: w.b2,
    scratch: new Float64Array(w.hyper.hidden),
  };
}

/**
 * ln(next-day variance / EWMA base variance) for one feature row, clipped to +-MAX_LOG_MULTIPLIER.
 * w1 is row-major N_FEATURES x hidden (input-major, as tfjs stores a dense kernel).
 */
export function predictLogMultiplier(k: MlpKernel, features: Float64Array, offset: number): number {
  const h = k.hidden;
  const a = k.scratch;
  for (let j = 0; j < h; j++) a[j] = k.b1[j]!;
  for (let i = 0; i < N_FEATURES; i++) {
    const x = (features[offset + i]! - k.mean[i]!) * k.invStd[i]!;
    for (let j = 0; j < h; j++) a[j] = a[j]! + x * k.w1[i * h + j]!;
  }
  let out = k.b2;
  for (let j = 0; j < h; j++) out += Math.tanh(a[j]!) * k.w2[j]!;
  return Math.min(MAX_LOG_MULTIPLIER, Math.max(-MAX_LOG_MULTIPLIER, out));
}
