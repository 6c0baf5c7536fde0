/**
 * The metric instruments the core records into. The registry behind them (Prometheus text
 * rendering) is observability/metrics.ts; adapters create one per process and hand it over in
 * `Runtime.metrics`, so series survive reloads.
 * @module
 */

export interface Counter {
  inc(values: readonly string[], by?: number): void
}
export interface Gauge {
  set(values: readonly string[], value: number): void
  add(values: readonly string[], by: number): void
}
export interface Histogram {
  observe(values: readonly string[], value: number): void
}

export interface MetricsRegistry {
  counter(name: string, help: string, labels: readonly string[]): Counter
  gauge(name: string, help: string, labels: readonly string[]): Gauge
  histogram(name: string, help: string, labels: readonly string[], buckets?: readonly number[]): Histogram
  /** Runs before each render (gauges read from live state, e.g. circuit state). */
  onCollect(fn: () => void): () => void
  render(): string
}
