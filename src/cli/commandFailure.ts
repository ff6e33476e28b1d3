/**
 * A command that ran to the end but whose result is a failure (e.g. golden cases that miss their tolerance): its
 * report still goes to stdout, and the process exits non-zero.
 */
export class CommandFailure extends Error {
  override readonly name = "CommandFailure";
  constructor(
    message: string,
    /** The command's full output, printed before the error line. */
    readonly stdout: string,
  ) {
    super(message);
  }
}
