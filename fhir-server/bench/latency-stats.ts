/** Summary of one measured run: counts, throughput and latency percentiles in milliseconds. */
export interface LatencySummary {
  readonly requests: number;
  readonly errors: number;
  readonly elapsedMs: number;
  /** Requests per second (or items per second, when each request carries several items). */
  readonly throughput: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** Collects request latencies; grows without copying every sample into a JS array of objects. */
export class LatencyRecorder {
  private samples = new Float64Array(4096);
  private count = 0;
  errors = 0;
  readonly errorSamples: string[] = [];

  add(ms: number): void {
    if (this.count === this.samples.length) {
      const grown = new Float64Array(this.samples.length * 2);
      grown.set(this.samples);
      this.samples = grown;
    }
    this.samples[this.count++] = ms;
  }

  addError(description: string): void {
    this.errors++;
    if (this.errorSamples.length < 5) {
      this.errorSamples.push(description);
    }
  }

  get requests(): number {
    return this.count;
  }

  /** @param itemsPerRequest e.g. 50 for transaction Bundles of 50 resources, to report resources/s. */
  summarize(elapsedMs: number, itemsPerRequest = 1): LatencySummary {
    const sorted = this.samples.slice(0, this.count).sort();
    return {
      requests: this.count,
      errors: this.errors,
      elapsedMs,
      throughput: elapsedMs > 0 ? (this.count * itemsPerRequest * 1000) / elapsedMs : 0,
      p50: percentile(sorted, 0.5),
      p95: percentile(sorted, 0.95),
      p99: percentile(sorted, 0.99),
      max: sorted.length ? sorted[sorted.length - 1] : 0,
    };
  }
}

/** Nearest-rank percentile of sorted samples (0 when there are none). */
export function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) {
    return 0;
  }
  const rank = Math.ceil(fraction * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}
