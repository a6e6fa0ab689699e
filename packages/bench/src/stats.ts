import { round } from './log.js';

/** Collects samples (milliseconds) in a growable Float64Array and reports percentiles. */
export class Samples {
  private data = new Float64Array(1 << 14);
  private n = 0;

  add(value: number): void {
    if (this.n === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.n++] = value;
  }

  get count(): number {
    return this.n;
  }

  /** Nearest-rank percentiles, rounded to hundredths of a millisecond. */
  percentiles(ps: number[]): Record<string, number | null> {
    const sorted = this.data.slice(0, this.n).sort();
    const out: Record<string, number | null> = {};
    for (const p of ps) {
      const key = p === 100 ? 'max' : `p${p}`;
      if (this.n === 0) {
        out[key] = null;
        continue;
      }
      const rank = Math.min(this.n - 1, Math.max(0, Math.ceil((p / 100) * this.n) - 1));
      out[key] = round(sorted[rank]!, 2);
    }
    return out;
  }
}
