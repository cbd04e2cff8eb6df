import { CliError } from './errors.js'

const ON = ['1', 'on', 'true', 'yes']
const OFF = ['0', 'off', 'false', 'no']

/**
 * An on/off setting from the environment: unset or empty is undefined. Anything else that is not plainly on
 * or off is refused: `SLUICE_FOUR_EYES=true` quietly read as off would leave a node without the second
 * officer its operator asked for.
 */
export function envSwitch(name: string): boolean | undefined {
  const value = process.env[name]?.trim().toLowerCase()
  if (value === undefined || value === '') return undefined
  if (ON.includes(value)) return true
  if (OFF.includes(value)) return false
  throw new CliError(`${name} must be on or off (1/0, true/false, yes/no), not "${process.env[name]}"`, 2)
}
