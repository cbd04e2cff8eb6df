/**
 * Checking the node's ledger in the browser, with WebCrypto only: SHA-256 for the RFC 9162 Merkle hashes and
 * Ed25519 for the C2SP signed checkpoint note. Nothing here trusts the node's own verdict: the page recomputes
 * the root from the leaf and the proof, and checks the signature over the checkpoint that states that root.
 */

export type Bytes = Uint8Array<ArrayBuffer>

const subtle = () => globalThis.crypto.subtle
const utf8 = new TextEncoder()

export function fromBase64(text: string): Bytes {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new Error('not base64')
  const bin = atob(text)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

export function toBase64(bytes: Uint8Array): string {
  let bin = ''
  for (const b of bytes) bin += String.fromCharCode(b)
  return btoa(bin)
}

export function toHex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')
}

function concat(...parts: Uint8Array[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

export async function sha256(...parts: Uint8Array[]): Promise<Bytes> {
  return new Uint8Array(await subtle().digest('SHA-256', concat(...parts)))
}

/** RFC 9162 §2.1.1: leaf hash = SHA-256(0x00 || leaf), interior = SHA-256(0x01 || left || right). */
export const leafHash = (leaf: Uint8Array) => sha256(Uint8Array.of(0), leaf)
export const nodeHash = (left: Uint8Array, right: Uint8Array) => sha256(Uint8Array.of(1), left, right)

/** RFC 9162 §2.1.3.2: the root an inclusion proof leads to, or why the proof has the wrong shape. */
export async function rootFromInclusion(
  leaf: Bytes,
  index: number,
  size: number,
  proof: Bytes[],
): Promise<Bytes | string> {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size)
    return `leaf ${index} is outside a tree of size ${size}`
  if (leaf.length !== 32 || proof.some((p) => p.length !== 32)) return 'every hash must be 32 bytes'
  let fn = index
  let sn = size - 1
  let r = leaf
  for (const p of proof) {
    if (sn === 0) return 'the proof is too long'
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r)
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2)
          sn = Math.floor(sn / 2)
        }
      }
    } else {
      r = await nodeHash(r, p)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  return sn === 0 ? r : 'the proof is too short'
}

export interface VerifierKey {
  name: string
  keyId: number
  publicKey: Bytes
}

/** A C2SP vkey `name+hexkeyid+base64(0x01 || Ed25519 public key)`; the key id is recomputed, not trusted. */
export async function parseVerifierKey(vkey: string): Promise<VerifierKey> {
  const first = vkey.indexOf('+')
  const second = vkey.indexOf('+', first + 1)
  if (first <= 0 || second < 0) throw new Error('a verifier key is name+keyid+key')
  const name = vkey.slice(0, first)
  const idHex = vkey.slice(first + 1, second)
  const material = fromBase64(vkey.slice(second + 1))
  if (!/^[0-9a-f]{8}$/.test(idHex)) throw new Error('the key id must be 8 hex digits')
  if (material.length !== 33 || material[0] !== 0x01)
    throw new Error('only Ed25519 verifier keys are supported')
  const publicKey = material.slice(1)
  const digest = await sha256(utf8.encode(`${name}\n`), material)
  const keyId = new DataView(digest.buffer).getUint32(0)
  if (keyId.toString(16).padStart(8, '0') !== idHex) throw new Error('the key id does not match the key')
  return { name, keyId, publicKey }
}

export interface SignedNote {
  text: string
  signatures: { name: string; keyId: number; signature: Bytes }[]
}

/** Splits a signed note into its text (ending in a newline) and its `— name base64` signature lines. */
export function parseNote(note: string): SignedNote {
  const split = note.lastIndexOf('\n\n')
  if (split < 0) throw new Error('the note has no signature block')
  const text = note.slice(0, split + 1)
  const lines = note
    .slice(split + 2)
    .replace(/\n$/, '')
    .split('\n')
  const signatures = lines.map((line) => {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line)
    if (!m) throw new Error('a signature line is malformed')
    const bytes = fromBase64(m[2]!)
    if (bytes.length < 5) throw new Error('a signature is too short')
    return { name: m[1]!, keyId: new DataView(bytes.buffer).getUint32(0), signature: bytes.slice(4) }
  })
  return { text, signatures }
}

export interface CheckpointBody {
  origin: string
  size: number
  root: Bytes
}

export function parseCheckpoint(text: string): CheckpointBody {
  const [origin, size, root] = text.split('\n')
  if (!origin || !size || !/^(0|[1-9]\d*)$/.test(size) || !root)
    throw new Error('the checkpoint needs origin, size and root lines')
  const hash = fromBase64(root)
  if (hash.length !== 32) throw new Error('the root is not 32 bytes')
  return { origin, size: Number(size), root: hash }
}

export async function ed25519Verify(publicKey: Bytes, signature: Bytes, message: Bytes): Promise<boolean> {
  const key = await subtle().importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify'])
  return subtle().verify({ name: 'Ed25519' }, key, signature, message)
}

/** Whether the note carries a signature by `key` (same name and key id), and whether it verifies. */
export async function signedBy(note: SignedNote, key: VerifierKey): Promise<'valid' | 'invalid' | 'absent'> {
  const sig = note.signatures.find((s) => s.name === key.name && s.keyId === key.keyId)
  if (sig === undefined) return 'absent'
  const valid =
    sig.signature.length === 64 && (await ed25519Verify(key.publicKey, sig.signature, utf8.encode(note.text)))
  return valid ? 'valid' : 'invalid'
}

export interface Step {
  label: string
  ok: boolean
  detail: string
}

export interface InclusionInput {
  vkey: string
  /** The log's origin the recipient expects, e.g. `sluice.localhost/partner/isles`. */
  origin: string
  note: string
  index: number
  leaf: string
  proof: string[]
}

/** Every check a recipient makes, in order; the first failure stops the rest. */
export async function checkInclusion(input: InclusionInput): Promise<Step[]> {
  const steps: Step[] = []
  const add = (label: string, ok: boolean, detail: string) => {
    steps.push({ label, ok, detail })
    return ok
  }
  try {
    const key = await parseVerifierKey(input.vkey)
    add(
      'Verifier key',
      true,
      `${key.name}, key id ${key.keyId.toString(16).padStart(8, '0')} (recomputed from the key)`,
    )
    const note = parseNote(input.note)
    const signed = await signedBy(note, key)
    if (
      !add(
        'Signature present',
        signed !== 'absent',
        signed !== 'absent' ? `signed by ${key.name}` : 'no signature by this key on the checkpoint',
      )
    )
      return steps
    const valid = signed === 'valid'
    if (
      !add(
        'Checkpoint signature (Ed25519)',
        valid,
        valid ? 'the checkpoint text is signed by the node key' : 'the signature does not verify',
      )
    )
      return steps
    const cp = parseCheckpoint(note.text)
    if (
      !add(
        'Log origin',
        cp.origin === input.origin,
        cp.origin === input.origin ? cp.origin : `expected ${input.origin}, the checkpoint says ${cp.origin}`,
      )
    )
      return steps
    const leaf = fromBase64(input.leaf)
    const lh = await leafHash(leaf)
    add('Leaf hash (SHA-256)', true, toHex(lh))
    const root = await rootFromInclusion(lh, input.index, cp.size, input.proof.map(fromBase64))
    if (typeof root === 'string') {
      add('Inclusion proof', false, root)
      return steps
    }
    const same = toHex(root) === toHex(cp.root)
    add(
      'Inclusion proof',
      same,
      same
        ? `entry ${input.index} is in the log of ${cp.size} entries: the recomputed root equals the signed root ${toBase64(cp.root)}`
        : `recomputed root ${toBase64(root)} is not the signed root ${toBase64(cp.root)}`,
    )
  } catch (error) {
    add('Input', false, error instanceof Error ? error.message : String(error))
  }
  return steps
}
