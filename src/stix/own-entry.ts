/**
 * A table's entry for a name taken from input. Indexing a plain object with `constructor`, `toString` or
 * `__proto__` finds Object.prototype's members, which are valid STIX names, so tables keyed by names from
 * the data are read through this.
 */
export function ownEntry<T>(table: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined
}
