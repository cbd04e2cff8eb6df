import type { ConsoleMe } from '../../src/services/console-types.js'

const KEY = 'sluice.console.key'
let me: ConsoleMe | undefined

/** The signed-in principal. The API key lives in sessionStorage only: closing the tab signs out. */
export const session = {
  key: (): string | undefined => sessionStorage.getItem(KEY) ?? undefined,
  me: (): ConsoleMe | undefined => me,
  can: (what: keyof ConsoleMe['can']): boolean => me?.can[what] === true,
  isPartner: (): boolean => me?.role === 'partner',
  start(key: string, who: ConsoleMe): void {
    sessionStorage.setItem(KEY, key)
    me = who
  },
  restore(who: ConsoleMe): void {
    me = who
  },
  end(): void {
    sessionStorage.removeItem(KEY)
    me = undefined
  },
}
