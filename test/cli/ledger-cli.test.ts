/**
 * `sluice ledger verify` and `sluice ledger prove` as a user runs them against a demo node: every mistake, and
 * every node that cannot be reached or answers something else, is one line on stderr with a non-zero exit;
 * verify exits 0 only when everything asked for is proven.
 */

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyRemote } from '../../src/cli/commands/ledger-verify.js'
import { signCheckpoint } from '../../src/ledger/checkpoint.js'
import { leafHash } from '../../src/ledger/hash.js'
import { formatVerifierKey, generateNodeKey } from '../../src/ledger/note-key.js'
import { createPrincipal } from '../../src/services/principals.js'
import { A, B, COLLECTION, type Pull, pull, type Story, startStory } from '../scenario/story.js'
import { runCli } from './run-cli.js'

let dir: string
let s: Story
let vkey: string
let toB: Pull
let toA: Pull

const write = (name: string, content: unknown) => {
  const path = join(dir, name)
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content))
  return path
}
/** `sluice ledger verify` as B against the node, with its key, unless told otherwise. */
const verify = (args: string[], { url = s.t.url, apiKey = s.keys[B], key = vkey } = {}) =>
  runCli(['ledger', 'verify', '--url', url, '--api-key', apiKey, '--vkey', key, ...args])
const prove = (...args: string[]) => runCli(['ledger', 'prove', '--data', dir, ...args])
/** Marking-definitions reach partners too, but have no versions; these tests need an object that does. */
const versioned = (objects: any[]) => objects.find((o) => typeof o.modified === 'string')!
const oneLine = (stderr: string) => {
  expect(stderr).toMatch(/^sluice: [^\n]+\n$/)
  expect(stderr).not.toContain('unexpected error')
}

/** A local server answering requests with `answer`; its base URL. */
async function fakeNode(
  answer: (res: ServerResponse, req: IncomingMessage) => void,
): Promise<[Server, string]> {
  const server = createServer((req, res) => answer(res, req))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return [server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`]
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-ledger-cli-'))
  s = await startStory(dir)
  vkey = s.t.node.services.ledger.key.vkey
  toA = await pull(s, A)
  toB = await pull(s, B)
}, 60_000)
afterAll(async () => {
  await s?.t.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('ledger verify', () => {
  it('says in one line that a node cannot be reached, and exits 1', async () => {
    const [closed, url] = await fakeNode(() => {})
    await new Promise((resolve) => closed.close(resolve))
    const refused = await verify([], { url })
    oneLine(refused.stderr)
    expect(refused.stderr).toContain(`sluice: cannot reach ${url}: connect ECONNREFUSED`)
    expect(refused.code).toBe(1)
    const unknown = await verify([], { url: 'http://no-such-node.invalid' })
    oneLine(unknown.stderr)
    expect(unknown.stderr).toMatch(/^sluice: cannot reach http:\/\/no-such-node\.invalid: getaddrinfo /)
    expect(unknown.code).toBe(1)
  })

  it('says that --url is the base URL when it is given an API root', async () => {
    const result = await verify([], { url: `${s.t.url}/intel/` })
    oneLine(result.stderr)
    expect(result.stderr).toBe(
      `sluice: the node answered 404 to /ledger/checkpoint: no TAXII endpoint at this path; --url is the node's base URL, without the API root, e.g. ${s.t.url}\n`,
    )
    expect(result.code).toBe(1)
  })

  it('says what a node answered when it is not JSON or an error', async () => {
    const [html, htmlUrl] = await fakeNode((res) =>
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>hello</html>'),
    )
    const [gateway, gatewayUrl] = await fakeNode((res) => res.writeHead(502).end())
    const [list, listUrl] = await fakeNode((res) =>
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('[]'),
    )
    try {
      const wrongShape = await verify([], { url: listUrl })
      expect(wrongShape.stderr).toBe(
        `sluice: the node answered /ledger/checkpoint with JSON that is not an object: is ${listUrl} a Sluice node?\n`,
      )
      const page = await verify([], { url: htmlUrl })
      oneLine(page.stderr)
      expect(page.stderr).toBe(
        `sluice: the node answered /ledger/checkpoint with text/html, not JSON: is ${htmlUrl} a Sluice node?\n`,
      )
      expect(page.code).toBe(1)
      const bad = await verify([], { url: gatewayUrl })
      expect(bad.stderr).toBe(
        'sluice: the node answered 502 Bad Gateway to /ledger/checkpoint (an empty body)\n',
      )
      expect(bad.code).toBe(1)
      const refused = await verify([], { apiKey: 'wrong' })
      expect(refused.stderr).toMatch(/^sluice: the node answered 401 to \/ledger\/checkpoint: .+\n$/)
      expect(refused.code).toBe(1)
    } finally {
      html.close()
      gateway.close()
      list.close()
    }
  })

  it('refuses an answer larger than it reads, declared or sent, in one line', async () => {
    const [declared, declaredUrl] = await fakeNode((res) =>
      res
        .writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(2 ** 31) })
        .write('{'),
    )
    try {
      const result = await verify([], { url: declaredUrl })
      oneLine(result.stderr)
      expect(result.stderr).toBe(
        `sluice: ${declaredUrl}/ledger/checkpoint: the server answered 200 with a body larger than ${128 * 1024 * 1024} bytes\n`,
      )
      expect(result.code).toBe(1)
    } finally {
      declared.closeAllConnections()
      declared.close()
    }
  })

  it('gives up on a node that does not answer', async () => {
    const [silent, url] = await fakeNode(() => {})
    try {
      await expect(verifyRemote({ url, apiKey: 'x', vkey, checkpoints: [], timeoutMs: 200 })).rejects.toThrow(
        `cannot reach ${url}: no answer within 0.2 s`,
      )
    } finally {
      silent.closeAllConnections()
      silent.close()
    }
  })

  it('reports proofs a node sends in the wrong shape as failed', async () => {
    const log = `partner:${B}`
    const current = await (await s.t.get('/ledger/checkpoint', s.keys[B])).text()
    const [liar, url] = await fakeNode((res, req) => {
      const path = req.url ?? ''
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(
          path.startsWith('/ledger/checkpoint')
            ? current
            : path.startsWith('/ledger/consistency')
              ? '{"proof":"none"}'
              : JSON.stringify({ proofs: [{ index: 0, leaf: 'not base64!', proof: [] }] }),
        )
    })
    // a genuine older checkpoint, so that the verifier asks for a consistency proof
    const { ledger, store } = s.t.node.services
    const [leaf] = await store.ledgerLeaves(log, 0, 1)
    const older = signCheckpoint(
      { origin: ledger.originOf(log), size: 1, rootHash: leafHash(leaf!.bytes), extensions: [] },
      ledger.key,
    )
    const object = versioned([...toB.objects.values()].flat())
    try {
      const result = await verify(
        ['--checkpoint', write('older.txt', older), '--objects', write('one.json', [object])],
        { url },
      )
      expect(result.stderr).toBe('')
      const failed = result.stdout.split('\n').filter((r) => r.startsWith('FAILED'))
      expect(failed).toEqual([
        expect.stringMatching(/ from size 1 to \d+: the node answered with a malformed consistency proof$/),
        `FAILED   ${object.id} ${object.modified}: the node answered with a malformed inclusion proof`,
      ])
      expect(result.stdout.trim().split('\n').at(-1)).toBe('1 proven, 0 unproven, 2 failed')
      expect(result.code).toBe(1)
    } finally {
      liar.close()
    }
  })

  it('does not overwrite a kept checkpoint with one that forks from it', async () => {
    const log = `partner:${B}`
    const { ledger } = s.t.node.services
    // signed with the node's own key, but over another root: the evidence of a fork
    const forked = signCheckpoint(
      {
        origin: ledger.originOf(log),
        size: 1,
        rootHash: leafHash(new TextEncoder().encode('rewritten')),
        extensions: [],
      },
      ledger.key,
    )
    const kept = write('kept-forked.txt', forked)
    const result = await verify(['--checkpoint', kept, '--save-checkpoint', kept])
    expect(result.stdout).toMatch(/^FAILED .* from size 1 to \d+: forked: /m)
    expect(result.stdout).toContain(`did not keep the node's checkpoint in ${kept}`)
    expect(readFileSync(kept, 'utf8')).toBe(forked)
    expect(result.code).toBe(1)
    const fresh = join(dir, 'kept-fresh.txt')
    const genuine = await verify(['--save-checkpoint', fresh])
    expect(genuine.code, genuine.stdout).toBe(0)
    expect(readFileSync(fresh, 'utf8')).toMatch(/^[^\n]+\n\d+\n/)
  })

  it('reports a kept checkpoint larger than the log as a log that shrank, and checks the others still', async () => {
    const log = `partner:${B}`
    const { ledger } = s.t.node.services
    const genuine = write('kept-genuine.txt', (await ledger.latestCheckpoint(log)).note)
    const size = (await ledger.latestCheckpoint(log)).size
    // the node's own signature over a size its log never reached: rolled back, or a fork
    const larger = signCheckpoint(
      {
        origin: ledger.originOf(log),
        size: size + 400,
        rootHash: leafHash(new TextEncoder().encode('rolled back')),
        extensions: [],
      },
      ledger.key,
    )
    const result = await verify(['--checkpoint', genuine, '--checkpoint', write('kept-larger.txt', larger)])
    expect(result.stderr).toBe('')
    expect(result.stdout).toMatch(new RegExp(`^FAILED .* from size ${size + 400} to ${size}: .*shr`, 'm'))
    expect(result.stdout).toMatch(new RegExp(`^PROVEN .* from size ${size} to ${size}: same size`, 'm'))
    expect(result.stdout.trim().split('\n').at(-1)).toMatch(/^\d+ proven, 0 unproven, 1 failed$/)
    expect(result.code).toBe(1)
  })

  it('checks kept global checkpoints against the global log, and refuses a checkpoint of neither log', async () => {
    const { ledger } = s.t.node.services
    const before = write('kept-global.txt', (await ledger.latestCheckpoint('global')).note)
    await pull(s, B)
    const result = await verify(['--checkpoint', before])
    expect(result.stdout).toMatch(/^PROVEN .* checkpoint of global at size \d+: signature verified$/m)
    expect(result.stdout).toMatch(/^PROVEN .* log global from size \d+ to \d+: /m)
    expect(result.code, result.stdout).toBe(0)
    const theirs = write('kept-theirs.txt', (await ledger.latestCheckpoint(`partner:${A}`)).note)
    const refused = await verify(['--checkpoint', theirs])
    expect(refused.stdout).toContain(
      `${theirs}: a checkpoint of ${ledger.originOf(`partner:${A}`)}, neither of your log`,
    )
    expect(refused.code).toBe(1)
  })

  it('says in one line, after the summary, that it could not keep the checkpoint', async () => {
    const full = await verify(['--save-checkpoint', '/dev/full'])
    expect(full.stdout.trim().split('\n').at(-1)).toMatch(/^\d+ proven, 0 unproven, 0 failed$/)
    expect(full.stderr).toBe('sluice: cannot write /dev/full: no space left on device\n')
    expect(full.code).toBe(1)
    // a regular file is replaced by renaming a complete copy over it: nothing is left beside it
    const kept = join(dir, 'kept-twice.txt')
    expect((await verify(['--save-checkpoint', kept])).code).toBe(0)
    expect((await verify(['--checkpoint', kept, '--save-checkpoint', kept])).code).toBe(0)
    expect(readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([])
  })

  it('refuses a --checkpoint file that is not a checkpoint, naming it, with exit 2', async () => {
    const bundle = write('bundle.json', JSON.stringify({ type: 'bundle', objects: [] }, null, 2))
    const result = await verify(['--checkpoint', bundle])
    oneLine(result.stderr)
    expect(result.stderr).toBe(
      `sluice: --checkpoint ${bundle} is not a signed checkpoint: note has no blank line before its signatures\n`,
    )
    expect(result.code).toBe(2)
    const body = write('signed-text.txt', 'not a checkpoint\n\n— sluice.localhost AAAAAAA=\n')
    const signed = await verify(['--checkpoint', body])
    oneLine(signed.stderr)
    expect(signed.stderr).toContain(`--checkpoint ${body} is not a signed checkpoint: `)
    expect(signed.code).toBe(2)
  })

  it('refuses a --vkey that is not the Ed25519 key of a node, with exit 2', async () => {
    const malformed = await verify([], { key: 'garbage' })
    oneLine(malformed.stderr)
    expect(malformed.stderr).toContain(
      '--vkey is not an Ed25519 note verifier key for this node (key has too few "+"-separated fields)',
    )
    expect(malformed.code).toBe(2)
    const key = s.t.node.services.ledger.key
    const typed = await verify([], { key: formatVerifierKey(key.name, 0x00, key.publicKey) })
    oneLine(typed.stderr)
    expect(typed.stderr).toContain(
      '--vkey is not an Ed25519 note verifier key for this node (unsupported signature type 0x00)',
    )
    expect(typed.code).toBe(2)
  })

  it('exits 1 when an object was never disclosed to the partner, with a summary', async () => {
    const received = [...toB.objects.values()].flat().slice(0, 3)
    const ok = await verify(['--objects', write('received.json', received)])
    expect(ok.stderr).toBe('')
    expect(ok.stdout.trim().split('\n').at(-1)).toBe('4 proven, 0 unproven, 0 failed')
    expect(ok.code).toBe(0)

    // what A received from networks, a collection B's agreement does not cover
    const networks = toA.objects.get(COLLECTION.networks)!
    const notForB = networks.filter((o) => o.type !== 'marking-definition').slice(0, 2)
    expect(notForB).toHaveLength(2)
    const mixed = await verify(['--objects', write('mixed.json', [...received, ...notForB])])
    expect(mixed.stderr).toBe('')
    const unproven = mixed.stdout.split('\n').filter((r) => r.startsWith('UNPROVEN'))
    expect(unproven).toHaveLength(2)
    expect(unproven[0]).toContain(
      `${notForB[0].id} ${notForB[0].modified}: the node answered 404 to /ledger/inclusion`,
    )
    expect(mixed.stdout.trim().split('\n').at(-1)).toBe('4 proven, 2 unproven, 0 failed')
    expect(mixed.code).toBe(1)
  })

  it.each([
    ['a JSON object that is not STIX', { name: 'not stix' }, 'item 1'],
    ['an array with a number in it', [{ type: 'indicator', id: 'indicator--x' }, 7], 'item 2'],
    ['an object with a numeric id', [{ type: 'indicator', id: 42 }], 'item 1'],
  ])('refuses %s in --objects with a one-line usage error', async (_, content, item) => {
    const result = await verify(['--objects', write('not-stix.json', content)])
    expect(result.stdout).toBe('')
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toContain(
      `--objects: ${item} is not a STIX object (it needs string "type" and "id")`,
    )
    expect(result.code).toBe(2)
  })

  it('reads an empty TAXII envelope and an empty bundle as nothing received', async () => {
    for (const [name, content] of [
      ['envelope.json', { more: false }],
      ['bundle.json', { type: 'bundle', id: 'bundle--0f3a1c52-59a4-4c1e-9d1b-7a0e3c1f2b44' }],
    ] as const) {
      const result = await verify(['--objects', write(name, content)])
      expect(result.stdout.trim().split('\n').at(-1)).toBe('1 proven, 0 unproven, 0 failed')
      expect(result.code).toBe(0)
    }
  })

  /** A node that answers with the real node's answers, except where `swap` gives another for a path. */
  async function proxy(swap: (path: string) => Promise<string | undefined>): Promise<[Server, string]> {
    return fakeNode((res, req) => {
      const path = req.url ?? ''
      void (async () => {
        const body = (await swap(path)) ?? (await (await s.t.get(path, s.keys[B])).text())
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(body)
      })()
    })
  }

  it("fails another partner's checkpoint passed off as the recipient's own log", async () => {
    const theirs = (await (await s.t.get('/ledger/checkpoint', s.keys[A])).json()) as Record<string, unknown>
    const [liar, url] = await proxy(async (path) =>
      path.startsWith('/ledger/checkpoint') ? JSON.stringify({ ...theirs, log: `partner:${B}` }) : undefined,
    )
    try {
      const result = await verify([], { url })
      expect(result.stdout).toMatch(new RegExp(`^FAILED   checkpoint of partner:${B}: .*origin`, 'm'))
      expect(result.stdout).toContain(`/partner/${A}`)
      expect(result.code).toBe(1)
    } finally {
      liar.close()
    }
  })

  it('with --partner, fails a node that answers with the log of another partner', async () => {
    const mine = await verify(['--partner', B])
    expect(mine.code, mine.stdout).toBe(0)
    const result = await verify(['--partner', A])
    expect(result.stdout).toContain(
      `FAILED   checkpoint of partner:${B}: the node answered with the checkpoint of partner:${B}, not of partner:${A}`,
    )
    expect(result.code).toBe(1)
    const bad = await verify(['--partner', 'two words'])
    oneLine(bad.stderr)
    expect(bad.code).toBe(2)
  })

  it("fails proofs of another partner's disclosures answered for the recipient's own log", async () => {
    // what A received: a node answering B's questions from A's log would otherwise prove it to B
    const theirs = versioned(toA.objects.get(COLLECTION.networks)!)
    const [liar, url] = await proxy(async (path) =>
      path.startsWith('/ledger/inclusion')
        ? (await s.t.get(path.replace(`log=partner%3A${B}`, `log=partner%3A${A}`), s.keys[A])).text()
        : undefined,
    )
    try {
      const result = await verify(['--objects', write('theirs.json', [theirs])], { url })
      expect(result.stdout).toContain(
        `FAILED   ${theirs.id} ${theirs.modified}: the node answered with a disclosure to another partner than ${B}`,
      )
      expect(result.code).toBe(1)
    } finally {
      liar.close()
    }
  })

  it('names the disclosure that proves a receipt, and with --received-after only a later one counts', async () => {
    const object = versioned(toB.objects.get(COLLECTION['maritime-routes'])!)
    const file = write('timed.json', [object])
    const result = await verify(['--objects', file])
    expect(result.stdout).toMatch(
      new RegExp(
        `^PROVEN   ${object.id} ${object.modified}: leaf \\d+ of \\d+ under root .*; disclosed at \\S+Z in request \\S+`,
        'm',
      ),
    )
    expect(result.code).toBe(0)
    const later = new Date(Date.now() + 60_000).toISOString()
    const after = await verify(['--objects', file, '--received-after', later])
    expect(after.stdout).toMatch(
      new RegExp(
        `^UNPROVEN ${object.id} ${object.modified}: the log records these bytes disclosed to you only before ${later.replace(/\./g, '\\.')} \\(last at \\S+, leaf \\d+\\): a receipt after it is not in the log$`,
        'm',
      ),
    )
    expect(after.code).toBe(1)
    const earlier = await verify(['--objects', file, '--received-after', '2020-01-01T00:00:00Z'])
    expect(earlier.code, earlier.stdout).toBe(0)
    const alone = await verify(['--received-after', later])
    expect(alone.stderr).toBe('sluice: --received-after goes with --objects\n')
    expect(alone.code).toBe(2)
  })

  it('--audit-log fails entries that do not rebuild the signed root, and reads no order from them', async () => {
    const [liar, url] = await proxy(async (path) => {
      if (!path.startsWith('/ledger/entries')) return undefined
      const page = (await (await s.t.get(path, s.keys[B])).json()) as { leaf: string }[]
      // a genuine entry in the place of another: each decodes, but the tree is not the signed one
      if (page.length > 1) page[0]!.leaf = page[1]!.leaf
      return JSON.stringify(page)
    })
    try {
      const honest = await verify(['--audit-log'])
      expect(honest.stdout).toMatch(
        /^PROVEN {3}every entry of partner:isles up to size \d+: \d+ entries rebuild/m,
      )
      const result = await verify(['--audit-log'], { url })
      expect(result.stdout).toMatch(
        /^FAILED {3}every entry of partner:isles up to size \d+: the entries the node answered do not rebuild the signed root$/m,
      )
      expect(result.stdout).not.toMatch(/suspension/)
      expect(result.code).toBe(1)
    } finally {
      liar.close()
    }
  })

  it('takes --objects once per page received, and names the file a refusal is about', async () => {
    const received = [...toB.objects.values()].flat().slice(0, 4)
    const pages = [
      write('page-1.json', { objects: received.slice(0, 2), more: true }),
      write('page-2.json', received.slice(2)),
    ]
    const both = await verify(pages.flatMap((p) => ['--objects', p]))
    expect(both.stderr).toBe('')
    expect(both.stdout.trim().split('\n').at(-1)).toBe('5 proven, 0 unproven, 0 failed')
    expect(both.code).toBe(0)
    const empty = write('page-3.json', '')
    const refused = await verify(['--objects', pages[0]!, '--objects', empty])
    expect(refused.stderr).toBe(
      `sluice: --objects ${empty}: the file is empty (an empty TAXII envelope is {})\n`,
    )
    expect(refused.code).toBe(2)
  })

  it('refuses an empty --objects file and one that gives a member twice, with exit 2', async () => {
    const empty = await verify(['--objects', write('empty.json', '\n')])
    expect(empty.stderr).toBe('sluice: --objects: the file is empty (an empty TAXII envelope is {})\n')
    expect(empty.code).toBe(2)
    const object = versioned(toB.objects.get(COLLECTION['maritime-routes'])!)
    const text = JSON.stringify([object]).replace('{', '{"name":"forged",')
    const twice = await verify(['--objects', write('twice.json', text)])
    expect(twice.stderr).toBe(
      'sluice: --objects gives the member "name" twice in one object: what was received is ambiguous, so it cannot be proven\n',
    )
    expect(twice.code).toBe(2)
    // a cut-off download: refused as not JSON, where the member scan used to spin for ever
    for (const [file, cut] of [
      ['quote.json', '"'],
      ['cut.json', '["abc\\'],
    ]) {
      const r = await verify(['--objects', write(file, cut)])
      expect(r.stderr).toBe(
        'sluice: --objects must hold a STIX bundle, a TAXII envelope, a JSON array or JSON Lines\n',
      )
      expect(r.code).toBe(2)
    }
  })

  it('says that a partner log with nothing in it records nothing disclosed', async () => {
    const { policy, store } = s.t.node.services
    await policy.addPartner({ id: 'quiet-desk', name: 'Quiet Desk (fictional)', kind: 'police' }, 'test')
    const { apiKey } = await createPrincipal(store, {
      name: 'quiet',
      role: 'partner',
      partnerId: 'quiet-desk',
    })
    const object = versioned([...toB.objects.values()].flat())
    const result = await verify(['--objects', write('quiet.json', [object])], { apiKey })
    expect(result.stdout).toContain(
      `UNPROVEN ${object.id} ${object.modified}: the log partner:quiet-desk is empty`,
    )
    expect(result.code).toBe(1)
  })
})

describe('ledger prove', () => {
  it('proves every disclosed version of an object when --modified is left out', async () => {
    const first = versioned(toB.objects.get(COLLECTION['maritime-routes'])!)
    const revised = { ...first, modified: '2027-01-01T00:00:00.000Z', name: `${first.name} (revised)` }
    const posted = await s.t.post(`/intel/collections/${COLLECTION['maritime-routes']}/objects/`, {
      objects: [revised],
    })
    expect(posted.status).toBe(202)
    await pull(s, B)

    const all = await prove('--log', `partner:${B}`, '--object', first.id)
    expect(all.stderr).toBe('')
    expect(all.code).toBe(0)
    const proofs = JSON.parse(all.stdout).proofs as { entry: { objectModified: string } }[]
    // the first version went out on the first pull, the revision on the second
    expect(new Set(proofs.map((p) => p.entry.objectModified))).toEqual(
      new Set([first.modified, revised.modified]),
    )

    const one = await prove('--log', `partner:${B}`, '--object', first.id, '--modified', revised.modified)
    expect(one.code).toBe(0)
    expect(JSON.parse(one.stdout).proofs.map((p: any) => p.entry.objectModified)).toEqual([revised.modified])

    // the same instant written without milliseconds names the same version
    const plain = await prove(
      '--log',
      `partner:${B}`,
      '--object',
      first.id,
      '--modified',
      '2027-01-01T00:00:00Z',
    )
    expect(plain.stderr).toBe('')
    expect(JSON.parse(plain.stdout).proofs.map((p: any) => p.entry.objectModified)).toEqual([
      revised.modified,
    ])
  })

  it('still proves an object that has no modified', async () => {
    const marking = [...toA.objects.values()].flat().find((o) => o.modified === undefined)
    expect(marking, 'A received a marking-definition').toBeDefined()
    const result = await prove('--log', `partner:${A}`, '--object', marking.id)
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).proofs[0].entry).toMatchObject({
      objectId: marking.id,
      objectModified: null,
    })
  })

  it('says in one line what it could not find', async () => {
    const never = await prove(
      '--log',
      `partner:${B}`,
      '--object',
      'indicator--00000000-0000-4000-8000-000000000000',
    )
    oneLine(never.stderr)
    expect(never.stderr).toMatch(
      /^sluice: no disclosure of indicator--0{8}-0{4}-4000-8000-0{12} in partner:isles at size \d+/,
    )
    expect(never.code).toBe(1)
    const nobody = await prove('--log', 'partner:nobody', '--index', '1')
    expect(nobody.stderr).toBe('sluice: no partner "nobody"; see "sluice partners list"\n')
    expect(nobody.code).toBe(1)
    const notALog = await prove('--log', 'nobody', '--index', '1')
    expect(notALog.stderr).toBe('sluice: --log must be global or partner:ID, not "nobody"\n')
    expect(notALog.code).toBe(2)
  })
})

describe('ledger checkpoint and consistency', () => {
  const ledger = (...args: string[]) => runCli(['ledger', ...args, '--data', dir])

  it('refuses a partner log of a partner the node does not have, signing nothing', async () => {
    const before = await s.t.node.services.store.listCheckpoints('partner:nobody', 1)
    for (const args of [
      ['checkpoint', '--log', 'partner:nobody'],
      ['consistency', '--log', 'partner:nobody', '--from', '1', '--to', '1'],
    ]) {
      const result = await ledger(...args)
      expect(result.stderr, args.join(' ')).toBe('sluice: no partner "nobody"; see "sluice partners list"\n')
      expect(result.code).toBe(1)
    }
    expect(await s.t.node.services.store.listCheckpoints('partner:nobody', 1)).toEqual(before)
    const known = await ledger('checkpoint', '--log', `partner:${B}`)
    expect(known.stderr).toBe('')
    expect(known.code).toBe(0)
  })

  it('answers a consistency proof between equal sizes with the empty proof', async () => {
    const result = await ledger('consistency', '--log', `partner:${B}`, '--from', '1', '--to', '1')
    expect(result.stderr).toBe('')
    expect(JSON.parse(result.stdout)).toEqual({ log: `partner:${B}`, from: 1, to: 1, proof: [] })
  })
})

describe('ledger verify with the key of another node', () => {
  it('says which key signed the checkpoint and which key was given', async () => {
    const other = generateNodeKey('other-node.example')
    const own = s.t.node.services.ledger.key
    const result = await verify([], { key: other.vkey })
    const id = (k: { name: string; keyId: number }) => `${k.name}+${k.keyId.toString(16).padStart(8, '0')}`
    expect(result.stdout).toContain(
      `: checkpoint signature: signed by key ${id(own)}, but the given key is ${id(other)}\n`,
    )
    expect(other.vkey.startsWith(`${id(other)}+`)).toBe(true)
    expect(result.code).toBe(1)
  })
})
