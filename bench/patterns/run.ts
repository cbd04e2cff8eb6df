/**
 * STIX patterning throughput: parse rate over the OASIS valid-pattern set, and match rate over
 * 10^5 generated observed-data (documentation address ranges, example.org names), each next to a
 * baseline measured in the same run. Prints a markdown table.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/patterns/run.js
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { compilePattern, parsePattern } from '../../src/stix/pattern/index.js'
import { benchArgs } from '../lib/args.js'

type Obj = Record<string, unknown>

const OBSERVATIONS = 100_000

function loadPatterns(): string[] {
  // dist/bench/patterns/run.js → <repo>/../shared/oracles
  for (const rel of [
    '../../../../shared/oracles/stix-patterns.json',
    '../../../shared/oracles/stix-patterns.json',
  ]) {
    try {
      return (
        JSON.parse(readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8')) as { valid: string[] }
      ).valid
    } catch {}
  }
  return ["[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']"]
}

function time(fn: () => void): number {
  const t0 = process.hrtime.bigint()
  fn()
  return Number(process.hrtime.bigint() - t0) / 1e9
}

/** Best of three runs, after a warm-up. */
function rate(ops: number, fn: () => void): number {
  fn()
  let best = Number.POSITIVE_INFINITY
  for (let i = 0; i < 3; i++) best = Math.min(best, time(fn))
  return ops / best
}

// Deterministic PRNG (mulberry32) so runs are comparable.
function rng(seed: number): () => number {
  let s = seed
  return () => {
    s = (s + 0x6d2b79f5) | 0
    let t = Math.imul(s ^ (s >>> 15), 1 | s)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function generate(n: number): { observed: Obj[]; lookup: Map<string, Obj> } {
  const rand = rng(42)
  const nets = ['192.0.2.', '198.51.100.', '203.0.113.']
  const lookup = new Map<string, Obj>()
  const observed: Obj[] = []
  const base = Date.parse('2024-01-01T00:00:00Z')
  const uuid = (i: number, k: number) =>
    `${k.toString(16).padStart(8, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`
  for (let i = 0; i < n; i++) {
    const ipv4: Obj = {
      type: 'ipv4-addr',
      id: `ipv4-addr--${uuid(i, 1)}`,
      value: nets[i % 3]! + Math.floor(rand() * 256),
    }
    const domain: Obj = {
      type: 'domain-name',
      id: `domain-name--${uuid(i, 2)}`,
      value: `host-${Math.floor(rand() * 5000)}.${rand() < 0.5 ? 'example.org' : 'example.com'}`,
      resolves_to_refs: [ipv4.id],
    }
    const traffic: Obj = {
      type: 'network-traffic',
      id: `network-traffic--${uuid(i, 3)}`,
      dst_ref: ipv4.id,
      dst_port: [53, 80, 443, 8443][Math.floor(rand() * 4)],
      protocols: ['ipv4', 'tcp'],
    }
    const file: Obj = {
      type: 'file',
      id: `file--${uuid(i, 4)}`,
      name: rand() < 0.01 ? `invoice-${i}.exe` : `report-${i}.pdf`,
      hashes: { 'SHA-256': Buffer.from(uuid(i, 5)).toString('hex').slice(0, 64).padEnd(64, '0') },
    }
    for (const o of [ipv4, domain, traffic, file]) lookup.set(o.id as string, o)
    const t = new Date(base + i * 1000).toISOString()
    observed.push({
      type: 'observed-data',
      id: `observed-data--${uuid(i, 6)}`,
      spec_version: '2.1',
      created: t,
      modified: t,
      first_observed: t,
      last_observed: t,
      number_observed: 1,
      object_refs: [ipv4.id, domain.id, traffic.id, file.id],
    })
  }
  return { observed, lookup }
}

interface Row {
  what: string
  ours: number
  baselineName: string
  baseline: number
  hits?: number
}

function main(): void {
  const rows: Row[] = []
  const valid = loadPatterns()
  const reps = Math.ceil(20_000 / valid.length)
  const corpus = Array.from({ length: reps }, () => valid).flat()
  const asts = corpus.map((p) => {
    const r = parsePattern(p)
    if (!r.ok) throw new Error(`bench pattern does not parse: ${p}`)
    return JSON.stringify(r.ast)
  })
  rows.push({
    what: `parsePattern, ${valid.length} OASIS patterns ×${reps}`,
    ours: rate(corpus.length, () => {
      for (const p of corpus) parsePattern(p)
    }),
    baselineName: 'JSON.parse of the same ASTs',
    baseline: rate(asts.length, () => {
      for (const a of asts) JSON.parse(a)
    }),
  })

  const { observed, lookup } = generate(OBSERVATIONS)
  const json = observed.map((o) => JSON.stringify(o))
  const jsonParseRate = rate(json.length, () => {
    for (const s of json) JSON.parse(s)
  })
  const objects = (id: string) => lookup.get(id)
  const refsOfType = (od: Obj, type: string): Obj[] =>
    (od.object_refs as string[]).map((id) => lookup.get(id)!).filter((o) => o.type === type)

  const cases: { pattern: string; naive: (od: Obj) => boolean }[] = [
    {
      pattern: "[ipv4-addr:value ISSUBSET '198.51.100.0/24']",
      naive: (od) => refsOfType(od, 'ipv4-addr').some((o) => (o.value as string).startsWith('198.51.100.')),
    },
    {
      pattern: "[domain-name:value LIKE '%.example.org']",
      naive: (od) => refsOfType(od, 'domain-name').some((o) => (o.value as string).endsWith('.example.org')),
    },
    {
      pattern: "[network-traffic:dst_ref.value = '203.0.113.7' AND network-traffic:dst_port = 443]",
      naive: (od) =>
        refsOfType(od, 'network-traffic').some(
          (o) => o.dst_port === 443 && lookup.get(o.dst_ref as string)?.value === '203.0.113.7',
        ),
    },
    {
      pattern: "[file:name MATCHES '^invoice-\\\\d+\\\\.exe$' OR file:hashes.'SHA-256' = '00000001']",
      naive: (od) =>
        refsOfType(od, 'file').some(
          (o) => /^invoice-\d+\.exe$/.test(o.name as string) || (o.hashes as Obj)['SHA-256'] === '00000001',
        ),
    },
  ]
  for (const c of cases) {
    const compiled = compilePattern(c.pattern)
    let hits = 0
    let naiveHits = 0
    const ours = rate(observed.length, () => {
      hits = 0
      for (const od of observed) if (compiled.match([od], { objects }).matched) hits++
    })
    const baseline = rate(observed.length, () => {
      naiveHits = 0
      for (const od of observed) if (c.naive(od)) naiveHits++
    })
    if (hits !== naiveHits) throw new Error(`${c.pattern}: matcher found ${hits}, naive check ${naiveHits}`)
    rows.push({
      what: `match \`${c.pattern}\` per observed-data`,
      ours,
      baselineName: 'hand-written check',
      baseline,
      hits,
    })
  }

  // One multi-observation pattern evaluated over the whole set at once.
  const seq = compilePattern(
    "[domain-name:value = 'host-4999.example.org'] FOLLOWEDBY [network-traffic:dst_port = 53] WITHIN 5 SECONDS",
  )
  let matched = false
  const seqSeconds = time(() => {
    matched = seq.match(observed, { objects }).matched
  })
  rows.push({
    what: `FOLLOWEDBY … WITHIN over all ${OBSERVATIONS} observed-data at once (${matched ? 'match' : 'no match'})`,
    ours: OBSERVATIONS / seqSeconds,
    baselineName: 'JSON.parse of the observed-data',
    baseline: jsonParseRate,
  })

  const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
  console.log(`Node ${process.version}, ${OBSERVATIONS.toLocaleString('en-US')} generated observed-data\n`)
  console.log('| measurement | ours (ops/s) | baseline | baseline (ops/s) | ratio | hits |')
  console.log('| --- | ---: | --- | ---: | ---: | ---: |')
  for (const r of rows) {
    console.log(
      `| ${r.what} | ${fmt(r.ours)} | ${r.baselineName} | ${fmt(r.baseline)} | ${(r.ours / r.baseline).toFixed(2)}× | ${r.hits ?? ''} |`,
    )
  }
  console.log(
    `\nJSON.parse of the ${OBSERVATIONS.toLocaleString('en-US')} observed-data strings: ${fmt(jsonParseRate)} ops/s`,
  )
}

// no options: refuse any, rather than run as if they were understood
benchArgs({})
main()
