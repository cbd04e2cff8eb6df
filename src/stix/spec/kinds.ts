/**
 * The vocabulary the type tables are written in. A table says, per property,
 * what kind of value it holds and whether it is required; the validator walks
 * the tables instead of hand-coding each type.
 */
import type { Sink } from '../issue.js'
import type { TimestampPrecision } from '../timestamp.js'

/** Which object types an identifier property may point to. */
export type RefTarget =
  | readonly string[]
  | 'any'
  | 'sdo' // an SDO (predefined or custom)
  | 'sco' // an SCO (predefined or custom)
  | 'sdo-or-sco'
  | 'sco-or-sro'
  | 'not-bundle-or-language-content'

export type Kind =
  | { readonly kind: 'string'; readonly format?: Format }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'integer'; readonly min?: number; readonly max?: number }
  | { readonly kind: 'number'; readonly min?: number; readonly max?: number }
  | { readonly kind: 'timestamp'; readonly precision: TimestampPrecision }
  | { readonly kind: 'identifier'; readonly targets: RefTarget }
  | { readonly kind: 'list'; readonly of: Kind }
  | { readonly kind: 'open-vocab'; readonly vocabulary: string }
  | { readonly kind: 'enum'; readonly vocabulary: string; readonly values: ReadonlySet<string> }
  | { readonly kind: 'dictionary'; readonly values?: Kind }
  | { readonly kind: 'hashes'; readonly vocabularyOnly: boolean }
  | { readonly kind: 'binary' }
  | { readonly kind: 'hex' }
  | { readonly kind: 'url' }
  | { readonly kind: 'lang' }
  | { readonly kind: 'object'; readonly shape: Shape }
  | { readonly kind: 'json-object' }
  | { readonly kind: 'one-of'; readonly kinds: readonly Kind[] }
  | { readonly kind: 'kill-chain-phase' }
  | { readonly kind: 'external-reference' }
  | { readonly kind: 'granular-marking' }
  | { readonly kind: 'observable-container' }

/** A named string format, checked by a function compiled once. */
export interface Format {
  readonly name: string
  readonly test: (value: string) => boolean
}

export interface PropertySpec {
  readonly kind: Kind
  readonly required: boolean
}

export type Properties = Readonly<Record<string, PropertySpec>>

/** Cross-property rules the specification states for a type. */
export type Constraint =
  | { readonly kind: 'at-least-one'; readonly props: readonly string[] }
  | { readonly kind: 'mutually-exclusive'; readonly props: readonly string[] }
  | { readonly kind: 'requires'; readonly prop: string; readonly requires: readonly string[] }
  | { readonly kind: 'order'; readonly earlier: string; readonly later: string; readonly strict: boolean }
  | {
      readonly kind: 'check'
      readonly check: (obj: Record<string, unknown>, path: string, sink: Sink) => void
    }

export interface Shape {
  readonly properties: Properties
  readonly constraints?: readonly Constraint[]
}

export type Category = 'sdo' | 'sro' | 'sco' | 'meta'

export interface TypeSpec extends Shape {
  readonly type: string
  readonly category: Category
  /** Names of the properties that must be present (derived from `properties`). */
  readonly required: readonly string[]
  /** Common properties that do not apply to this type and must not appear. */
  readonly forbidden: ReadonlySet<string>
  /** Predefined extensions (`*-ext`) this type may carry. */
  readonly extensions: Readonly<Record<string, Shape>>
}

// Constructors, so the tables read like the specification's property tables.

export const string: Kind = { kind: 'string' }
export const boolean: Kind = { kind: 'boolean' }
export const binary: Kind = { kind: 'binary' }
export const hex: Kind = { kind: 'hex' }
export const url: Kind = { kind: 'url' }
export const lang: Kind = { kind: 'lang' }
export const jsonObject: Kind = { kind: 'json-object' }
export const hashes: Kind = { kind: 'hashes', vocabularyOnly: false }
export const killChainPhase: Kind = { kind: 'kill-chain-phase' }
export const externalReference: Kind = { kind: 'external-reference' }
export const granularMarking: Kind = { kind: 'granular-marking' }
export const timestamp: Kind = { kind: 'timestamp', precision: 'any' }
export const timestampMillis: Kind = { kind: 'timestamp', precision: 'millisecond' }
export const timestampSeconds: Kind = { kind: 'timestamp', precision: 'second' }

export function formatted(name: string, test: (value: string) => boolean): Kind {
  return { kind: 'string', format: { name, test } }
}
export function integer(min?: number, max?: number): Kind {
  return { kind: 'integer', ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }) }
}
export function number(min?: number, max?: number): Kind {
  return { kind: 'number', ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }) }
}
export function list(of: Kind): Kind {
  return { kind: 'list', of }
}
export const strings: Kind = list(string)
export function ref(...targets: string[]): Kind {
  return { kind: 'identifier', targets }
}
export function refTo(targets: RefTarget): Kind {
  return { kind: 'identifier', targets }
}
export function refs(...targets: string[]): Kind {
  return list(ref(...targets))
}
export function ov(vocabulary: string): Kind {
  return { kind: 'open-vocab', vocabulary }
}
export function closed(vocabulary: string, values: readonly string[]): Kind {
  return { kind: 'enum', vocabulary, values: new Set(values) }
}
export function dictionary(values?: Kind): Kind {
  return values === undefined ? { kind: 'dictionary' } : { kind: 'dictionary', values }
}
export function object(properties: Properties, constraints?: readonly Constraint[]): Kind {
  return { kind: 'object', shape: constraints === undefined ? { properties } : { properties, constraints } }
}
export function oneOf(...kinds: Kind[]): Kind {
  return { kind: 'one-of', kinds }
}

export function req(kind: Kind): PropertySpec {
  return { kind, required: true }
}
export function opt(kind: Kind): PropertySpec {
  return { kind, required: false }
}

export function atLeastOne(...props: string[]): Constraint {
  return { kind: 'at-least-one', props }
}
export function exclusive(...props: string[]): Constraint {
  return { kind: 'mutually-exclusive', props }
}
export function requires(prop: string, ...required: string[]): Constraint {
  return { kind: 'requires', prop, requires: required }
}
/** `later` must not precede `earlier` (or must follow it, when strict). */
export function order(earlier: string, later: string, strict = false): Constraint {
  return { kind: 'order', earlier, later, strict }
}
