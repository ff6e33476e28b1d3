#!/usr/bin/env node
import { cliErrorJson, cliErrorLine, exitCodeOf } from "./cliError.js";
import { runCli } from "./run.js";

/**
 * Entry point of the `xmargin` command: prints the result on stdout, or the error on stderr (one line, or
 * `{ "error": { code, path, message } }` under --json) and exits non-zero. A closed stdout (`| head`) ends quietly.
 */
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
  try {
    const { text, exitCode } = await runCli(argv);
    process.exitCode = exitCode;
    process.stdout.write(`${text}\n`);
  } catch (err) {
    process.stderr.write(argv.includes("--json") ? `${JSON.stringify(cliErrorJson(err))}\n` : `${cliErrorLine(err)}\n`);
    process.exitCode = exitCodeOf(err);
  }
}

void main();
