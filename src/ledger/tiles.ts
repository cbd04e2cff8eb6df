import { LedgerError } from './errors.js'

/** Hashes (or entries) per full tile in C2SP tlog-tiles. */
export const TILE_WIDTH = 256

/** A tile address: level 0–63, index, width (0 = full tile, 1–255 = partial). */
export interface TileAddress {
  readonly level: number
  readonly index: bigint
  readonly width: number
}

function malformed(message: string): never {
  throw new LedgerError('malformed_tile_path', message)
}

/** The tile index as 3-digit groups, all but the last prefixed with `x`: 1234067 → `x001/x234/067`. */
export function formatTileIndex(index: number | bigint): string {
  let n = BigInt(index)
  if (n < 0n || n >= 2n ** 64n) malformed(`tile index ${n} is out of range`)
  const groups: string[] = []
  do {
    groups.unshift(String(n % 1000n).padStart(3, '0'))
    n /= 1000n
  } while (n > 0n)
  return groups.map((group, i) => (i < groups.length - 1 ? `x${group}` : group)).join('/')
}

function widthSuffix(width: number): string {
  if (!Number.isInteger(width) || width < 0 || width >= TILE_WIDTH)
    malformed(`tile width ${width} is out of range`)
  return width === 0 ? '' : `.p/${width}`
}

/** `tile/<L>/<N>[.p/<W>]`, relative to the log prefix. */
export function tilePath(level: number, index: number | bigint, width = 0): string {
  if (!Number.isInteger(level) || level < 0 || level > 63) malformed(`tile level ${level} is out of range`)
  return `tile/${level}/${formatTileIndex(index)}${widthSuffix(width)}`
}

/** `tile/entries/<N>[.p/<W>]`, relative to the log prefix. */
export function entriesPath(index: number | bigint, width = 0): string {
  return `tile/entries/${formatTileIndex(index)}${widthSuffix(width)}`
}

/** The entry bundle that holds log entry `seq` in a log of `logSize` entries. */
export function entriesPathForLogIndex(seq: number, logSize: number): string {
  const index = Math.floor(seq / TILE_WIDTH)
  const width = Math.floor(logSize / TILE_WIDTH) > index ? 0 : logSize % TILE_WIDTH
  return entriesPath(index, width)
}

/** Parses the `<L>` and `<N>[.p/<W>]` parts of a tile path; throws `malformed_tile_path`. */
export function parseTilePath(level: string, index: string): TileAddress {
  if (!/^(0|[1-9][0-9]?)$/.test(level) || Number(level) > 63)
    malformed(`bad tile level ${JSON.stringify(level)}`)
  let digits = index
  let width = 0
  const partial = index.indexOf('.p/')
  if (partial >= 0) {
    const w = index.slice(partial + 3)
    if (!/^[1-9][0-9]{0,2}$/.test(w) || Number(w) >= TILE_WIDTH)
      malformed(`bad tile width ${JSON.stringify(w)}`)
    width = Number(w)
    digits = index.slice(0, partial)
  }
  const groups = digits.split('/')
  let n = 0n
  groups.forEach((group, i) => {
    const last = i === groups.length - 1
    if (!(last ? /^[0-9]{3}$/ : /^x[0-9]{3}$/).test(group))
      malformed(`bad tile index ${JSON.stringify(index)}`)
    n = n * 1000n + BigInt(last ? group : group.slice(1))
  })
  if (n >= 2n ** 64n) malformed(`tile index ${JSON.stringify(index)} does not fit in 64 bits`)
  return { level: Number(level), index: n, width }
}

/** Per level, how many full tiles a tree of `treeSize` has and the width of its partial tile (0 = none). */
export function tileCounts(treeSize: number): { level: number; full: number; partialWidth: number }[] {
  const out: { level: number; full: number; partialWidth: number }[] = []
  for (let level = 0, span = 1; Math.floor(treeSize / span) > 0; level++, span *= TILE_WIDTH) {
    out.push({
      level,
      full: Math.floor(treeSize / (span * TILE_WIDTH)),
      partialWidth: Math.floor(treeSize / span) % TILE_WIDTH,
    })
  }
  return out
}
