/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by source file,
 * so a bench miss can be attributed with numbers.
 *
 *   node dist/bench/lib/profile-summary.js <file.cpuprofile> [--top 30]
 */
import { readFileSync } from 'node:fs'
import { dec, markdownTable, pct } from './table.js'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

export interface SelfTime {
  name: string
  ms: number
  share: number
}

function shortUrl(url: string): string {
  if (url === '') return '(native / V8)'
  const dist = url.indexOf('/dist/')
  if (dist >= 0) return url.slice(dist + 6)
  const nm = url.lastIndexOf('node_modules/')
  if (nm >= 0) return url.slice(nm + 13)
  return url.replace(/^file:\/\//, '')
}

/** Self time per function and per file, in ms and as a share of all samples. */
export function summarizeProfile(profile: CpuProfile): {
  total: number
  byFunction: SelfTime[]
  byFile: SelfTime[]
} {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const selfUs = new Map<number, number>()
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  })
  const fn = new Map<string, number>()
  const file = new Map<string, number>()
  let total = 0
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!
    const { functionName, url, lineNumber } = node.callFrame
    const where = shortUrl(url)
    const name = `${functionName || '(anonymous)'} ${url ? `${where}:${lineNumber + 1}` : ''}`.trim()
    fn.set(name, (fn.get(name) ?? 0) + us)
    file.set(where, (file.get(where) ?? 0) + us)
    total += us
  }
  const list = (m: Map<string, number>) =>
    [...m].map(([name, us]) => ({ name, ms: us / 1000, share: us / total })).sort((a, b) => b.ms - a.ms)
  return { total: total / 1000, byFunction: list(fn), byFile: list(file) }
}

function main(): void {
  const path = process.argv[2]
  if (!path) throw new Error('usage: profile-summary <file.cpuprofile> [--top N]')
  const topIndex = process.argv.indexOf('--top')
  const top = topIndex >= 0 ? Number(process.argv[topIndex + 1]) : 30
  const summary = summarizeProfile(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile)
  const rows = (list: SelfTime[]) => list.slice(0, top).map((s) => [s.name, dec(s.ms, 0), pct(s.share, 1)])
  console.log(`profile: ${dec(summary.total, 0)} ms sampled\n`)
  console.log(
    markdownTable(
      ['function (self time)', { header: 'ms', align: 'right' }, { header: 'share', align: 'right' }],
      rows(summary.byFunction),
    ),
  )
  console.log()
  console.log(
    markdownTable(
      ['file (self time)', { header: 'ms', align: 'right' }, { header: 'share', align: 'right' }],
      rows(summary.byFile),
    ),
  )
}

if (import.meta.url === `file://${process.argv[1]}`) main()
