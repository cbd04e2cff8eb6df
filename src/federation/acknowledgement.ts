/**
 * The withdrawal acknowledgement: a C2SP signed note, signed with the receiving node's ledger key, whose
 * text names the withdrawal, the object, the partner (as the origin calls it), the origin's ledger origin
 * and when the receiver applied it. The origin keeps the note and logs its hash.
 *
 *   sluice-withdrawal-ack/v1
 *   withdrawal withdrawal--…
 *   object indicator--…
 *   partner northland
 *   origin ledger.meridia.example
 *   applied 2026-03-01T09:30:00.000Z
 */
export interface AckFields {
  withdrawal: string
  object: string
  partner: string
  origin: string
  applied: string
}

const HEADER = 'sluice-withdrawal-ack/v1'
const KEYS = ['withdrawal', 'object', 'partner', 'origin', 'applied'] as const
const SAFE = /^[^\s\p{Cc}]+$/u

export function ackText(fields: AckFields): string {
  for (const key of KEYS)
    if (!SAFE.test(fields[key])) throw new Error(`acknowledgement ${key} must be one word without spaces`)
  return `${HEADER}\n${KEYS.map((key) => `${key} ${fields[key]}\n`).join('')}`
}

/** The fields of an acknowledgement's (already verified) text; undefined unless it is exactly one. */
export function parseAckText(text: string): AckFields | undefined {
  const lines = text.split('\n')
  if (lines.length !== KEYS.length + 2 || lines[0] !== HEADER || lines.at(-1) !== '') return undefined
  const out: Record<string, string> = {}
  for (const [i, key] of KEYS.entries()) {
    const line = lines[i + 1]!
    if (!line.startsWith(`${key} `)) return undefined
    const value = line.slice(key.length + 1)
    if (!SAFE.test(value)) return undefined
    out[key] = value
  }
  const fields = out as unknown as AckFields
  return ackText(fields) === text ? fields : undefined
}
