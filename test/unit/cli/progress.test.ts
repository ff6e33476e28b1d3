import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { progressBar } from "../../../src/cli/progress.js";

/** A stream that records what is written, claiming to be a terminal or not. */
function sink(isTTY: boolean): NodeJS.WriteStream & { text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  }) as unknown as NodeJS.WriteStream & { text: () => string };
  Object.assign(w, { isTTY, columns: 100, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  w.text = () => chunks.join("");
  return w;
}

describe("progressBar (cli-progress on stderr)", () => {
  it("draws the label and the count on a terminal", () => {
    const out = sink(true);
    const bar = progressBar({ stream: out });
    bar("perp market", 1, 4);
    bar("perp market", 4, 4);
    bar.done();
    expect(out.text()).toContain("perp market");
    expect(out.text()).toMatch(/4\/4/);
  });

  it("stays silent when the stream is not a terminal or with --quiet", () => {
    const pipe = sink(false);
    const p = progressBar({ stream: pipe });
    p("x", 1, 2);
    p.done();
    const tty = sink(true);
    const q = progressBar({ stream: tty, quiet: true });
    q("x", 1, 2);
    q.done();
    expect(pipe.text()).toBe("");
    expect(tty.text()).toBe("");
  });
});
