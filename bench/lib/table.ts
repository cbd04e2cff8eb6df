/** Markdown tables and number formatting for benchmark output. */
import { availableParallelism, cpus, loadavg } from 'node:os'

export type Align = 'left' | 'right'

export interface Column {
  header: string
  align?: Align
}

/** A GitHub-flavoured markdown table; numbers should already be formatted. */
export function markdownTable(
  columns: readonly (Column | string)[],
  rows: readonly (readonly string[])[],
): string {
  const cols = columns.map((c) =>
    typeof c === 'string' ? { header: c, align: 'left' as Align } : { align: 'left' as Align, ...c },
  )
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`
  const rule = `| ${cols.map((c) => (c.align === 'right' ? '---:' : '---')).join(' | ')} |`
  return [line(cols.map((c) => c.header)), rule, ...rows.map((r) => line(r))].join('\n')
}

/** Integer-ish figures with thousands separators. */
export function int(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a'
}

/** A fixed number of decimals. */
export function dec(n: number, digits = 2): string {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a'
}

/** A fraction as a percentage. */
export function pct(fraction: number, digits = 0): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(digits)} %` : 'n/a'
}

/** A ratio such as 0.63×. */
export function ratio(r: number): string {
  return Number.isFinite(r) ? `${r.toFixed(2)}×` : 'n/a'
}

/** "met" or "missed by …" for a figure that must be at least `target`. */
export function verdictAtLeast(value: number, target: number, show: (n: number) => string): string {
  return value >= target
    ? `met (${show(value)} ≥ ${show(target)})`
    : `missed by ${show(target - value)} (${show(value)} < ${show(target)})`
}

/** "met" or "missed by …" for a cost that must be at most `target`. */
export function verdictAtMost(value: number, target: number, show: (n: number) => string): string {
  return value <= target
    ? `met (${show(value)} ≤ ${show(target)})`
    : `missed by ${show(value - target)} (${show(value)} > ${show(target)})`
}

/** One line naming the machine and date, so pasted tables keep their context. */
export function machineLine(): string {
  const model = cpus()[0]?.model.trim() ?? 'unknown CPU'
  return `node ${process.version}, ${availableParallelism()} cores (${model}), load average ${loadavg()[0]!.toFixed(1)} at start, ${new Date().toISOString().slice(0, 10)}`
}
