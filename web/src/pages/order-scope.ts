import type { FlowsMatrix } from '../../../src/services/console-types.js'

/** An order's scope as the admin API returns it, or as the order dialog drafts it. */
export type ScopeView = Record<string, string[] | string | undefined>

/** The scope text of an order that suspends all sharing; the node's partner page says the same (`WHOLE_PARTNER`). */
export const WHOLE_PARTNER = 'all sharing'

/** An order's scope in words, with collection aliases where the node has them. */
export function scopeText(scope: ScopeView | undefined, matrix: FlowsMatrix): string {
  if (!scope || Object.keys(scope).length === 0) return WHOLE_PARTNER
  const alias = (id: string) => matrix.collections.find((c) => c.id === id)?.alias ?? id
  const parts: string[] = []
  if (Array.isArray(scope.collections)) parts.push(`collections ${scope.collections.map(alias).join(', ')}`)
  if (Array.isArray(scope.object_types)) parts.push(`types ${scope.object_types.join(', ')}`)
  if (Array.isArray(scope.markings)) parts.push(`markings ${scope.markings.length}`)
  if (Array.isArray(scope.labels)) parts.push(`labels ${scope.labels.join(', ')}`)
  if (typeof scope.above_tlp === 'string') parts.push(`above TLP:${scope.above_tlp.toUpperCase()}`)
  return parts.join('; ')
}
