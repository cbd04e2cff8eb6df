import { ABOVE_TLP_LEVELS, isAboveTlpLevel, type TlpLevel } from '../policy/tlp.js'
import { hasTimestampForm, isTimestamp } from '../stix/timestamp.js'
import { isRecordableInstant } from '../store/time.js'
import { HintedError, type SeeAlso } from './see-also.js'
import { NAME_MAX, PROSE_MAX, UNPRINTABLE_IN_NAME, UNPRINTABLE_IN_PROSE } from './text-rules.js'

/** A policy command the node refuses, with one line saying why; the API answers 400, the CLI exits 1. */
export class PolicyInputError extends HintedError {
  override readonly name = 'PolicyInputError'
}

export const fail = (message: string, seeAlso?: SeeAlso): never => {
  throw new PolicyInputError(message, seeAlso)
}

/**
 * A refusal because `subject` (a partner, order or object) does not exist. When the request names it in
 * its path the API answers 404, as for any resource that is not there; named in a body it is bad input.
 */
export class UnknownSubjectError extends PolicyInputError {
  constructor(
    message: string,
    readonly subject: string,
    seeAlso?: SeeAlso,
  ) {
    super(message, seeAlso)
  }
}

export const unknown = (subject: string, message: string, seeAlso?: SeeAlso): never => {
  throw new UnknownSubjectError(message, subject, seeAlso)
}

/** Why `value` is refused as an instant: not on the calendar, or not written as one at all. */
export function instantRefusal(
  value: unknown,
  what: string,
  expected = 'an RFC 3339 UTC timestamp such as 2026-01-07T09:00:00Z',
): string {
  if (!hasTimestampForm(value)) return `${what} must be ${expected}`
  if (isTimestamp(value))
    return `${what} ${value} is outside the span this node can record (1684-07-28 to 2255-06-05)`
  return `${what} ${value} is not on the calendar (no such day, hour, minute or second)`
}

/** A leap second (:60): the policy reads it, but JavaScript dates, and so the console's views, do not. */
const LEAP_SECOND = /T\d\d:\d\d:60/

export function instantOr(value: unknown, fallback: string, what: string): string {
  if (value === undefined || value === null || value === '') return fallback
  if (!isRecordableInstant(value)) fail(instantRefusal(value, what))
  if (LEAP_SECOND.test(value as string))
    fail(`${what} ${value} names a leap second; give the second before or after it`)
  return value as string
}

/** In a `u` pattern a well-formed pair is one code point, so this finds only a half without its other half. */
const LONE_SURROGATE = /\p{Cs}/u

export function text(value: unknown, what: string, max = PROSE_MAX): string {
  if (typeof value !== 'string' || value.trim() === '') fail(`${what} is required`)
  if ((value as string).length > max) fail(`${what} is longer than ${max} characters`)
  // it cannot be written as UTF-8: each reader would show something else, or refuse it
  if (LONE_SURROGATE.test(value as string))
    fail(`${what} is not well-formed Unicode (it holds a lone surrogate)`)
  return (value as string).trim()
}

/** A name shown to people (a partner's, a principal's): one printable line. */
export function displayName(value: unknown, what: string, max = NAME_MAX): string {
  const name = text(value, what, max)
  if (UNPRINTABLE_IN_NAME.test(name)) fail(`${what} must be one line of printable characters`)
  return name
}

const LINE_BREAKS = /\r?\n/g

/** Free text shown to people (an order's reason): printable, line breaks allowed. */
export function prose(value: unknown, what: string, max = PROSE_MAX): string {
  const lines = text(value, what, max).replace(LINE_BREAKS, '\n')
  if (UNPRINTABLE_IN_PROSE.test(lines.replaceAll('\n', ''))) fail(`${what} must be printable text`)
  return lines
}

/** Optional free text shown to people (a collection's description), held to the rules of `prose`. */
export function optionalText(value: unknown, what: string, max = PROSE_MAX): string | undefined {
  return value === undefined || value === null || value === '' ? undefined : prose(value, what, max)
}

export function stringList(value: unknown, what: string): string[] | undefined {
  if (value === undefined || value === null) return undefined
  const list =
    typeof value === 'string'
      ? value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : value
  if (!Array.isArray(list) || list.some((s) => typeof s !== 'string' || s === ''))
    fail(`${what} must be a list of names`)
  return list as string[]
}

/** Refuses a list that names one entry twice: a set given with a repeat is a slip, and would be stored so. */
export function once(list: readonly string[] | '*' | undefined, what: string): void {
  if (list === undefined || list === '*') return
  const seen = new Set<string>()
  for (const entry of list) {
    if (seen.has(entry)) fail(`${what} names ${entry} twice`)
    seen.add(entry)
  }
}

/** An order's "above TLP" narrowing, in any case; undefined when not given. */
export function aboveTlpInput(value: string | undefined, what: string): TlpLevel | undefined {
  if (value === undefined || value === '') return undefined
  const level = value.toLowerCase()
  if (!isAboveTlpLevel(level))
    return fail(`${what} must be one of ${ABOVE_TLP_LEVELS.join(', ')} (nothing is above red)`)
  return level
}

/** What a field of a JSON request body must hold; every list is of non-empty names and is never empty. */
export type FieldKind = 'string' | 'boolean' | 'integer' | 'list' | 'list-or-all' | 'records'

/** The fields a JSON request takes, by name. */
export type BodyShape = Readonly<Record<string, FieldKind>>

const EXPECTED: Record<FieldKind, string> = {
  string: 'a non-empty string',
  boolean: 'true or false',
  integer: 'a whole number',
  list: 'a non-empty list of non-empty strings',
  'list-or-all': '"*" or a non-empty list of non-empty strings',
  records: 'a list of JSON objects',
}

function fits(kind: FieldKind, value: unknown): boolean {
  if (kind === 'string') return typeof value === 'string' && value.trim() !== ''
  if (kind === 'boolean') return typeof value === 'boolean'
  if (kind === 'integer') return Number.isSafeInteger(value)
  if (kind === 'list-or-all' && value === '*') return true
  if (kind === 'records')
    return (
      Array.isArray(value) && value.every((r) => typeof r === 'object' && r !== null && !Array.isArray(r))
    )
  return (
    Array.isArray(value) && value.length > 0 && value.every((s) => typeof s === 'string' && s.trim() !== '')
  )
}

/**
 * Refuses a JSON body with a field the request does not take, or one of the wrong type, naming it. Dropping
 * such a field instead is how a narrowed order turns into a whole-partner one: a misspelt, mistyped or empty
 * narrowing must never read as "no narrowing".
 */
export function checkBody(body: Record<string, unknown>, shape: BodyShape): void {
  for (const [name, value] of Object.entries(body)) {
    if (!Object.hasOwn(shape, name))
      fail(
        `unknown field "${name}"; this request takes ${Object.keys(shape).join(', ') || 'no fields (send {} or no body)'}`,
      )
    if (!fits(shape[name]!, value)) fail(`${name} must be ${EXPECTED[shape[name]!]}`)
  }
}

/** Refuses a query parameter outside its allowed values: a filter that matches nothing by typo reads as "none". */
export function oneOf<T extends string>(
  value: string | null,
  allowed: readonly T[],
  what: string,
): T | undefined {
  if (value === null) return undefined
  if (!(allowed as readonly string[]).includes(value)) fail(`${what} must be one of ${allowed.join(', ')}`)
  return value as T
}
