/**
 * Per-path working buffers of the xchain report, reused from one report to the next so that a report allocates little
 * beyond its output. The report is synchronous and its buffers never escape it, so one set per thread is enough.
 */
const buffers = new Map<string, Float64Array>();

/** A Float64Array of exactly `length` for `name`, contents undefined (callers fill it). */
export function scratchBuffer(name: string, length: number): Float64Array {
  let b = buffers.get(name);
  if (!b || b.length < length) {
    b = new Float64Array(length);
    buffers.set(name, b);
  }
  return b.length === length ? b : b.subarray(0, length);
}
