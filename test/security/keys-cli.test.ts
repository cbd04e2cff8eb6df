import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPrincipal } from '../../src/services/principals.js'
import { openStore } from '../../src/store/open.js'
import { runCli } from '../cli/run-cli.js'
import { makePki, type TestPki } from './certs.js'

let dir: string
let pki: TestPki
let principalId: string
let firstKeyId: string
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-keys-cli-'))
  pki = makePki()
  const store = await openStore(undefined, dir)
  const created = await createPrincipal(store, { name: 'Desk analyst', role: 'analyst' })
  principalId = created.principal.id
  firstKeyId = created.apiKey.split('_')[1]!
  await store.close()
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
  pki.remove()
})

describe('sluice keys', () => {
  it('rotates, lists, revokes and binds certificates', async () => {
    const rotated = await runCli(['keys', 'rotate', principalId, '--overlap', '2h', '--data', dir])
    expect(rotated.code).toBe(0)
    expect(rotated.stdout).toMatch(/^new key id [0-9a-f]{16}\napi key {4}sluice_/)
    expect(rotated.stdout).toContain(`old key ${firstKeyId} stops at`)
    const newKeyId = /new key id ([0-9a-f]{16})/.exec(rotated.stdout)![1]!

    const listed = JSON.parse(
      (await runCli(['keys', 'list', '--principal', principalId, '--json', '--data', dir])).stdout,
    )
    expect(listed.map((k: { key_id: string; state: string }) => [k.key_id, k.state])).toEqual([
      [firstKeyId, 'expiring'],
      [newKeyId, 'active'],
    ])
    const text = (await runCli(['keys', 'list', '--data', dir])).stdout
    expect(text).toContain('last used never')
    expect(text).not.toContain('sluice_')

    expect((await runCli(['keys', 'revoke', firstKeyId, '--data', dir])).stdout).toBe(
      `revoked key ${firstKeyId} of ${principalId}\n`,
    )
    const again = await runCli(['keys', 'revoke', firstKeyId, '--data', dir])
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('already revoked')
    expect(
      JSON.parse((await runCli(['keys', 'list', '--all', '--json', '--data', dir])).stdout).find(
        (k: { key_id: string }) => k.key_id === firstKeyId,
      ).state,
    ).toBe('revoked')

    const bound = await runCli([
      'keys',
      'bind-cert',
      principalId,
      '--cert',
      pki.files.clientCert,
      '--data',
      dir,
    ])
    expect(bound.code).toBe(0)
    const fingerprint = /bound ([0-9a-f]{64})/.exec(bound.stdout)![1]!
    expect((await runCli(['keys', 'certs', '--data', dir])).stdout).toContain(fingerprint)
    expect((await runCli(['keys', 'unbind-cert', fingerprint, '--data', dir])).code).toBe(0)
    const unbound = await runCli(['keys', 'unbind-cert', fingerprint, '--data', dir])
    expect([unbound.code, unbound.stderr]).toEqual([1, 'sluice: no binding for that fingerprint\n'])
    const malformed = await runCli(['keys', 'unbind-cert', 'adb7', '--data', dir])
    expect([malformed.code, malformed.stderr]).toEqual([
      2,
      'sluice: a fingerprint is 32 bytes of hex (colons allowed)\n',
    ])
    expect((await runCli(['keys', 'rotate', principalId, '--overlap', 'soon', '--data', dir])).code).toBe(2)
    // bound again, then the principal revoked: the listing says the certificate no longer lets anyone in
    const rebound = ['keys', 'bind-cert', principalId, '--cert', pki.files.clientCert, '--data', dir]
    const rebind = await runCli(rebound)
    expect(rebind.code, rebind.stderr).toBe(0)
    expect((await runCli(['keys', 'certs', '--data', dir])).stdout).not.toContain('(principal revoked)')
    const store = await openStore(undefined, dir)
    try {
      expect(await store.revokePrincipal(principalId, new Date().toISOString())).toBe(true)
    } finally {
      await store.close()
    }
    expect((await runCli(['keys', 'certs', '--data', dir])).stdout).toMatch(
      new RegExp(`^${fingerprint}  ${principalId}  .*  \\(principal revoked\\)$`, 'm'),
    )
  })
})
