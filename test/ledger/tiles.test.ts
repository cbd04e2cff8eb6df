import { describe, expect, it } from 'vitest'
import {
  entriesPath,
  entriesPathForLogIndex,
  formatTileIndex,
  LedgerError,
  parseTilePath,
  tileCounts,
  tilePath,
} from '../../src/ledger/index.js'
import { vectors } from './vectors.js'

describe('tile path vectors (C2SP tlog-tiles)', () => {
  it.each(
    vectors.tiles.paths.map((v, i) => [`${i} ${v.kind} ${'path' in v ? v.path : v.index}`, v] as const),
  )('%s', (_name, v) => {
    switch (v.kind) {
      case 'tile':
        expect(tilePath(v.level, v.index, v.width)).toBe(v.path)
        break
      case 'entries':
        expect(entriesPath(v.index, v.width)).toBe(v.path)
        break
      case 'entriesForLogIndex':
        expect(entriesPathForLogIndex(v.seq, v.logSize)).toBe(v.path)
        break
      case 'parse':
        if (!v.valid) {
          expect(() => parseTilePath(v.level, v.index)).toThrow(LedgerError)
        } else {
          expect(parseTilePath(v.level, v.index)).toEqual({
            level: v.wantLevel,
            index: BigInt(v.wantIndex!),
            width: v.wantWidth,
          })
        }
        break
    }
  })

  it.each(vectors.tiles.c2spExamples.map((v, i) => [i, v] as const))('C2SP example %s', (_i, v) => {
    if ('encoded' in v) {
      expect(formatTileIndex(v.index)).toBe(v.encoded)
    } else {
      const counts = Object.fromEntries(tileCounts(v.treeSize).map(({ level, ...c }) => [String(level), c]))
      expect(counts).toEqual(v.tiles)
    }
  })
})
