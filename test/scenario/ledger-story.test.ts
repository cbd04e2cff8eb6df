/**
 * Issue 4's scenario: after the suspension story of shared/DEMO.md, a verifier that holds only the node's public
 * key proves, with the ledger API and the pure verifier functions of src/ledger, (a) when the suspension order
 * took effect, (b) that nothing was disclosed to the suspended partner while it was in force, and (c) that
 * disclosure resumed after the resumption order. Tampered proofs, leaves, signatures and forked logs are caught,
 * and the recipient CLI (`sluice ledger verify`) says the same, item by item.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { canonicalJson } from '../../src/ledger/entry.js'
import {
  type Checkpoint,
  checkExtension,
  checkInclusion,
  compareCheckpoints,
  decodeEntry,
  type Entry,
  encodeEntry,
  fromBase64Strict,
  generateNodeKey,
  leafHash,
  openCheckpoint,
  signCheckpoint,
  verifyConsistency,
  verifyInclusion,
} from '../../src/ledger/index.js'
import { runCli } from '../cli/run-cli.js'
import { A, B, C, get, type Pull, pull, resume, type Story, startStory, stopStory, suspend } from './story.js'

let s: Story
let vkey: string
let origin: string
const cp: Record<
  'day1' | 'afterSuspension' | 'beforeResumption' | 'afterResumption',
  { note: string; size: number }
> = {} as any
let orderA: any
let resumeA: any
let received: Pull
let tmp: string

const b64 = (text: string): Uint8Array => {
  const bytes = fromBase64Strict(text)
  if (!bytes) throw new Error(`not base64: ${text}`)
  return new Uint8Array(bytes)
}
const json = async (path: string, key: string) => {
  const a = await get(s, path, key, 'application/json')
  expect(a.status, `${path}: ${a.text.slice(0, 300)}`).toBe(200)
  return a.body
}
const checkpointOf = async (key: string) => {
  const c = await json('/ledger/checkpoint', key)
  return { note: c.checkpoint as string, size: c.size as number }
}
const opened = (note: string): Checkpoint => {
  const o = openCheckpoint(note, [vkey], origin)
  if (!o.ok) throw new Error(o.reason)
  return o.checkpoint
}
const entries = async (key: string, start: number, end: number) =>
  (await json(`/ledger/entries?start=${start}&end=${end}`, key)) as {
    index: number
    entry: any
    leaf: string
  }[]
const micros = (t: string) => {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(t)!
  return BigInt(Date.parse(`${m[1]}Z`)) * 1000n + BigInt((m[2] ?? '').padEnd(6, '0').slice(0, 6))
}

beforeAll(async () => {
  s = await startStory()
  tmp = mkdtempSync(join(tmpdir(), 'sluice-ledger-story-'))
  const key = await json('/ledger/key', s.keys[A])
  vkey = key.vkey
  origin = `${key.origin}/partner/${A}`

  // The story, with A keeping its own log's checkpoints at the moments that matter.
  await pull(s, A)
  cp.day1 = await checkpointOf(s.keys[A])
  orderA = (await suspend(s, { partner: A, reason: 'ministerial order pending review' })).body
  cp.afterSuspension = await checkpointOf(s.keys[A])
  // While the order is in force A keeps asking; B is narrowed; C keeps receiving.
  expect((await pull(s, A)).collections).toEqual([])
  await suspend(s, {
    partner: B,
    collections: ['maritime-routes'],
    above_tlp: 'clear',
    reason: 'source protection',
  })
  await pull(s, B)
  await pull(s, C)
  expect((await get(s, `/intel/collections/`, s.keys[A])).body).toEqual({})
  cp.beforeResumption = await checkpointOf(s.keys[A])
  resumeA = (await resume(s, orderA.id, 'review complete')).body
  received = await pull(s, A)
  cp.afterResumption = await checkpointOf(s.keys[A])
})
afterAll(async () => {
  await stopStory(s)
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

describe('what a partner can prove with the node public key alone', () => {
  it("(a) the suspension order, with its effective time, is in A's log under a signed checkpoint", async () => {
    const checkpoint = opened(cp.afterSuspension.note)
    expect(checkpoint.size).toBe(cp.afterSuspension.size)
    // The order is the last entry at that size.
    const [last] = await entries(s.keys[A], checkpoint.size - 1, checkpoint.size)
    const leaf = b64(last!.leaf)
    const entry = decodeEntry(leaf)
    expect(entry).toMatchObject({
      kind: 'order',
      orderKind: 'suspension',
      orderId: orderA.id,
      partnerId: A,
      // the partner's log commits to the reason, salted, instead of spelling it out; the order record proves it
      reason: `sha256:${sha256(canonicalJson({ salt: orderA.commitment_salt!, value: 'ministerial order pending review' }))}`,
    })
    expect(orderA.commitment_salt).toMatch(/^[0-9a-f]{64}$/)
    // a guess of the reason, hashed without the salt the partner does not hold, confirms nothing
    expect(entry).not.toMatchObject({
      reason: `sha256:${sha256(canonicalJson('ministerial order pending review'))}`,
    })
    if (entry.kind !== 'order') throw new Error('not an order')
    expect(micros(entry.effectiveFrom)).toBe(micros(orderA.effective_from))
    const proof = await json(`/ledger/inclusion?index=${last!.index}&size=${checkpoint.size}`, s.keys[A])
    expect(proof.proofs).toHaveLength(1)
    const path = (proof.proofs[0].proof as string[]).map(b64)
    expect(b64(proof.proofs[0].leaf)).toEqual(leaf)
    expect(verifyInclusion(leafHash(leaf), last!.index, checkpoint.size, path, checkpoint.rootHash)).toEqual({
      ok: true,
    })
    expect(
      checkInclusion(checkpoint, { item: 'suspension order', leaf, leafIndex: last!.index, proof: path })
        .status,
    ).toBe('proven')
    // Still provable under the later checkpoint, and the two checkpoints extend each other.
    const later = opened(cp.afterResumption.note)
    const again = await json(`/ledger/inclusion?index=${last!.index}&size=${later.size}`, s.keys[A])
    expect(
      checkInclusion(later, {
        item: 'suspension order',
        leaf,
        leafIndex: last!.index,
        proof: (again.proofs[0].proof as string[]).map(b64),
      }).status,
    ).toBe('proven')
  })

  it('(b) nothing reached A while the order was in force: same size and root, tied to later checkpoints by a consistency proof', async () => {
    const during = opened(cp.afterSuspension.note)
    const end = opened(cp.beforeResumption.note)
    expect(end.size).toBe(during.size)
    expect(end.rootHash).toEqual(during.rootHash)
    const verdict = checkExtension([vkey], cp.afterSuspension.note, cp.beforeResumption.note, [], origin)
    expect(verdict.status).toBe('consistent')
    // The log before the order and after the resumption are one append-only log through that interval.
    const after = opened(cp.afterResumption.note)
    for (const [from, to] of [
      [opened(cp.day1.note), during],
      [end, after],
    ] as const) {
      const proof = (await json(`/ledger/consistency?from=${from.size}&to=${to.size}`, s.keys[A])).proof.map(
        b64,
      )
      expect(verifyConsistency(from.size, to.size, from.rootHash, to.rootHash, proof)).toEqual({ ok: true })
      expect(compareCheckpoints(from, to, proof).status).toBe('consistent')
    }
    // Between the suspension (the last entry at `during.size`) and the resumption order nothing at all was
    // appended to A's log: the first entry after the interval is the resumption.
    const [next] = await entries(s.keys[A], end.size, end.size + 1)
    expect(decodeEntry(b64(next!.leaf))).toMatchObject({
      kind: 'order',
      orderKind: 'resumption',
      orderId: resumeA.id,
      scope: { lifts: orderA.id },
    })
    // And while suspended, the node's view agrees: nothing in A's log was disclosed in between.
    const all = await entries(s.keys[A], 0, after.size)
    const from = micros(orderA.effective_from)
    const to = micros(resumeA.effective_from)
    const inside = all
      .map((e) => decodeEntry(b64(e.leaf)))
      .filter((e) => e.kind === 'disclosure' && micros(e.disclosedAt) >= from && micros(e.disclosedAt) < to)
    expect(inside).toEqual([])
  })

  it('(c) disclosure resumed after the resumption order, proven included', async () => {
    const after = opened(cp.afterResumption.note)
    const start = cp.beforeResumption.size
    const tail = (await entries(s.keys[A], start, after.size)).map((e) => ({
      ...e,
      decoded: decodeEntry(b64(e.leaf)),
    }))
    const disclosures = tail.filter((e) => e.decoded.kind === 'disclosure')
    expect(disclosures.length).toBe([...received.objects.values()].reduce((n, l) => n + l.length, 0))
    const resumedAt = micros(resumeA.effective_from)
    for (const d of disclosures) {
      if (d.decoded.kind !== 'disclosure') continue
      expect(micros(d.decoded.disclosedAt) >= resumedAt).toBe(true)
    }
    // Prove a few of the objects A received, from its own bytes.
    const objects = [...received.objects.entries()]
      .flatMap(([c, list]) => list.map((o) => ({ c, o })))
      .slice(0, 5)
    for (const { c, o } of objects) {
      const bytes = new TextEncoder().encode(JSON.stringify(o))
      const found = await json(
        `/ledger/inclusion?object=${encodeURIComponent(o.id)}&modified=${encodeURIComponent(o.modified ?? 'null')}&size=${after.size}`,
        s.keys[A],
      )
      const hash = createHash('sha256').update(bytes).digest('hex')
      const mine = (found.proofs as any[]).filter(
        (p) => p.index >= start && p.entry.collectionId === c && p.entry.contentSha256 === hash,
      )
      expect(mine.length, `${o.id} disclosed after the resumption`).toBe(1)
      const p = mine[0]
      const row = checkInclusion(after, {
        item: o.id,
        received: {
          bytes,
          partnerId: A,
          collectionId: c,
          objectId: o.id,
          objectModified: o.modified ?? null,
          disclosedAt: p.entry.disclosedAt,
          agreementId: p.entry.agreementId,
          requestId: p.entry.requestId,
        },
        leafIndex: p.index,
        proof: (p.proof as string[]).map(b64),
      })
      expect(row, JSON.stringify(row)).toMatchObject({ status: 'proven' })
    }
  })
})

describe('asking the ledger API for an entry it does not hold', () => {
  const ask = (query: string) => get(s, `/ledger/inclusion?${query}`, s.keys[A], 'application/json')

  it('is 404 not-found when the question is well formed, 400 when it is not', async () => {
    const { size } = cp.afterResumption
    const never = 'indicator--00000000-0000-4000-8000-000000000000'
    const unknown = await ask(`object=${never}&modified=null&size=${size}`)
    expect(unknown.status).toBe(404)
    expect(unknown.body).toEqual({
      title: 'Not found',
      description: `a disclosure of ${never} modified null in partner:${A} at size ${size} does not exist or is not available to you`,
      error_code: 'not-found',
      http_status: '404',
    })
    // an entry appended after that size is not in the log at that size
    const later = await ask(`index=${size}&size=${size}`)
    expect(later.status).toBe(404)
    expect(later.body.description).toBe(
      `entry ${size} in partner:${A} at size ${size} does not exist or is not available to you`,
    )
    for (const malformed of [`index=first&size=${size}`, `index=0&size=${size + 10_000}`, 'index=0&size=0']) {
      const answer = await ask(malformed)
      expect(answer.status, malformed).toBe(400)
      expect(answer.body.error_code, malformed).toBe('bad-request')
    }
  })
})

describe('tampering and forks are detected', () => {
  async function someProof() {
    const checkpoint = opened(cp.afterResumption.note)
    const index = cp.beforeResumption.size + 1
    const [e] = await entries(s.keys[A], index, index + 1)
    const p = await json(`/ledger/inclusion?index=${index}&size=${checkpoint.size}`, s.keys[A])
    return { checkpoint, index, leaf: b64(e!.leaf), proof: (p.proofs[0].proof as string[]).map(b64) }
  }

  it('a changed proof element, leaf or index fails', async () => {
    const { checkpoint, index, leaf, proof } = await someProof()
    expect(checkInclusion(checkpoint, { item: 'genuine', leaf, leafIndex: index, proof }).status).toBe(
      'proven',
    )
    expect(proof.length).toBeGreaterThan(0)
    for (let i = 0; i < proof.length; i++) {
      const bad = proof.map((p) => new Uint8Array(p))
      bad[i]![i % 32] ^= 0x01
      expect(
        checkInclusion(checkpoint, { item: `proof[${i}]`, leaf, leafIndex: index, proof: bad }).status,
      ).toBe('failed')
    }
    expect(
      checkInclusion(checkpoint, { item: 'short', leaf, leafIndex: index, proof: proof.slice(1) }).status,
    ).toBe('failed')
    // A leaf that says something else: another object, or other bytes served.
    const entry = decodeEntry(leaf) as Entry
    const forged =
      entry.kind === 'disclosure'
        ? { ...entry, contentSha256: 'ab'.repeat(32) }
        : { ...entry, partnerId: 'someone-else' }
    expect(
      checkInclusion(checkpoint, { item: 'forged entry', entry: forged as Entry, leafIndex: index, proof })
        .status,
    ).toBe('failed')
    const flipped = new Uint8Array(leaf)
    flipped[flipped.length - 3] ^= 0x01
    expect(
      checkInclusion(checkpoint, { item: 'flipped byte', leaf: flipped, leafIndex: index, proof }).status,
    ).toBe('failed')
    expect(
      verifyInclusion(
        leafHash(encodeEntry(forged as Entry)),
        index,
        checkpoint.size,
        proof,
        checkpoint.rootHash,
      ).ok,
    ).toBe(false)
    expect(
      checkInclusion(checkpoint, { item: 'wrong index', leaf, leafIndex: index + 1, proof }).status,
    ).toBe('failed')
  })

  it('a changed checkpoint signature or body fails', () => {
    const note = cp.afterResumption.note
    const [body, sigs] = note.split('\n\n') as [string, string]
    const sigLine = sigs.split('\n')[0]!
    const sig = sigLine.slice(sigLine.lastIndexOf(' ') + 1)
    const raw = b64(sig)
    raw[raw.length - 1] ^= 0x01
    const badSig = note.replace(sig, Buffer.from(raw).toString('base64'))
    expect(openCheckpoint(badSig, [vkey], origin).ok).toBe(false)
    const lines = body.split('\n')
    const badBody = [lines[0], String(Number(lines[1]) + 1), ...lines.slice(2)].join('\n')
    expect(openCheckpoint(note.replace(body, badBody), [vkey], origin).ok).toBe(false)
    // A checkpoint of another log (B's) is not A's, however well signed.
    expect(openCheckpoint(note.replace(`/partner/${A}`, `/partner/${B}`), [vkey], origin).ok).toBe(false)
  })

  it('two checkpoints that do not extend each other are reported forked or invalid', async () => {
    const real = opened(cp.beforeResumption.note)
    const later = opened(cp.afterResumption.note)
    // A rewritten log: the node's own key signs another root at the same size.
    const nodeKey = s.t.node.services.ledger.key
    const rewritten = signCheckpoint(
      { origin, size: real.size, rootHash: randomBytes(32), extensions: [] },
      nodeKey,
    )
    expect(checkExtension([vkey], cp.beforeResumption.note, rewritten, [], origin)).toMatchObject({
      status: 'forked',
    })
    // A fork that grew: a larger size whose root the genuine consistency proof cannot reach.
    const grown = signCheckpoint(
      { origin, size: later.size, rootHash: randomBytes(32), extensions: [] },
      nodeKey,
    )
    const proof = (await json(`/ledger/consistency?from=${real.size}&to=${later.size}`, s.keys[A])).proof.map(
      b64,
    )
    expect(
      checkExtension([vkey], cp.beforeResumption.note, cp.afterResumption.note, proof, origin).status,
    ).toBe('consistent')
    expect(checkExtension([vkey], cp.beforeResumption.note, grown, proof, origin)).toMatchObject({
      status: 'forked',
    })
    // A log that shrank.
    expect(compareCheckpoints(later, real, []).status).toBe('forked')
    // A checkpoint signed by a different key with the node's name is not the node's at all.
    const impostor = signCheckpoint(
      { origin, size: later.size, rootHash: later.rootHash, extensions: [] },
      generateNodeKey(nodeKey.name),
    )
    expect(checkExtension([vkey], cp.beforeResumption.note, impostor, proof, origin).status).toBe('invalid')
  })
})

describe('the recipient CLI, end to end', () => {
  const files = () => {
    const paths = (['day1', 'afterSuspension', 'beforeResumption'] as const).map((k) => {
      const p = join(tmp, `${k}.checkpoint`)
      writeFileSync(p, cp[k].note)
      return p
    })
    const objects = [...received.objects.values()].flat().slice(0, 12)
    return { paths, objects }
  }

  it('proves the kept checkpoints and the objects received, and fails a tampered object', async () => {
    const { paths, objects } = files()
    const good = join(tmp, 'received.json')
    writeFileSync(good, JSON.stringify(objects))
    const args = [
      'ledger',
      'verify',
      '--url',
      s.t.url,
      '--api-key',
      s.keys[A],
      '--vkey',
      vkey,
      ...paths.flatMap((p) => ['--checkpoint', p]),
    ]
    const kept = join(tmp, 'kept-checkpoint.txt')
    const ok = await runCli([...args, '--objects', good, '--save-checkpoint', kept])
    expect(ok.code, ok.stdout + ok.stderr).toBe(0)
    expect(ok.stdout).toContain(`kept the checkpoint in ${kept}`)
    // the kept checkpoint is the one the node signed, and the next run starts from it
    const again = await runCli([
      ...args.filter((a) => !paths.includes(a) && a !== '--checkpoint'),
      '--checkpoint',
      kept,
    ])
    expect(again.code, again.stdout + again.stderr).toBe(0)
    expect(again.stdout).toMatch(/same size and root: nothing was appended in between|extends size/)
    const rows = ok.stdout
      .trim()
      .split('\n')
      .filter((r) => !r.startsWith('kept the checkpoint'))
    expect(rows.filter((r) => r.startsWith('FAILED'))).toEqual([])
    expect(rows.filter((r) => r.startsWith('PROVEN')).length, ok.stdout).toBe(
      1 + paths.length + objects.length,
    )
    expect(ok.stdout).toMatch(/same size and root: nothing was appended in between/)

    const tampered = objects.map((o, i) =>
      i === 3 ? { ...o, description: `${o.description ?? ''} (edited by the recipient)` } : o,
    )
    const bad = join(tmp, 'tampered.json')
    writeFileSync(bad, JSON.stringify(tampered))
    const no = await runCli([...args, '--objects', bad])
    expect(no.code, no.stdout + no.stderr).toBe(1)
    const failed = no.stdout.split('\n').filter((r) => r.startsWith('FAILED'))
    expect(failed).toHaveLength(1)
    expect(failed[0]).toContain(objects[3].id)
  }, 60_000)

  it("--audit-log proves from A's own log when the order was in force, that nothing reached A then, and that disclosure resumed", async () => {
    const result = await runCli([
      ...['ledger', 'verify', '--url', s.t.url, '--api-key', s.keys[A], '--vkey', vkey],
      ...['--partner', A, '--audit-log'],
    ])
    expect(result.code, result.stdout + result.stderr).toBe(0)
    expect(result.stdout).toMatch(
      /^PROVEN {3}every entry of partner:northland up to size \d+: \d+ entries rebuild the signed root$/m,
    )
    const row = result.stdout.split('\n').find((r) => r.includes(orderA.id))!
    expect(row).toMatch(
      new RegExp(
        `^PROVEN {3}suspension of all sharing ${orderA.id} \\(leaf \\d+\\): in force from \\S+ to \\S+, lifted by ${resumeA.id}; the log records nothing disclosed to you in that time; disclosure resumed at \\S+ \\(leaf \\d+\\)$`,
      ),
    )
  }, 60_000)
})
