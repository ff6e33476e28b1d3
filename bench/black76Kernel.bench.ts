import { black76PriceUnchecked } from "../src/pricing/black76.js";
import { BLACK76_SIMD_CAPACITY, black76SimdKernel } from "../src/pricing/wasm/black76Simd.js";
import { Prng } from "../src/risk/prng.js";
import { emit, measure, summarize } from "./measure.js";

/**
 * Black-76 alone, ns per price: the WASM SIMD kernel over one full batch (4,096 BTC-like options: forward 30k +-30%,
 * strikes e^(+-0.5) around it, vol sqrt T 0.05-0.65, calls and puts at random) beside `black76PriceUnchecked` in a
 * plain loop over the same inputs, in the same run.
 */
export function benchBlack76Kernel(): void {
  const n = BLACK76_SIMD_CAPACITY;
  const rng = new Prng(17);
  const rand = () => rng.nextUniform();
  const f = new Float64Array(n);
  const k = new Float64Array(n);
  const sd = new Float64Array(n);
  const sign = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    f[i] = 30_000 * (0.7 + 0.6 * rand());
    k[i] = 30_000 * Math.exp(rand() - 0.5);
    sd[i] = 0.05 + 0.6 * rand();
    sign[i] = rand() < 0.5 ? 1 : -1;
  }
  let checksum = 0;
  const js = summarize(
    measure(() => {
      for (let i = 0; i < n; i++) checksum += black76PriceUnchecked(f[i]!, k[i]!, 1, sd[i]!, 0.99, sign[i]! > 0);
    }, 300),
  );
  const nsPerPrice = (ms: number) => Number(((ms * 1e6) / n).toFixed(1));
  emit({ bench: "black76_price_4096", kernel: "js", ...js, nsPerPriceMin: nsPerPrice(js.minMs), checksum });
  const simd = black76SimdKernel();
  if (!simd) {
    emit({ bench: "black76_price_4096", kernel: "wasm simd f64x2", skipped: "kernel not loaded (switch or no SIMD)" });
    return;
  }
  simd.forwardUsd.set(f);
  simd.strikeUsd.set(k);
  simd.stdDev.set(sd);
  simd.discountFactor.fill(0.99);
  simd.sign.set(sign);
  const wasm = summarize(measure(() => simd.price(n), 300));
  emit({
    bench: "black76_price_4096",
    kernel: "wasm simd f64x2",
    ...wasm,
    nsPerPriceMin: nsPerPrice(wasm.minMs),
    ratioToJsAtMin: Number((js.minMs / wasm.minMs).toFixed(2)),
  });
}
