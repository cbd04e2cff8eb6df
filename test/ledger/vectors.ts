import { readOracleJson } from '../oracles.js'

// Shapes of ../shared/oracles/rfc9162/vectors.json, read in place.

export interface HashVector {
  id: string
  kind: 'empty' | 'leaf' | 'node'
  input?: string
  left?: string
  right?: string
  expected: string
}
export interface InclusionVector {
  id: string
  desc: string
  leafIndex: number
  treeSize: number
  leafHash: string
  root: string
  proof: string[]
  valid: boolean
  leafInput?: string
}
export interface ConsistencyVector {
  id: string
  desc: string
  size1: number
  size2: number
  root1: string
  root2: string
  proof: string[]
  valid: boolean
  policy?: string
}
export interface KeyVector {
  id: string
  vkey?: string
  skey?: string
  valid: boolean
}
export interface SignedNoteVector {
  id: string
  note: string | null
  noteHex?: string
  verifierKeys: string[]
  valid: boolean
  verified?: string[]
  unverified?: string[]
  error?: string
  signerKey?: string
  deterministic?: boolean
}
export interface CheckpointVector {
  id: string
  note?: string
  body?: string
  valid: boolean
  checkpointOrigin?: string
  treeSize?: number
  rootHash?: string
  extensionLines?: string[]
  verifierKey?: string
}
export type TilePathVector =
  | { kind: 'tile'; level: number; index: number; width: number; path: string }
  | { kind: 'entries'; index: number; width: number; path: string }
  | { kind: 'entriesForLogIndex'; seq: number; logSize: number; path: string }
  | {
      kind: 'parse'
      level: string
      index: string
      valid: boolean
      wantLevel?: number
      wantIndex?: string
      wantWidth?: number
    }

export interface Vectors {
  tree: {
    leaves: string[]
    leafHashes: string[]
    roots: Record<string, string>
    nodeHashes: Record<string, string[]>
  }
  hashes: HashVector[]
  inclusion: InclusionVector[]
  consistency: ConsistencyVector[]
  derived: {
    inclusion: Omit<InclusionVector, 'id' | 'desc' | 'valid'>[]
    consistency: Omit<ConsistencyVector, 'id' | 'desc' | 'valid'>[]
    rfc9162Example: {
      nodes: Record<string, string>
      root7: string
      inclusion: { leafIndex: number; treeSize: number; labels: string[] }[]
      consistency: { size1: number; size2: number; labels: string[] }[]
    }
  }
  notes: {
    keys: KeyVector[]
    signedNotes: SignedNoteVector[]
    cosignatureMessageExample: {
      message: string
      signatureLine: string
      decoded: { keyId: string; timestamp: number; signatureLength: number }
    }
  }
  checkpoints: CheckpointVector[]
  tiles: {
    paths: TilePathVector[]
    c2spExamples: (
      | { index: number; encoded: string }
      | { treeSize: number; tiles: Record<string, { full: number; partialWidth: number }> }
    )[]
  }
}

export const vectors = readOracleJson<Vectors>('rfc9162/vectors.json')

export const hex = (s: string): Buffer => Buffer.from(s, 'hex')
