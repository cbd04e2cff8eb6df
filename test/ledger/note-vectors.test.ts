import { describe, expect, it } from 'vitest'
import {
  computeKeyId,
  fromBase64Strict,
  LedgerError,
  nodeKeyFromSeed,
  parseCheckpoint,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  toHex,
  verifyNote,
} from '../../src/ledger/index.js'
import { hex, vectors } from './vectors.js'

const { keys, signedNotes, cosignatureMessageExample } = vectors.notes

describe('key vectors', () => {
  it.each(keys.map((k) => [k.id, k] as const))('%s', (_id, k) => {
    const parse = () => {
      const verifier = k.vkey === undefined ? undefined : parseVerifierKey(k.vkey)
      const signer = k.skey === undefined ? undefined : parseSignerKey(k.skey)
      return { verifier, signer }
    }
    if (!k.valid) {
      expect(parse).toThrow(LedgerError)
      return
    }
    const { verifier, signer } = parse()
    if (verifier) {
      expect(verifier.keyId).toBe(computeKeyId(verifier.name, verifier.type, verifier.publicKey))
      expect(verifier.vkey).toBe(k.vkey)
    }
    if (signer) {
      // skey seed → public key must be the vkey's; the vkey we format must be the published one.
      if (verifier) {
        expect(toHex(signer.publicKey)).toBe(toHex(verifier.publicKey))
        expect(signer.vkey).toBe(k.vkey)
      }
      expect(signer.keyId).toBe(computeKeyId(signer.name, 0x01, signer.publicKey))
    }
  })
})

function noteOf(v: (typeof signedNotes)[number]): string | Uint8Array {
  return v.note ?? hex(v.noteHex!)
}

describe('signed note vectors', () => {
  it.each(signedNotes.map((v) => [v.id, v] as const))('%s', (_id, v) => {
    const result = verifyNote(noteOf(v), v.verifierKeys)
    expect(result.ok, result.ok ? '' : result.reason).toBe(v.valid)
    if (result.ok) {
      expect(result.verified.map((s) => s.name)).toEqual(v.verified ?? [])
      expect(result.unverified.map((s) => s.name)).toEqual(v.unverified ?? [])
    } else if (v.error?.startsWith('malformed')) {
      expect(result.code).toBe('malformed')
      expect(() => parseNote(noteOf(v))).toThrow(LedgerError)
    } else if (v.error === 'no verifiable signatures') {
      expect(result.code).toBe('no_verifiable_signatures')
    } else if (v.error === 'invalid signature for known key') {
      expect(result.code).toBe('invalid_signature')
    }
    if (v.deterministic && v.signerKey) {
      const key = parseSignerKey(v.signerKey)
      expect(signNote(parseNote(v.note!).text, key)).toBe(v.note)
    }
  })

  it('every Ed25519 signature in the valid vectors has the 4 + 64 byte layout', () => {
    for (const v of signedNotes.filter((n) => n.valid)) {
      for (const sig of parseNote(noteOf(v)).signatures) expect(sig.signature.length).toBe(64)
    }
  })

  it('cosignature example decodes to key ID, timestamp and a 64-byte signature', () => {
    const { signatureLine, decoded, message } = cosignatureMessageExample
    const note = `${message.split('\n').slice(2).join('\n')}\n${signatureLine}\n`
    const [sig] = parseNote(note).signatures
    expect(sig!.name).toBe('witness.example.com/w1')
    expect(sig!.keyId.toString(16).padStart(8, '0')).toBe(decoded.keyId)
    const bytes = Buffer.from(sig!.signature)
    expect(Number(bytes.readBigUInt64BE(0))).toBe(decoded.timestamp)
    expect(bytes.length - 8).toBe(decoded.signatureLength)
  })
})

describe('checkpoint vectors', () => {
  it.each(vectors.checkpoints.map((v) => [v.id, v] as const))('%s', (_id, v) => {
    const body = v.body ?? (v.note === undefined ? '' : parseNote(v.note).text)
    if (!v.valid) {
      expect(() => parseCheckpoint(body)).toThrow(LedgerError)
      return
    }
    const checkpoint = parseCheckpoint(body)
    expect(checkpoint.origin).toBe(v.checkpointOrigin)
    expect(checkpoint.size).toBe(v.treeSize)
    expect(toHex(checkpoint.rootHash)).toBe(v.rootHash)
    expect(checkpoint.extensions).toEqual(v.extensionLines ?? [])
    if (v.verifierKey) expect(verifyNote(v.note!, [v.verifierKey]).ok).toBe(true)
  })
})

describe('cosignature/v1 verification', () => {
  it('a witness cosignature made with node:crypto verifies under a type 0x04 vkey, and only over its timestamp', async () => {
    const { sign } = await import('node:crypto')
    const witness = nodeKeyFromSeed('witness.example/w1', new Uint8Array(32).fill(7))
    const material = Buffer.concat([Uint8Array.of(0x04), witness.publicKey])
    const keyId = computeKeyId(witness.name, 0x04, witness.publicKey)
    const vkey = `${witness.name}+${keyId.toString(16).padStart(8, '0')}+${material.toString('base64')}`
    const log = nodeKeyFromSeed('log.example', new Uint8Array(32).fill(9))
    const text = 'log.example\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n'
    const logNote = signNote(text, log)
    const cosign = (timestamp: bigint, signedTimestamp: bigint) => {
      const sig = sign(
        null,
        Buffer.from(`cosignature/v1\ntime ${signedTimestamp}\n${text}`),
        witness.privateKey,
      )
      const head = Buffer.alloc(12)
      head.writeUInt32BE(keyId, 0)
      head.writeBigUInt64BE(timestamp, 4)
      return `${logNote}\u2014 ${witness.name} ${Buffer.concat([head, sig]).toString('base64')}\n`
    }
    const good = verifyNote(cosign(1700000000n, 1700000000n), [vkey])
    expect(good.ok && good.verified.map((s) => s.name)).toEqual([witness.name])
    expect(verifyNote(cosign(1700000001n, 1700000000n), [vkey]).ok).toBe(false)
    expect(fromBase64Strict(material.toString('base64'))?.length).toBe(33)
  })
})
