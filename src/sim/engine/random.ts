// Seeded randomness: MACs, reachable times and ids come from here, so one script gives
// one output on every run.
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";

export class SeededRandom {
  private gen;
  constructor(seed: number) {
    this.gen = xoroshiro128plus(seed);
  }
  /** Uniform integer in [0, 2^32). */
  u32(): number {
    return uniformInt(this.gen, 0, 0xffffffff) >>> 0;
  }
  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return uniformInt(this.gen, lo, hi);
  }
}
