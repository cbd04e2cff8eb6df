/**
 * Sharing policy: who may receive which object version, whole, redacted or not at all. Pure functions only.
 * @module
 */

export { type CompiledPolicy, compileSnapshot, DEFAULT_TLP } from './compile.js'
export {
  decide,
  decideCompiled,
  decideWithoutEndpoints,
  decisionWindow,
  endpointRefs,
  isRequiredProperty,
  redact,
  withEndpointDenials,
} from './decide.js'
export * from './grading.js'
export { cancels, defaultLiftTime, firstLift, liftRefusal } from './lifting.js'
export * from './markings.js'
export { type PolicyViewFacts, policyView, policyViewFacts, storedPolicyFacts } from './policy-view.js'
export { formatSelector, isValidSelector, parseSelector, removeSelected } from './selectors.js'
export * from './sluice-ids.js'
export { type PolicyAtOptions, policyAt } from './snapshot.js'
export { parseInstant } from './time.js'
export * from './tlp.js'
export type * from './types.js'
export {
  type AfterPolicy,
  collectionsVisibleTo,
  type EffectCounts,
  type Explanation,
  explain,
  type PreviewCounts,
  previewCounts,
} from './views.js'
