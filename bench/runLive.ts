import { benchLiveLatency } from "./liveLatency.bench.js";
import { emit } from "./measure.js";

/** `npm run bench:live`: live-mode latency on two local anvil chains (needs the dev dependencies anvil and solc). */
const t0 = Date.now();
await benchLiveLatency();
emit({ bench: "live.total", seconds: Number(((Date.now() - t0) / 1e3).toFixed(1)) });
