/**
 * STIX granular-marking selectors (`description`, `external_references.[0].url`) and removing what they select.
 */
import type { StixObject } from '../stix/object.js'

export type PathSegment = string | number

const SELECTOR = /^([a-z0-9_-]{3,249}(\.(\[\d+\]|[a-z0-9_-]{1,250}))*|id)$/

export function isValidSelector(selector: string): boolean {
  return SELECTOR.test(selector)
}

/** `external_references.[0].url` → `['external_references', 0, 'url']`. No validation beyond the shape. */
export function parseSelector(selector: string): PathSegment[] {
  return selector.split('.').map((part) => {
    const m = /^\[(\d+)\]$/.exec(part)
    return m ? Number(m[1]) : part
  })
}

export function formatSelector(path: readonly PathSegment[]): string {
  return path.map((s) => (typeof s === 'number' ? `[${s}]` : s)).join('.')
}

/** True when `path` is `ancestor` or lies inside it. */
export function isWithin(path: readonly PathSegment[], ancestor: readonly PathSegment[]): boolean {
  if (ancestor.length > path.length) return false
  for (let i = 0; i < ancestor.length; i++) if (path[i] !== ancestor[i]) return false
  return true
}

function childOf(value: unknown, seg: PathSegment): unknown {
  if (typeof seg === 'number') return Array.isArray(value) ? value[seg] : undefined
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, seg)) {
    return (value as Record<string, unknown>)[seg]
  }
  return undefined
}

export function pathExists(root: unknown, path: readonly PathSegment[]): boolean {
  let cur = root
  for (const seg of path) {
    cur = childOf(cur, seg)
    if (cur === undefined) return false
  }
  return true
}

/**
 * A copy of `object` without the properties `selectors` select, and with the remaining granular markings
 * rewritten to match: selectors that pointed into removed properties are dropped (and entries left with none),
 * list indexes after a removed list element are shifted down, and a list emptied by the removal is removed
 * (STIX forbids empty lists). Never mutates `object`.
 */
export function removeSelected(object: StixObject, selectors: readonly string[]): StixObject {
  if (selectors.length === 0) return object
  const paths = selectors.map(parseSelector)
  // Keep only outermost paths; a path inside a removed one disappears with it.
  const outer = paths.filter(
    (p, i) => !paths.some((q, j) => j !== i && isWithin(p, q) && (q.length < p.length || j < i)),
  )
  const out = structuredClone(object) as Record<string, unknown>
  // Deeper paths first, and within one list the highest index first, so indexes stay valid while removing.
  outer.sort((a, b) => b.length - a.length || lastIndex(b) - lastIndex(a))
  const removedElements = new Map<string, number[]>()
  for (const path of outer) {
    const parentPath = path.slice(0, -1)
    const last = path[path.length - 1]!
    let parent: unknown = out
    for (const seg of parentPath) parent = childOf(parent, seg)
    if (typeof last === 'number') {
      if (!Array.isArray(parent) || last >= parent.length) continue
      parent.splice(last, 1)
      const key = formatSelector(parentPath)
      removedElements.set(key, [...(removedElements.get(key) ?? []), last])
      if (parent.length === 0 && parentPath.length > 0) {
        const grand = parentPath.slice(0, -1).reduce<unknown>(childOf, out)
        const name = parentPath[parentPath.length - 1]!
        if (
          typeof name === 'string' &&
          grand !== null &&
          typeof grand === 'object' &&
          !Array.isArray(grand)
        ) {
          delete (grand as Record<string, unknown>)[name]
        }
      }
    } else if (parent !== null && typeof parent === 'object' && !Array.isArray(parent)) {
      delete (parent as Record<string, unknown>)[last]
    }
  }

  const granular = object.granular_markings
  if (granular !== undefined) {
    const kept: NonNullable<StixObject['granular_markings']> = []
    for (const g of granular) {
      const sel: string[] = []
      for (const s of g.selectors) {
        const moved = remap(parseSelector(s), removedElements)
        if (moved !== undefined && pathExists(out, moved)) sel.push(formatSelector(moved))
      }
      if (sel.length > 0) kept.push({ ...g, selectors: sel })
    }
    if (kept.length > 0) out.granular_markings = kept
    else delete out.granular_markings
  }
  return out as StixObject
}

function lastIndex(path: readonly PathSegment[]): number {
  const last = path[path.length - 1]
  return typeof last === 'number' ? last : -1
}

function remap(
  path: readonly PathSegment[],
  removed: ReadonlyMap<string, number[]>,
): PathSegment[] | undefined {
  const out: PathSegment[] = []
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!
    if (typeof seg === 'number') {
      const gone = removed.get(formatSelector(path.slice(0, i)))
      if (gone !== undefined) {
        if (gone.includes(seg)) return undefined
        out.push(seg - gone.filter((g) => g < seg).length)
        continue
      }
    }
    out.push(seg)
  }
  return out
}
