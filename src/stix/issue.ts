/**
 * Validation issues are data: a JSON path, a stable rule id and a message.
 * The rule ids below are part of the public contract; callers may switch on them.
 */
export type Rule =
  | 'not-an-object'
  | 'required-property'
  | 'forbidden-property'
  | 'reserved-property'
  | 'property-type'
  | 'null-value'
  | 'empty-list'
  | 'empty-dictionary'
  | 'dictionary-key'
  | 'type-name'
  | 'identifier-form'
  | 'identifier-type-mismatch'
  | 'reference-type'
  | 'timestamp-format'
  | 'timestamp-precision'
  | 'modified-before-created'
  | 'timestamp-order'
  | 'spec-version'
  | 'closed-vocabulary'
  | 'custom-property-name'
  | 'integer-range'
  | 'number-range'
  | 'hashes-key'
  | 'hash-value'
  | 'binary-format'
  | 'hex-format'
  | 'url-format'
  | 'value-format'
  | 'lang-format'
  | 'external-id-format'
  | 'at-least-one-property'
  | 'mutually-exclusive-properties'
  | 'dependent-property'
  | 'granular-marking-target'
  | 'selector-syntax'
  | 'selector-unresolved'
  | 'extension-key'
  | 'extension-properties'
  | 'tlp-marking'
  | 'iep-marking'
  | 'observable-type'
  | 'pattern-syntax'
  | 'sco-id-deterministic'

export interface ValidationIssue {
  path: string
  rule: Rule | (string & {})
  message: string
}

/** Where a check reports to; one per validate call. */
export interface Sink {
  readonly issues: ValidationIssue[]
  readonly patternChecker: ((pattern: string) => string | undefined) | undefined
}

export function report(sink: Sink, path: string, rule: Rule, message: string): void {
  sink.issues.push({ path, rule, message })
}

const SIMPLE_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/

/** `$.a.b` for plain names, `$["SHA-256"]` for anything else. */
export function child(path: string, key: string): string {
  return SIMPLE_KEY.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`
}

export function at(path: string, index: number): string {
  return `${path}[${index}]`
}
