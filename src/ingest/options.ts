import type { StixObject } from '../stix/object.js'
import { validatePattern } from '../stix/pattern/index.js'
import type { Store } from '../store/types.js'
import { knownMarkings } from './known-markings.js'
import type { PrepareOptions } from './prepare.js'

/** Reports a bad STIX pattern with the column it goes wrong at. */
export function checkPattern(pattern: string): string | undefined {
  const error = validatePattern(pattern)
  return error ? `pattern ${error.kind} error at column ${error.column}: ${error.message}` : undefined
}

/** How every ingest path (TAXII POST, CLI import, feeds) prepares objects for this store. */
export function ingestOptions(store: Store): PrepareOptions {
  return {
    patternChecker: checkPattern,
    knownMarkings: (ids) => knownMarkings(store, ids),
    heldMarkings: async (ids) =>
      (await store.latestVersions(ids))
        .filter((v) => v.type === 'marking-definition')
        .map((v) => JSON.parse(v.json) as StixObject),
  }
}
