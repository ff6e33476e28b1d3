import { SingleBar } from "cli-progress";
import type { Progress } from "../backtest/compare.js";

/** A progress callback that can be closed (clears the bar). */
export type ProgressBar = Progress & { done(): void };

export interface ProgressBarOptions {
  /** `--quiet`: never draw. */
  quiet?: boolean;
  /** Where to draw (default stderr, so stdout stays clean for `--json` and pipes). */
  stream?: NodeJS.WriteStream;
}

/**
 * A progress bar for long runs (backtests, cascades), drawn with cli-progress on stderr. Silent when the stream is not
 * a terminal (pipes, CI logs) or with `--quiet`. The bar starts at the first report; a new label restarts it with the
 * new total.
 */
export function progressBar(options: ProgressBarOptions = {}): ProgressBar {
  const stream = options.stream ?? process.stderr;
  const enabled = options.quiet !== true && stream.isTTY === true;
  let bar: SingleBar | undefined;
  let current = "";
  const fn = ((label: string, done: number, total: number) => {
    if (!enabled) return;
    if (!bar) {
      bar = new SingleBar({
        stream,
        format: "[{bar}] {percentage}% | {value}/{total} | {label}",
        barsize: 30,
        hideCursor: true,
        clearOnComplete: true,
        fps: 10,
      });
    }
    if (label !== current) {
      if (current !== "") bar.stop();
      bar.start(Math.max(1, total), done, { label });
      current = label;
    }
    bar.setTotal(Math.max(1, total));
    bar.update(done, { label });
  }) as ProgressBar;
  fn.done = () => {
    bar?.stop();
    bar = undefined;
    current = "";
  };
  return fn;
}
