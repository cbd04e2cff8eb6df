import { ABOVE_TLP_LEVELS, isAboveTlpLevel, type TlpLevel } from '../policy/tlp.js'

/** A policy command the node refuses, with one line saying why; the API answers 400, the CLI exits 1. */
export class PolicyInputError extends Error {
  override readonly name = 'PolicyInputError'
}

export const fail = (message: string): never => {
  throw new PolicyInputError(message)
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/

export function instantOr(value: unknown, fallback: string, what: string): string {
  if (value === undefined || value === null || value === '') return fallback
  if (typeof value !== 'string' || !INSTANT.test(value) || Number.isNaN(Date.parse(value))) {
    fail(`${what} must be an RFC 3339 UTC timestamp such as 2026-01-07T09:00:00Z`)
  }
  return value as string
}

export function text(value: unknown, what: string, max = 2000): string {
  if (typeof value !== 'string' || value.trim() === '') fail(`${what} is required`)
  if ((value as string).length > max) fail(`${what} is longer than ${max} characters`)
  return (value as string).trim()
}

export function optionalText(value: unknown, what: string, max = 2000): string | undefined {
  return value === undefined || value === null || value === '' ? undefined : text(value, what, max)
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

/** An order's "above TLP" narrowing, in any case; undefined when not given. */
export function aboveTlpInput(value: string | undefined, what: string): TlpLevel | undefined {
  if (value === undefined || value === '') return undefined
  const level = value.toLowerCase()
  if (!isAboveTlpLevel(level))
    return fail(`${what} must be one of ${ABOVE_TLP_LEVELS.join(', ')} (nothing is above red)`)
  return level
}
