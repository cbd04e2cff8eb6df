import { chmod, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  formatSignerKey,
  generateNodeKey,
  parseSignerKey,
  signNote,
  verifyNote,
} from '../../src/ledger/index.js'
import { readNodeKeyFile, writeNodeKeyFile } from '../../src/ledger/node-key-file.js'

const dir = await mkdtemp(join(tmpdir(), 'sluice-key-'))
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('node key', () => {
  it('round-trips through the signer key string and signs verifiable notes', () => {
    const key = generateNodeKey('ledger.meridia.example/global')
    const again = parseSignerKey(formatSignerKey(key))
    expect(again.vkey).toBe(key.vkey)
    expect(verifyNote(signNote('hello\n', again), [key.vkey]).ok).toBe(true)
    expect(key.vkey.startsWith('ledger.meridia.example/global+')).toBe(true)
    expect(() => generateNodeKey('has space')).toThrow(/key name/)
  })

  it.runIf(process.platform !== 'win32')(
    'is written with mode 0600, not overwritten, and refused when too open',
    async () => {
      const key = generateNodeKey('ledger.meridia.example/global')
      const path = join(dir, 'node.key')
      await writeNodeKeyFile(path, key)
      expect((await stat(path)).mode & 0o777).toBe(0o600)
      expect((await readNodeKeyFile(path)).vkey).toBe(key.vkey)
      await expect(writeNodeKeyFile(path, generateNodeKey('x'))).rejects.toMatchObject({ code: 'key_file' })
      await writeNodeKeyFile(path, generateNodeKey('y'), { overwrite: true })
      expect((await readNodeKeyFile(path)).name).toBe('y')
      await chmod(path, 0o644)
      await expect(readNodeKeyFile(path)).rejects.toThrow(/mode 644/)
      await expect(readNodeKeyFile(join(dir, 'missing.key'))).rejects.toMatchObject({ code: 'key_file' })
    },
  )

  it('is placed whole, leaving no temporary file, and a file holding no key is named', async () => {
    const home = await mkdtemp(join(dir, 'whole-'))
    const path = join(home, 'node.key')
    const key = generateNodeKey('ledger.meridia.example')
    await writeNodeKeyFile(path, key)
    await expect(writeNodeKeyFile(path, generateNodeKey('other'))).rejects.toThrow(/cannot create key file/)
    await writeNodeKeyFile(join(home, 'second.key'), key, { overwrite: true })
    expect((await readdir(home)).sort()).toEqual(['node.key', 'second.key'])
    expect((await readNodeKeyFile(path)).vkey).toBe(key.vkey)
    const half = join(home, 'half.key')
    await writeFile(half, 'PRIVATE+KEY+ledger.meridia', { mode: 0o600 })
    await expect(readNodeKeyFile(half)).rejects.toThrow(`key file ${half} holds no usable key`)
  })
})
