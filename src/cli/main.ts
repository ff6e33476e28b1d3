#!/usr/bin/env node
import { XmarginError } from "../core/errors.js";
import { CommandFailure } from "./commandFailure.js";
import { run } from "./run.js";

/** Entry point of the `xmargin` command: prints the result, or one line naming the bad field and exits non-zero. */
async function main(): Promise<void> {
  try {
    process.stdout.write(`${await run(process.argv.slice(2))}\n`);
  } catch (err) {
    if (err instanceof CommandFailure) process.stdout.write(`${err.stdout}\n`);
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`xmargin: ${message.split("\n")[0]}\n`);
    process.exitCode =
      err instanceof XmarginError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") ? 2 : 1;
  }
}

void main();
