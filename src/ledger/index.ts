/**
 * The disclosure ledger's domain: RFC 9162 Merkle trees stored as perfect subtrees, canonical entries,
 * C2SP checkpoints and signed notes, and the recipient-side verifier. Pure except `node-key-file.ts`.
 * @module
 */
export * from './checkpoint.js'
export * from './entry.js'
export * from './errors.js'
export * from './hash.js'
export * from './key-change.js'
export * from './log-id.js'
export * from './memory-ledger.js'
export * from './memory-node-store.js'
export * from './note.js'
export * from './note-key.js'
export * from './proof.js'
export * from './recipient.js'
export * from './reference.js'
export { decomposeRange, largestPowerOfTwoBelow } from './size.js'
export * from './tiles.js'
export * from './tree.js'
export * from './verify.js'
