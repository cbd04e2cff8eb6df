/**
 * STIX 2.1 patterning: a hand-written lexer and recursive-descent parser for the full grammar,
 * semantic validation (including object paths against the Cyber-observable vocabulary), a printer,
 * and a matcher for observed-data in STIX 2.1 and 2.0 form.
 *
 * @module
 */
export type * from './ast.js'
export { type PatternError, PatternMatchError } from './errors.js'
export {
  CompiledPattern,
  compilePattern,
  type MatchedObservation,
  type MatchOptions,
  type MatchResult,
  matchPattern,
  type ObjectLookup,
  type ObservedDataInput,
} from './matcher.js'
export { type ParseOptions, type ParseResult, parsePattern } from './parser.js'
export { printPattern } from './printer.js'
export { type PropertySpec, type ScoTypeDefinition, STIX21_SCO_TYPES } from './sco-vocabulary.js'
export { semanticIssues, type ValidateOptions, validatePattern } from './validate.js'
