import type { StixObject } from '../stix/object.js'
import type { DemoCollectionAlias } from './collections.js'
import { DEMO_CAVEATS, type DemoCaveatKey } from './markings.js'
import { HOME_IDENTITY_ID } from './parties.js'
import { Prng } from './prng.js'
import { TLP_MARKING_IDS, type TlpLevel } from './tlp.js'
import { demoId, scoId } from './uuid.js'

/** One object of the demo world and the collection it is published in. */
export interface DemoWorldEntry {
  collection: DemoCollectionAlias
  object: StixObject
}

/** How an object is marked: a TLP level, optional caveats, optional granular markings. */
export interface Marks {
  tlp: TlpLevel
  caveats?: DemoCaveatKey[]
  /** Properties marked with a stricter TLP level than the object's (granular markings). */
  granular?: { tlp: TlpLevel; selectors: string[] }[]
}

/** Admiralty grade: source reliability A–F and information credibility 1–6. */
export type AdmiraltyGrade = `${'A' | 'B' | 'C' | 'D' | 'E' | 'F'}${1 | 2 | 3 | 4 | 5 | 6}`

/** Collects world entries; every choice goes through one seeded PRNG, so the world is byte-stable. */
export class WorldBuilder {
  readonly prng: Prng
  readonly entries: DemoWorldEntry[] = []

  constructor(seed: number) {
    this.prng = new Prng(seed)
  }

  add(collection: DemoCollectionAlias, object: StixObject): StixObject {
    this.entries.push({ collection, object })
    return object
  }

  /**
   * A new domain object with the common properties first. `slug` names it (the id is derived from
   * type and slug), `created`/`modified` are ISO timestamps.
   */
  sdo(
    type: string,
    slug: string,
    times: { created: string; modified?: string },
    marks: Marks,
    props: Record<string, unknown>,
  ): StixObject {
    const object: StixObject = {
      type,
      spec_version: '2.1',
      id: demoId(type, slug),
      created_by_ref: HOME_IDENTITY_ID,
      created: times.created,
      modified: times.modified ?? times.created,
      ...props,
    }
    applyMarks(object, marks)
    return object
  }

  /** A cyber-observable with the STIX deterministic id of its `value`. */
  sco(type: string, value: string, props: Record<string, unknown> = {}): StixObject {
    return { type, spec_version: '2.1', id: scoId(type, value), value, ...props }
  }
}

export function applyMarks(object: StixObject, marks: Marks): void {
  object.object_marking_refs = [
    TLP_MARKING_IDS[marks.tlp],
    ...(marks.caveats ?? []).map((k) => DEMO_CAVEATS[k]),
  ]
  if (marks.granular && marks.granular.length > 0) {
    object.granular_markings = marks.granular.map((g) => ({
      marking_ref: TLP_MARKING_IDS[g.tlp],
      selectors: g.selectors,
    }))
  }
}

/** A later version of `object`: same id and created, a later `modified`, some properties changed. */
export function revise(object: StixObject, modified: string, changes: Record<string, unknown>): StixObject {
  const next: StixObject = { ...object, ...changes, modified }
  // Keep the markings last, as in the first version.
  const { object_marking_refs, granular_markings } = next
  delete next.object_marking_refs
  delete next.granular_markings
  if (object_marking_refs !== undefined) next.object_marking_refs = object_marking_refs
  if (granular_markings !== undefined) next.granular_markings = granular_markings
  return next
}
