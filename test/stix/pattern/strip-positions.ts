/** Drops `pos` fields so trees parsed from different texts can be compared structurally. */
export function stripPositions<T>(node: T): T {
  return JSON.parse(JSON.stringify(node, (key, value) => (key === 'pos' ? undefined : value))) as T
}
