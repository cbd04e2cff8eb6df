/**
 * A small Prometheus registry: counters, gauges and histograms with labels,
 * rendered in the text exposition format (version 0.0.4). Gauges may be
 * collected at scrape time from the store (ledger size, partners).
 */

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

type Labels = Record<string, string>

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

function labelText(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels)
  if (extra) pairs.push(extra)
  return pairs.length === 0 ? '' : `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`
}

function number(n: number): string {
  if (n === Number.POSITIVE_INFINITY) return '+Inf'
  if (n === Number.NEGATIVE_INFINITY) return '-Inf'
  return Number.isNaN(n) ? 'NaN' : String(n)
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/

interface Metric {
  readonly name: string
  render(): string[] | Promise<string[]>
}

abstract class Family<T> implements Metric {
  readonly #series = new Map<string, { labels: Labels; value: T }>()
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    /** Most distinct label sets kept; later ones fold into `_other` so a hostile client cannot grow memory. */
    readonly maxSeries = 2000,
  ) {
    if (!NAME.test(name)) throw new Error(`bad metric name ${name}`)
  }

  protected series(labels: Labels, create: () => T): T {
    const ordered: Labels = {}
    for (const n of this.labelNames) ordered[n] = labels[n] ?? ''
    let key = JSON.stringify(ordered)
    let found = this.#series.get(key)
    if (!found && this.#series.size >= this.maxSeries) {
      for (const n of this.labelNames) ordered[n] = '_other'
      key = JSON.stringify(ordered)
      found = this.#series.get(key)
    }
    if (!found) {
      found = { labels: ordered, value: create() }
      this.#series.set(key, found)
    }
    return found.value
  }

  protected entries(): { labels: Labels; value: T }[] {
    return [...this.#series.values()]
  }

  protected header(type: string): string[] {
    return [
      `# HELP ${this.name} ${this.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`,
      `# TYPE ${this.name} ${type}`,
    ]
  }

  abstract render(): string[]
}

export class Counter extends Family<{ n: number }> {
  inc(labels: Labels = {}, by = 1): void {
    if (by < 0) throw new Error('a counter only goes up')
    this.series(labels, () => ({ n: 0 })).n += by
  }

  value(labels: Labels = {}): number {
    return this.series(labels, () => ({ n: 0 })).n
  }

  render(): string[] {
    return [
      ...this.header('counter'),
      ...this.entries().map((e) => `${this.name}${labelText(e.labels)} ${number(e.value.n)}`),
    ]
  }
}

export class Gauge extends Family<{ n: number }> {
  set(labels: Labels, value: number): void {
    this.series(labels, () => ({ n: 0 })).n = value
  }

  render(): string[] {
    return [
      ...this.header('gauge'),
      ...this.entries().map((e) => `${this.name}${labelText(e.labels)} ${number(e.value.n)}`),
    ]
  }
}

interface HistogramState {
  buckets: number[]
  sum: number
  count: number
}

export class Histogram extends Family<HistogramState> {
  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    readonly bounds: readonly number[],
  ) {
    super(name, help, labelNames)
  }

  observe(labels: Labels, value: number): void {
    const s = this.series(labels, () => ({ buckets: this.bounds.map(() => 0), sum: 0, count: 0 }))
    for (let i = 0; i < this.bounds.length; i++) if (value <= this.bounds[i]!) s.buckets[i]!++
    s.sum += value
    s.count++
  }

  render(): string[] {
    const lines = this.header('histogram')
    for (const { labels, value } of this.entries()) {
      for (let i = 0; i < this.bounds.length; i++) {
        lines.push(
          `${this.name}_bucket${labelText(labels, ['le', number(this.bounds[i]!)])} ${value.buckets[i]}`,
        )
      }
      lines.push(`${this.name}_bucket${labelText(labels, ['le', '+Inf'])} ${value.count}`)
      lines.push(`${this.name}_sum${labelText(labels)} ${number(value.sum)}`)
      lines.push(`${this.name}_count${labelText(labels)} ${value.count}`)
    }
    return lines
  }
}

/** A gauge whose values are read when scraped. */
class CollectedGauge implements Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly collect: () => Promise<{ labels: Labels; value: number }[]>,
  ) {
    if (!NAME.test(name)) throw new Error(`bad metric name ${name}`)
  }

  async render(): Promise<string[]> {
    const values = await this.collect()
    return [
      `# HELP ${this.name} ${this.help}`,
      `# TYPE ${this.name} gauge`,
      ...values.map((v) => `${this.name}${labelText(v.labels)} ${number(v.value)}`),
    ]
  }
}

export class MetricsRegistry {
  readonly #metrics = new Map<string, Metric>()

  #add<M extends Metric>(metric: M): M {
    if (this.#metrics.has(metric.name)) throw new Error(`metric ${metric.name} is already registered`)
    this.#metrics.set(metric.name, metric)
    return metric
  }

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.#add(new Counter(name, help, labelNames))
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.#add(new Gauge(name, help, labelNames))
  }

  histogram(name: string, help: string, labelNames: readonly string[], bounds: readonly number[]): Histogram {
    return this.#add(new Histogram(name, help, labelNames, bounds))
  }

  collected(name: string, help: string, collect: () => Promise<{ labels: Labels; value: number }[]>): void {
    this.#add(new CollectedGauge(name, help, collect))
  }

  /** The exposition text; a collector that fails is left out rather than failing the scrape. */
  async render(): Promise<string> {
    const lines: string[] = []
    for (const metric of this.#metrics.values()) {
      try {
        lines.push(...(await metric.render()))
      } catch {
        // e.g. the store is briefly unreachable; readiness reports that
      }
    }
    return `${lines.join('\n')}\n`
  }
}
