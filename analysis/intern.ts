/**
 * A table of strings found by a range of another string, without cutting the range out first:
 * table.find(text, start, end) answers whether text.slice(start, end) is a key, comparing characters in
 * place. The analysis stages look words up this way while they scan a mention, so a word already in
 * the table costs no new string and no hashing by the engine, and the stages after the scanner get the
 * table's own string (hashed once) and whatever was stored with it.
 */

/** Start value and multiplier of hashRange (for a caller that hashes while it scans). */
export const HASH_START = 0x811c9dc5 | 0;
export const HASH_PRIME = 0x01000193;

/** Hash of text[start, end) (FNV-1a over UTF-16 code units). */
export function hashRange(text: string, start: number, end: number): number {
  let h = HASH_START;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), HASH_PRIME);
  return h;
}

/** Open-addressing table from strings to values, looked up by a range of another string. */
export class RangeTable<V> {
  private keys: string[] = [];
  private values: V[] = [];
  /**
   * The keys' characters, one after another: compared in place of the key strings, whatever their
   * representation in the engine. Key i is chars[bounds[2i], bounds[2i] + bounds[2i + 1]).
   */
  private chars = new Uint16Array(1024);
  private used = 0;
  private bounds = new Int32Array(256);
  /** Per slot, its key's hash and (entry index + 1), side by side (0: empty): one memory read per probe. */
  private slots: Int32Array;
  private mask: number;

  constructor(capacity = 1024) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.slots = new Int32Array(size * 2);
    this.mask = size - 1;
  }

  /** Number of keys. */
  get size(): number {
    return this.keys.length;
  }

  /** Index of the key equal to text[start, end), or -1. `hash` must be hashRange(text, start, end). */
  find(text: string, start: number, end: number, hash: number = hashRange(text, start, end)): number {
    const len = end - start;
    const slots = this.slots;
    const mask = this.mask;
    for (let s = hash & mask; ; s = (s + 1) & mask) {
      const e = slots[2 * s + 1] as number;
      if (e === 0) return -1;
      if (slots[2 * s] !== hash) continue;
      const bounds = this.bounds;
      if (bounds[2 * e - 1] !== len) continue;
      const at = (bounds[2 * e - 2] as number) - start;
      const chars = this.chars;
      let k = start;
      while (k < end && chars[at + k] === text.charCodeAt(k)) k++;
      if (k === end) return e - 1;
    }
  }

  /** Index of `key`, or -1. */
  indexOf(key: string): number {
    return this.find(key, 0, key.length);
  }

  /** The key at an index from find(). */
  key(index: number): string {
    return this.keys[index] as string;
  }

  /** The value at an index from find(). */
  value(index: number): V {
    return this.values[index] as V;
  }

  /** Replaces the value at an index from find(). */
  setValue(index: number, value: V): void {
    this.values[index] = value;
  }

  /** Adds a key that is not in the table yet (see find) and returns its index. */
  add(key: string, value: V, hash: number = hashRange(key, 0, key.length)): number {
    if ((this.keys.length + 1) * 4 > this.slots.length) this.grow();
    const index = this.keys.length;
    this.keys.push(key);
    this.values.push(value);
    if (this.used + key.length > this.chars.length) {
      const chars = new Uint16Array(Math.max(this.chars.length * 2, this.used + key.length));
      chars.set(this.chars);
      this.chars = chars;
    }
    if (2 * index + 2 > this.bounds.length) {
      const bounds = new Int32Array(this.bounds.length * 2);
      bounds.set(this.bounds);
      this.bounds = bounds;
    }
    this.bounds[2 * index] = this.used;
    this.bounds[2 * index + 1] = key.length;
    for (let k = 0; k < key.length; k++) this.chars[this.used++] = key.charCodeAt(k);
    this.place(this.slots, this.mask, hash, index);
    return index;
  }

  private place(slots: Int32Array, mask: number, hash: number, index: number): void {
    let s = hash & mask;
    while (slots[2 * s + 1] !== 0) s = (s + 1) & mask;
    slots[2 * s] = hash;
    slots[2 * s + 1] = index + 1;
  }

  private grow(): void {
    const old = this.slots;
    const slots = new Int32Array(old.length * 2);
    const mask = slots.length / 2 - 1;
    for (let s = 0; s < old.length; s += 2) if (old[s + 1] !== 0) this.place(slots, mask, old[s] as number, (old[s + 1] as number) - 1);
    this.slots = slots;
    this.mask = mask;
  }
}
