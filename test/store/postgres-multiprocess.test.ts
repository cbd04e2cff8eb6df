import { type ChildProcess, fork } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import ts from 'typescript'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres/migrations.js'
import { openPostgresStore } from '../../src/store/postgres/open.js'
import type { Store, StoredVersion } from '../../src/store/types.js'
import { freshPostgresDatabase } from '../helpers/postgres.js'
import type { WriterMessage } from './fixtures/postgres-writer.js'

/**
 * PostgreSQL-only properties that the shared conformance suite cannot show from one
 * process: writers in separate processes, and openers racing the migrations.
 */
const SERVER = process.env.SLUICE_TEST_POSTGRES
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const COLLECTION = 'c2c0ffee-0000-4000-8000-000000000001'

/**
 * Node 20 cannot run TypeScript, so the writer script and every module it reaches by
 * relative imports are transpiled (no type check) into a scratch tree that mirrors the
 * repository layout; a `node_modules` link lets them resolve `pg`.
 */
function buildWriter(): { script: string; dispose(): void } {
  const out = mkdtempSync(join(tmpdir(), 'sluice-pg-writer-'))
  const entry = 'test/store/fixtures/postgres-writer.ts'
  const pending = [entry]
  const done = new Set<string>()
  while (pending.length > 0) {
    const file = pending.pop()!
    if (done.has(file)) continue
    done.add(file)
    const source = readFileSync(join(ROOT, file), 'utf8')
    for (const { fileName } of ts.preProcessFile(source).importedFiles) {
      if (!fileName.startsWith('.')) continue
      pending.push(relative(ROOT, resolve(ROOT, dirname(file), fileName.replace(/\.js$/, '.ts'))))
    }
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
      fileName: file,
    })
    mkdirSync(dirname(join(out, file)), { recursive: true })
    writeFileSync(join(out, file.replace(/\.ts$/, '.js')), outputText)
  }
  writeFileSync(join(out, 'package.json'), '{"type":"module"}\n')
  symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'), 'dir')
  return {
    script: join(out, entry.replace(/\.ts$/, '.js')),
    dispose: () => rmSync(out, { recursive: true, force: true }),
  }
}

interface Writer {
  child: ChildProcess
  ready: Promise<void>
  done: Promise<NonNullable<WriterMessage['added']>>
}

function startWriter(
  script: string,
  url: string,
  writer: number,
  batches: number,
  batchSize: number,
): Writer {
  const child = fork(script, [url, COLLECTION, String(writer), String(batches), String(batchSize)], {
    cwd: dirname(script),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const exited = new Promise<never>((_, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`writer ${writer} exited with ${code} before reporting`)))
  })
  const message = (kind: WriterMessage['kind']) =>
    Promise.race([
      new Promise<WriterMessage>((res) => {
        const listen = (m: WriterMessage) => {
          if (m.kind !== kind) return
          child.off('message', listen)
          res(m)
        }
        child.on('message', listen)
      }),
      exited,
    ])
  exited.catch(() => {})
  return {
    child,
    ready: message('ready').then(() => undefined),
    done: message('done').then((m) => m.added ?? []),
  }
}

async function appliedMigrations(url: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows } = await client.query<{ version: number }>(
      'SELECT version FROM schema_migrations ORDER BY version',
    )
    return rows.map((r) => r.version)
  } finally {
    await client.end()
  }
}

describe.skipIf(!SERVER)(
  'postgres across processes (set SLUICE_TEST_POSTGRES=postgres://… to run; see .ci/postgres.sh)',
  () => {
    let writerScript: ReturnType<typeof buildWriter>
    beforeAll(() => {
      writerScript = buildWriter()
    })
    afterAll(() => writerScript?.dispose())

    it('runs each migration once when several openers race on a fresh database', async () => {
      const db = await freshPostgresDatabase(SERVER!)
      const stores: Store[] = []
      try {
        // Separate pools, so separate sessions, all starting at once.
        const opened = await Promise.allSettled(
          Array.from({ length: 8 }, () => openPostgresStore(db.location)),
        )
        for (const o of opened) if (o.status === 'fulfilled') stores.push(o.value)
        expect(opened.filter((o) => o.status === 'rejected')).toEqual([])
        expect(await appliedMigrations(db.location)).toEqual(POSTGRES_MIGRATIONS.map((_, i) => i + 1))
      } finally {
        await Promise.all(stores.map((s) => s.close()))
        await db.drop()
      }
    })

    it('two writer processes and a paging reader: the reader never skips or repeats a version', async () => {
      const db = await freshPostgresDatabase(SERVER!)
      const batches = 120
      const batchSize = 8
      const writers = [1, 2].map((w) => startWriter(writerScript.script, db.location, w, batches, batchSize))
      let reader: Store | undefined
      try {
        // The parent opens too, so three openers race the migrations of the fresh database.
        reader = await openPostgresStore(db.location)
        await Promise.all(writers.map((w) => w.ready))
        expect(await appliedMigrations(db.location)).toEqual(POSTGRES_MIGRATIONS.map((_, i) => i + 1))
        await reader.ensureApiRoot({ name: 'intel', title: 'Intel' })
        await reader.createCollection({ id: COLLECTION, apiRoot: 'intel', title: 'Race', mediaTypes: [] })

        let finished = false
        const done = Promise.all(writers.map((w) => w.done)).finally(() => {
          finished = true
        })
        for (const w of writers) w.child.send('go')

        const seen: StoredVersion[] = []
        let afterSeq: number | undefined
        let pagesDuringWrites = 0
        const page = async () => {
          const batch = await reader!.queryObjects({
            collectionId: COLLECTION,
            limit: 7,
            ...(afterSeq !== undefined ? { afterSeq } : {}),
          })
          seen.push(...batch.items)
          afterSeq = batch.items.at(-1)?.seq ?? afterSeq
          return batch.items.length
        }
        while (!finished) {
          await page()
          pagesDuringWrites++
        }
        const added = (await done).flat()
        while ((await page()) > 0) {
          // drain what committed after the last page read during the writes
        }

        const everything = await reader.queryObjects({ collectionId: COLLECTION, limit: 10_000 })
        expect(added).toHaveLength(2 * batches * batchSize)
        expect(everything.items).toHaveLength(added.length)
        // Exactly what is stored, in sequence order: nothing skipped, nothing twice.
        expect(seen.map((v) => v.seq)).toEqual(everything.items.map((v) => v.seq))
        expect(new Set(seen.map((v) => v.id)).size).toBe(added.length)
        expect(seen.map((v) => v.id).sort()).toEqual(added.map((a) => a.id).sort())
        // Sequence and date_added both strictly increase in the order the reader saw them.
        for (let i = 1; i < seen.length; i++) {
          expect(seen[i]!.seq).toBeGreaterThan(seen[i - 1]!.seq)
          expect(seen[i]!.dateAdded > seen[i - 1]!.dateAdded).toBe(true)
        }
        // Each writer's reported seq/date_added are what the reader saw.
        const bySeq = new Map(seen.map((v) => [v.seq, v]))
        for (const a of added) expect(bySeq.get(a.seq)?.dateAdded).toBe(a.dateAdded)
        // The writers really overlapped: their versions interleave in sequence order,
        // and the reader was paging while they wrote.
        const writerOf = (v: StoredVersion) => v.id.slice('indicator--'.length, 'indicator--'.length + 8)
        const switches = seen.filter((v, i) => i > 0 && writerOf(v) !== writerOf(seen[i - 1]!)).length
        expect(switches).toBeGreaterThanOrEqual(2)
        expect(pagesDuringWrites).toBeGreaterThan(1)
      } finally {
        for (const w of writers) if (w.child.exitCode === null) w.child.kill()
        await reader?.close()
        await db.drop()
      }
    }, 60_000)
  },
)
