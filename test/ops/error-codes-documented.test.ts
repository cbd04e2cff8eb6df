/**
 * Clients branch on `error_code`, so docs/OPERATIONS.md lists every one the node can answer with; a code
 * added in the source without a line there, or a line left for a code no longer used, fails here.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )
}

it('documents exactly the error codes the source answers with', () => {
  const used = new Set<string>(['bad-request']) // badRequest()'s default
  for (const file of sourceFiles(join(root, 'src'))) {
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(/errorCode: '([a-z0-9-]+)'/g)) used.add(m[1]!)
    const calls = /badRequest\(\s*(?:`[^`]*`|'[^']*'|[\w.]+)\s*,\s*'([a-z0-9-]+)'\s*,?\s*\)/g
    for (const m of text.matchAll(calls)) used.add(m[1]!)
  }
  const doc = readFileSync(join(root, 'docs/OPERATIONS.md'), 'utf8')
  const section = doc.slice(doc.indexOf('## Error codes'), doc.indexOf('## API keys'))
  const documented = new Set<string>()
  for (const line of section.split('\n').filter((l) => l.startsWith('| `')))
    for (const m of line.split('|')[1]!.matchAll(/`([a-z0-9-]+)`/g)) documented.add(m[1]!)
  expect([...documented].sort()).toEqual([...used].sort())
})
