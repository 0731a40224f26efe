// The primary keys a preview has seen, for duplicate detection across pages, in a bounded number of bytes.
// A Map of the key texts cost ~60 bytes a key plus the text (12+ MB for 200,000 short keys, more for UUIDs
// or long texts, and twice that while it rehashed), and all of it was V8 heap that the engine's RSS kept
// after the preview closed. Here a key is a 63-bit hash of its whole text in an open-addressing table of
// two 32-bit words a slot: 8 bytes a slot, at most half the slots used, so 4 MiB for 200,000 keys.
//
// Two distinct keys share a hash with probability 2^-63; among n distinct keys the chance that any pair
// does is about n² / 2^64: 2.2e-9 for 200,000 keys. Such a pair would be flagged as a duplicate that is
// not one (never the other way round: a real duplicate always has the same hash).

/** A key's hash: two 32-bit words; [0, 0] stands for NULL (no key), which a real key never hashes to. */
export type KeyHash = readonly [hi: number, lo: number];

export const NULL_KEY: KeyHash = [0, 0];

/** The duplicate mark, kept in the top bit of a slot's high word (so a hash has 63 bits). */
const SEEN_TWICE = 0x8000_0000;
const HASH_HI = 0x7fff_ffff;
const FIRST_SLOTS = 1024;

/**
 * A 63-bit hash of `text` (all of it, every UTF-16 unit): two multiplicative lanes, each mixed with the
 * other at the end (cyrb53's scheme, keeping 31 + 32 bits instead of 53). Not cryptographic: the keys are
 * the user's own data, and a collision only flags a row that is not a duplicate.
 */
export function hashKey(text: string): KeyHash {
  let h1 = 0xdeadbeef ^ text.length;
  let h2 = 0x41c6ce57 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const hi = (h2 & HASH_HI) >>> 0;
  const lo = h1 >>> 0;
  // [0, 0] is NULL and an empty slot: the one hash that would look like it moves to [0, 1].
  return hi === 0 && lo === 0 ? [0, 1] : [hi, lo];
}

export type Sighting = 'first' | 'second' | 'again' | 'untracked';

export class KeySet {
  /** Slot i is words 2i (high word with the duplicate mark) and 2i + 1; [0, 0] is an empty slot. */
  private slots = new Uint32Array(2 * FIRST_SLOTS);
  private mask = FIRST_SLOTS - 1;
  private count = 0;

  /** `maxKeys`: distinct keys remembered; later new keys are not, but repeats of remembered ones still count. */
  constructor(readonly maxKeys: number) {}

  get size(): number {
    return this.count;
  }

  /** Bytes the table holds (its typed array; the object around it is a few words). */
  get bytes(): number {
    return this.slots.byteLength;
  }

  /** One more row with key `h`: whether it is the first, the second (a duplicate found now) or a later one. */
  see(h: KeyHash): Sighting {
    const [hi, lo] = h;
    const i = this.find(hi, lo);
    if (this.slots[i] !== 0 || this.slots[i + 1] !== 0) {
      if (this.slots[i]! & SEEN_TWICE) return 'again';
      this.slots[i] = (this.slots[i]! | SEEN_TWICE) >>> 0;
      return 'second';
    }
    if (this.count >= this.maxKeys) return 'untracked';
    this.slots[i] = hi;
    this.slots[i + 1] = lo;
    this.count++;
    // At most half full: a lookup then probes ~1.5 slots on average (linear probing).
    if (2 * this.count > this.mask + 1) this.grow();
    return 'first';
  }

  /** Whether key `h` was seen more than once. */
  isDuplicate(h: KeyHash): boolean {
    const i = this.find(h[0], h[1]);
    return (this.slots[i]! & SEEN_TWICE) !== 0;
  }

  /** The word index of the slot holding the hash, or of the empty slot where it would go. */
  private find(hi: number, lo: number): number {
    let slot = lo & this.mask;
    for (;;) {
      const i = 2 * slot;
      const h = this.slots[i]!;
      const l = this.slots[i + 1]!;
      if ((h === 0 && l === 0) || ((h & HASH_HI) === hi && l === lo)) return i;
      slot = (slot + 1) & this.mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    const slots = 2 * (this.mask + 1);
    this.slots = new Uint32Array(2 * slots);
    this.mask = slots - 1;
    for (let i = 0; i < old.length; i += 2) {
      const hi = old[i]!;
      const lo = old[i + 1]!;
      if (hi === 0 && lo === 0) continue;
      const j = this.find(hi & HASH_HI, lo);
      this.slots[j] = hi;
      this.slots[j + 1] = lo;
    }
  }
}
