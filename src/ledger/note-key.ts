import { createPrivateKey, createPublicKey, type KeyObject, randomBytes } from 'node:crypto'
import { LedgerError } from './errors.js'
import { fromBase64Strict, sha256, toBase64 } from './hash.js'

/** Signature type byte of plain Ed25519 note signatures (C2SP signed-note). */
export const SIGNATURE_ED25519 = 0x01
/** Signature type byte of timestamped Ed25519 cosignatures (C2SP tlog-cosignature, `cosignature/v1`). */
export const SIGNATURE_COSIGNATURE_V1 = 0x04

/** A key that can check note signatures, parsed from a vkey `name+hexkeyid+base64(type||pubkey)`. */
export interface NoteVerifier {
  readonly name: string
  /** First 4 bytes of SHA-256(name || 0x0A || type || public key), big-endian. */
  readonly keyId: number
  readonly type: typeof SIGNATURE_ED25519 | typeof SIGNATURE_COSIGNATURE_V1
  readonly publicKey: Uint8Array
  /** The vkey string this verifier was parsed from (or would format to). */
  readonly vkey: string
  /** Node key object for `crypto.verify`. */
  readonly keyObject: KeyObject
}

/** The node's Ed25519 signing key. Its text form is the Go/C2SP skey `PRIVATE+KEY+name+hexkeyid+base64(0x01||seed)`. */
export interface NodeSigningKey {
  readonly name: string
  readonly keyId: number
  /** 32-byte Ed25519 seed (the private key proper). */
  readonly seed: Uint8Array
  readonly publicKey: Uint8Array
  readonly privateKey: KeyObject
  /** The matching verifier key string, to publish to recipients. */
  readonly vkey: string
}

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

/** C2SP key names: non-empty, no Unicode whitespace, no '+'. */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name) && !/\p{Cs}/u.test(name)
}

/** Key ID = first 4 bytes (big-endian) of SHA-256(name || 0x0A || type || public key). */
export function computeKeyId(name: string, type: number, publicKey: Uint8Array): number {
  const digest = sha256(Buffer.concat([Buffer.from(`${name}\n`, 'utf8'), Uint8Array.of(type), publicKey]))
  return digest.readUInt32BE(0)
}

const hex8 = (keyId: number): string => keyId.toString(16).padStart(8, '0')

function malformed(message: string): never {
  throw new LedgerError('malformed_key', message)
}

function splitKey(text: string, parts: number): string[] {
  // Split on the first parts-1 '+' only: base64 key material may itself contain '+'.
  const out: string[] = []
  let rest = text
  for (let i = 0; i < parts - 1; i++) {
    const at = rest.indexOf('+')
    if (at < 0) malformed('key has too few "+"-separated fields')
    out.push(rest.slice(0, at))
    rest = rest.slice(at + 1)
  }
  out.push(rest)
  return out
}

function ed25519PublicKeyObject(publicKey: Uint8Array): KeyObject {
  return createPublicKey({
    key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]),
    format: 'der',
    type: 'spki',
  })
}

/** Parses a vkey (`name+hexkeyid+base64(type||pubkey)`); types 0x01 and 0x04 (Ed25519) are supported. */
export function parseVerifierKey(vkey: string): NoteVerifier {
  const [name, idHex, material] = splitKey(vkey, 3) as [string, string, string]
  if (!isValidKeyName(name)) malformed(`invalid key name ${JSON.stringify(name)}`)
  if (!/^[0-9a-f]{8}$/.test(idHex)) malformed('key id must be 8 lowercase hex digits')
  const bytes = fromBase64Strict(material)
  if (bytes === null || bytes.length === 0) malformed('key material is not base64')
  const type = bytes[0]!
  if (type !== SIGNATURE_ED25519 && type !== SIGNATURE_COSIGNATURE_V1) {
    malformed(`unsupported signature type 0x${type.toString(16).padStart(2, '0')}`)
  }
  const publicKey = bytes.subarray(1)
  if (publicKey.length !== 32) malformed(`Ed25519 public key must be 32 bytes, got ${publicKey.length}`)
  const keyId = computeKeyId(name, type, publicKey)
  if (hex8(keyId) !== idHex) malformed(`key id ${idHex} does not match the key (expected ${hex8(keyId)})`)
  return { name, keyId, type, publicKey, vkey, keyObject: ed25519PublicKeyObject(publicKey) }
}

/**
 * Why `vkey` cannot verify a Sluice node's checkpoints, or undefined when it can: nodes sign with plain
 * Ed25519 (type 0x01), so a cosignature key (0x04) is a witness's, never the node's own.
 */
export function nodeVerifierKeyProblem(vkey: string): string | undefined {
  try {
    if (parseVerifierKey(vkey).type === SIGNATURE_ED25519) return undefined
    return "type 0x04: a witness's cosignature key, not the node's own"
  } catch (error) {
    if (error instanceof LedgerError) return error.message
    throw error
  }
}

/** Formats a vkey from its parts. */
export function formatVerifierKey(name: string, type: number, publicKey: Uint8Array): string {
  if (!isValidKeyName(name)) malformed(`invalid key name ${JSON.stringify(name)}`)
  const keyId = computeKeyId(name, type, publicKey)
  return `${name}+${hex8(keyId)}+${toBase64(Buffer.concat([Uint8Array.of(type), publicKey]))}`
}

/** The signing key whose Ed25519 seed is `seed`. */
export function nodeKeyFromSeed(name: string, seed: Uint8Array): NodeSigningKey {
  if (!isValidKeyName(name)) malformed(`invalid key name ${JSON.stringify(name)}`)
  if (seed.length !== 32) malformed(`Ed25519 seed must be 32 bytes, got ${seed.length}`)
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  })
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' })
  const publicKey = new Uint8Array(spki.subarray(SPKI_ED25519_PREFIX.length))
  return {
    name,
    keyId: computeKeyId(name, SIGNATURE_ED25519, publicKey),
    seed: new Uint8Array(seed),
    publicKey,
    privateKey,
    vkey: formatVerifierKey(name, SIGNATURE_ED25519, publicKey),
  }
}

/** A fresh Ed25519 node key named `name` (use the log origin, e.g. `ledger.meridia.example/global`). */
export function generateNodeKey(name: string): NodeSigningKey {
  return nodeKeyFromSeed(name, randomBytes(32))
}

/** Parses a signer key string `PRIVATE+KEY+name+hexkeyid+base64(0x01||seed)`. */
export function parseSignerKey(skey: string): NodeSigningKey {
  const [p, k, name, idHex, material] = splitKey(skey, 5) as [string, string, string, string, string]
  if (p !== 'PRIVATE' || k !== 'KEY') malformed('signer key must start with PRIVATE+KEY+')
  if (!isValidKeyName(name)) malformed(`invalid key name ${JSON.stringify(name)}`)
  if (!/^[0-9a-f]{8}$/.test(idHex)) malformed('key id must be 8 lowercase hex digits')
  const bytes = fromBase64Strict(material)
  if (bytes === null || bytes.length !== 33 || bytes[0] !== SIGNATURE_ED25519) {
    malformed('signer key material must be base64 of 0x01 || 32-byte Ed25519 seed')
  }
  const key = nodeKeyFromSeed(name, bytes.subarray(1))
  if (hex8(key.keyId) !== idHex)
    malformed(`key id ${idHex} does not match the key (expected ${hex8(key.keyId)})`)
  return key
}

/** The signer key string of a node key (secret: store it with mode 0600). */
export function formatSignerKey(key: NodeSigningKey): string {
  const material = toBase64(Buffer.concat([Uint8Array.of(SIGNATURE_ED25519), key.seed]))
  return `PRIVATE+KEY+${key.name}+${hex8(key.keyId)}+${material}`
}

/** The verifier of a node key. */
export function verifierOf(key: NodeSigningKey): NoteVerifier {
  return parseVerifierKey(key.vkey)
}
