import { fourEyesRecorded } from '../auth/four-eyes.js'
import type { Store } from '../store/types.js'
import { CliError } from './errors.js'

/**
 * The CLI acts on the store with no principal of its own, so it cannot hold a change for a second officer
 * to approve; where the node runs with the four-eyes rule, it refuses the changes the admin API would hold,
 * rather than let one person make them alone.
 */
export async function refuseUnderFourEyes(store: Store, change: string, apiRoute: string): Promise<void> {
  if (!(await fourEyesRecorded(store))) return
  throw new CliError(
    `four-eyes is on for this node (sluice serve --four-eyes): ${change} needs a second officer; request it in the console or with ${apiRoute}, and another officer approves it there`,
  )
}
