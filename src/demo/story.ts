import type { DemoCollectionAlias } from './collections.js'
import type { DemoPartnerKey } from './parties.js'
import { demoInstant } from './time.js'
import type { TlpLevel } from './tlp.js'

/** An order an officer issues against sharing with one partner. */
export interface DemoOrder {
  action: 'suspend' | 'resume'
  partner: DemoPartnerKey
  /** Collections the order covers, or all of them. */
  collections: DemoCollectionAlias[] | '*'
  /** When set, only objects marked above this TLP level are covered (e.g. 'clear': everything above CLEAR). */
  aboveTlp?: TlpLevel
  reason: string
  /** For a resume: the `step` of the suspension it lifts. */
  lifts?: number
}

/** One step of the scripted demo (`sluice demo replay`). */
export interface DemoStoryStep {
  step: number
  day: number
  /** The instant the step happens (orders take effect at this instant). */
  at: string
  kind: 'flows' | 'order' | 'check' | 'proof'
  /** Who acts: an officer account of the home node (fictional handles), or 'system'. */
  actor: string
  order?: DemoOrder
  /** What a newcomer should see happen. */
  narrative: string
}

export const DEMO_STORY: readonly DemoStoryStep[] = [
  {
    step: 1,
    day: 1,
    at: demoInstant(1, 8),
    kind: 'flows',
    actor: 'system',
    narrative:
      'All four partners pull their collections under their agreements; every disclosure is a ledger entry.',
  },
  {
    step: 2,
    day: 3,
    at: demoInstant(3, 9.5),
    kind: 'order',
    actor: 'officer:insp-kestrel',
    order: {
      action: 'suspend',
      partner: 'northland',
      collections: '*',
      reason: 'ministerial order pending review',
    },
    narrative:
      'Sharing with Northland Drug Enforcement Bureau is suspended: its next requests receive nothing.',
  },
  {
    step: 3,
    day: 3,
    at: demoInstant(3, 11),
    kind: 'order',
    actor: 'officer:supt-harrow',
    order: {
      action: 'suspend',
      partner: 'isles',
      collections: ['maritime-routes'],
      aboveTlp: 'clear',
      reason: 'source protection: a route under active surveillance',
    },
    narrative:
      'Isles Coast Guard keeps receiving TLP:CLEAR maritime-routes objects; everything above CLEAR is withheld.',
  },
  {
    step: 4,
    day: 4,
    at: demoInstant(4, 8),
    kind: 'check',
    actor: 'system',
    narrative:
      'Southern Customs Service and the Interregional Maritime Analysis Centre are unaffected; the flows matrix shows it.',
  },
  {
    step: 5,
    day: 5,
    at: demoInstant(5, 10),
    kind: 'order',
    actor: 'officer:insp-kestrel',
    order: {
      action: 'resume',
      partner: 'northland',
      collections: '*',
      reason: 'ministerial review concluded',
      lifts: 2,
    },
    narrative: 'Northland is resumed; the order history shows the exact suspended interval.',
  },
  {
    step: 6,
    day: 5,
    at: demoInstant(5, 10.5),
    kind: 'proof',
    actor: 'system',
    narrative:
      "Two checkpoints of Northland's per-partner log (before step 2, after step 5) and a consistency proof between them show that no disclosure to Northland was recorded in between.",
  },
]
