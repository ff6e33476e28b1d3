import { expect } from "vitest";
import { XmarginError } from "../../src/core/errors.js";

/** The XmarginError `fn` throws; fails the test if it throws nothing or something else. */
export function errorOf(fn: () => unknown): XmarginError {
  try {
    fn();
  } catch (err) {
    if (err instanceof XmarginError) return err;
    throw err;
  }
  throw new Error("expected an XmarginError");
}

/** `fn` throws INVALID_INPUT at `path` with `fragment` in its message. */
export function expectInvalid(fn: () => unknown, path: string, fragment: string): void {
  const e = errorOf(fn);
  expect(e.code).toBe("INVALID_INPUT");
  expect(e.path).toBe(path);
  expect(e.message).toContain(fragment);
}
