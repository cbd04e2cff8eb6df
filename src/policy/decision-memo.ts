/**
 * Deciding many versions for one partner at one instant, as {@link decideCompiled} does one by one, without
 * deciding the same facts twice. Nothing here changes a decision: it only avoids computing one whose outcome
 * is already known.
 */
import type { CompiledPolicy } from './compile.js'
import { decideCompiled, endpointRefs } from './decide.js'
import { policyView } from './policy-view.js'
import type { Decision, DecisionContext, ObjectVersion } from './types.js'

/** Decides one version for the partner and instant the decider was made for. */
export type Decider = (version: ObjectVersion, context?: DecisionContext) => Decision

/** Distinct facts remembered at most per decider; past that it starts afresh (it only saves work). */
const MEMO_LIMIT = 50_000

/**
 * Everything `decideCompiled` reads from a version that has no endpoints (anything but a relationship or a
 * sighting): its collection and its policy view. Two such versions with the same key get the same decision
 * for the same partner, policy and instant.
 */
function factsKey(version: ObjectVersion): string {
  return `${version.collectionId}\n${JSON.stringify(policyView(version.object))}`
}

/**
 * {@link decideCompiled} for `partnerId` at `instant`, remembering decisions of versions without endpoints by
 * their facts. Relationships and sightings depend on their endpoints too, so they are always decided afresh.
 * Decisions handed out may be shared between versions: callers must not mutate them.
 */
export function memoisedDecider(policy: CompiledPolicy, partnerId: string, instant: string): Decider {
  const memo = new Map<string, Decision>()
  return (version, context) => {
    if (endpointRefs(version.object) !== undefined)
      return decideCompiled(policy, partnerId, version, instant, context)
    const key = factsKey(version)
    let d = memo.get(key)
    if (d === undefined) {
      d = decideCompiled(policy, partnerId, version, instant, context)
      if (memo.size >= MEMO_LIMIT) memo.clear()
      memo.set(key, d)
    }
    return d
  }
}
