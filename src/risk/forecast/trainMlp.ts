import * as tf from "@tensorflow/tfjs";
import { invalidInput } from "../../core/errors.js";
import { Prng } from "../prng.js";
import { N_FEATURES } from "./features.js";
import type { MlpHyper } from "./mlp.js";

/** The learned part of a weights artefact. */
export interface TrainedMlp {
  featureMean: number[];
  featureStd: number[];
  w1: number[];
  b1: number[];
  w2: number[];
  b2: number;
  /** Mean training QLIKE (ratio form) after the last epoch. */
  finalLoss: number;
}

let backendReady: Promise<void> | undefined;

/** tfjs on its pure-JS CPU backend (deterministic, nothing native); prod mode silences its console hints. */
function cpuBackend(): Promise<void> {
  backendReady ??= (async () => {
    tf.enableProdMode();
    await tf.setBackend("cpu");
  })();
  return backendReady;
}

function standardise(x: Float64Array, nRows: number): { mean: number[]; std: number[]; z: Float32Array } {
  const mean = new Array<number>(N_FEATURES).fill(0);
  const std = new Array<number>(N_FEATURES).fill(0);
  for (let r = 0; r < nRows; r++) for (let i = 0; i < N_FEATURES; i++) mean[i]! += x[r * N_FEATURES + i]! / nRows;
  for (let r = 0; r < nRows; r++) {
    for (let i = 0; i < N_FEATURES; i++) std[i]! += (x[r * N_FEATURES + i]! - mean[i]!) ** 2 / nRows;
  }
  // A constant column (e.g. no volume in a group) gets std 1, so it contributes nothing after centring.
  for (let i = 0; i < N_FEATURES; i++) std[i] = std[i]! > 1e-12 ? Math.sqrt(std[i]!) : 1;
  const z = new Float32Array(nRows * N_FEATURES);
  for (let r = 0; r < nRows; r++) {
    for (let i = 0; i < N_FEATURES; i++) z[r * N_FEATURES + i] = (x[r * N_FEATURES + i]! - mean[i]!) / std[i]!;
  }
  return { mean, std, z };
}

/**
 * Trains the one-hidden-layer tanh network on the QLIKE loss in ratio form, mean(y e^-m + m), whose minimiser is
 * m = ln E[y | x]: y is the next squared return over the EWMA base variance, so exp(m) is the learned multiplier of
 * the base. Initial weights and the mini-batch order come from the seeded xoshiro generator and tfjs runs on its CPU
 * backend, so the same rows and hyper-parameters give the same weights.
 * @param features row-major nRows x N_FEATURES
 * @param target y per row, finite and >= 0
 */
export async function trainMlp(
  features: Float64Array,
  target: Float64Array,
  hyper: MlpHyper,
  onEpoch?: (done: number, total: number) => void,
): Promise<TrainedMlp> {
  const nRows = target.length;
  if (nRows < hyper.batchSize) throw invalidInput("$.rows", `need at least ${hyper.batchSize} training rows`);
  if (features.length !== nRows * N_FEATURES) throw invalidInput("$.features", "size must be rows x features");
  for (let r = 0; r < nRows; r++) {
    if (!(target[r]! >= 0 && Number.isFinite(target[r]!))) throw invalidInput(`$.target[${r}]`, "must be finite >= 0");
  }
  await cpuBackend();
  const { mean, std, z } = standardise(features, nRows);
  const rng = new Prng(hyper.seed);
  const h = hyper.hidden;
  const init = (n: number, fanIn: number) =>
    Float32Array.from({ length: n }, () => rng.nextNormal() / Math.sqrt(fanIn));
  const w1 = tf.variable(tf.tensor2d(init(N_FEATURES * h, N_FEATURES), [N_FEATURES, h]));
  const b1 = tf.variable(tf.zeros([h]));
  const w2 = tf.variable(
    tf.tensor2d(
      init(h, h).map((v) => v * 0.1),
      [h, 1],
    ),
  );
  const b2 = tf.variable(tf.zeros([1]));
  const xs = tf.tensor2d(z, [nRows, N_FEATURES]);
  const ys = tf.tensor1d(Float32Array.from(target));
  const optimizer = tf.train.adam(hyper.learningRate);
  const order = Int32Array.from({ length: nRows }, (_, i) => i);
  const nBatches = Math.floor(nRows / hyper.batchSize);
  let finalLoss = Number.NaN;
  for (let epoch = 0; epoch < hyper.epochs; epoch++) {
    for (let i = nRows - 1; i > 0; i--) {
      const j = Math.floor(rng.nextUniform() * (i + 1));
      const tmp = order[i]!;
      order[i] = order[j]!;
      order[j] = tmp;
    }
    let sum = 0;
    for (let b = 0; b < nBatches; b++) {
      const idx = tf.tensor1d(order.subarray(b * hyper.batchSize, (b + 1) * hyper.batchSize), "int32");
      const loss = optimizer.minimize(() => {
        const xb = tf.gather(xs, idx);
        const yb = tf.gather(ys, idx);
        const m = tf.reshape(tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(xb, w1), b1)), w2), b2), [-1]);
        const qlike = tf.mean(tf.add(tf.mul(yb, tf.exp(tf.neg(m))), m));
        return tf.add(qlike, tf.mul(hyper.l2, tf.add(tf.sum(tf.square(w1)), tf.sum(tf.square(w2))))) as tf.Scalar;
      }, true);
      sum += loss ? loss.dataSync()[0]! : Number.NaN;
      loss?.dispose();
      idx.dispose();
    }
    finalLoss = sum / nBatches;
    onEpoch?.(epoch + 1, hyper.epochs);
  }
  const out: TrainedMlp = {
    featureMean: mean,
    featureStd: std,
    w1: Array.from(w1.dataSync()),
    b1: Array.from(b1.dataSync()),
    w2: Array.from(w2.dataSync()),
    b2: b2.dataSync()[0]!,
    finalLoss,
  };
  for (const t of [w1, b1, w2, b2, xs, ys]) t.dispose();
  optimizer.dispose();
  return out;
}
