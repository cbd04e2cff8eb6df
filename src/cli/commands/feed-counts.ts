/**
 * What a feed has taken in, as `feeds list` and `feeds poll` print it: what was received, and what was not
 * stored, so a feed whose objects are refused does not read as healthy.
 */
export function feedCountsText(counts: Readonly<Record<string, number>>): string {
  const refused = (['rejected', 'bounced'] as const).filter((name) => (counts[name] ?? 0) > 0)
  const parts = [`received ${counts.added ?? 0}`, ...refused.map((name) => `${name} ${counts[name]}`)]
  return `${parts.join(', ')}${refused.length ? ' ("feeds list --json" says why)' : ''}`
}
