/**
 * An append-only typed-array column with spare capacity, so the batch grid engine can add accounts without rebuilding
 * its layout. Hot loops read `data` (valid up to `length`) into a local; it is replaced, never resized, on growth.
 */
export class GrowableColumn<T extends Float64Array | Int32Array | Uint8Array> {
  data: T;
  length = 0;

  constructor(
    private readonly make: (capacity: number) => T,
    capacity = 16,
  ) {
    this.data = make(Math.max(1, capacity));
  }

  /** Appends one value; returns its index. */
  push(x: number): number {
    if (this.length === this.data.length) this.reserve(this.length + 1);
    this.data[this.length] = x;
    return this.length++;
  }

  /** Appends `n` zeros; returns the index of the first. */
  pushZeros(n: number): number {
    const at = this.length;
    this.reserve(at + n);
    this.data.fill(0, at, at + n);
    this.length = at + n;
    return at;
  }

  /** Makes room for `n` entries in all (at least doubling, so appends cost O(1) amortised). */
  reserve(n: number): void {
    if (n <= this.data.length) return;
    const next = this.make(Math.max(n, 2 * this.data.length));
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }

  /** Bytes held, spare capacity included. */
  bytes(): number {
    return this.data.byteLength;
  }
}

// Initial capacities of 64 bytes: V8 keeps typed arrays that small on its heap, far cheaper to make than an
// ArrayBuffer, which matters when `computeGridPm` builds an engine for a single account.
export const f64Column = (capacity = 8) => new GrowableColumn((n) => new Float64Array(n), capacity);
export const i32Column = (capacity = 16) => new GrowableColumn((n) => new Int32Array(n), capacity);
export const u8Column = (capacity = 64) => new GrowableColumn((n) => new Uint8Array(n), capacity);
