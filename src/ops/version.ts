import { readFileSync } from 'node:fs'

let cached: string | undefined

/** The package version, read once from package.json (next to src/ or, when built, next to dist/). */
export function sluiceVersion(): string {
  if (cached) return cached
  for (const relative of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as {
        name?: string
        version?: string
      }
      if (pkg.name === 'sluice' && pkg.version) {
        cached = pkg.version
        return cached
      }
    } catch {
      // try the next location
    }
  }
  cached = 'unknown'
  return cached
}
