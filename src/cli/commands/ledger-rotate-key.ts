import { existsSync } from 'node:fs'
import { keyName } from '../../ledger/key-change.js'
import { readNodeKeyFile } from '../../ledger/node-key-file.js'
import { nextKeyPath, prepareNextKey, rotateNodeKey } from '../../server/node-key.js'
import { nodeKeyPath } from '../../server/services.js'
import { CliError } from '../errors.js'
import { dataLocation } from '../options.js'
import { withServices } from '../store-session.js'
import { issuer } from './issuer.js'
import { reasonFlag } from './recorded-text.js'

/**
 * `sluice ledger rotate-key`: the node signs with a new key from now on. Running processes of the node take
 * the new key up on their next signature; recipients holding the previous key follow the change. With
 * `--prepare`, only the next key is written, for the operator to copy to the node's other hosts first.
 */
export async function rotateKey(values: {
  data?: string | boolean
  db?: string | boolean
  reason?: string
  issuer?: string
  prepare?: boolean
}): Promise<void> {
  if (values.prepare && (values.reason !== undefined || values.issuer !== undefined))
    throw new CliError(
      '--prepare records nothing: give --reason and --issuer to the run that makes the change',
      2,
    )
  const reason = values.prepare ? '' : reasonFlag(values.reason)
  const path = nodeKeyPath(dataLocation(values))
  // a change recorded but cut short before its file moved is finished when the store is opened
  const waiting = existsSync(nextKeyPath(path))
    ? await readNodeKeyFile(nextKeyPath(path)).then(
        (k) => k.vkey,
        () => undefined,
      )
    : undefined
  await withServices(values, async ({ ledger }) => {
    if (waiting !== undefined && ledger.key.vkey === waiting) {
      process.stdout.write(
        `finished the change to ${keyName(waiting)} that an earlier run recorded; no new change\n${waiting}\n`,
      )
      return
    }
    if (values.prepare) {
      const { next, written } = await prepareNextKey(ledger.key, path)
      process.stdout.write(
        [
          `the next key ${keyName(next.vkey)} ${written ? 'is written to' : 'already waits at'} ${nextKeyPath(path)}; nothing is recorded yet`,
          `copy that file (mode 0600) beside the key file of every other host serving this node, then run here: sluice ledger rotate-key --reason "..."`,
          next.vkey,
          '',
        ].join('\n'),
      )
      return
    }
    const done = await rotateNodeKey(ledger, path, { issuer: issuer(values.issuer), reason, at: new Date() })
    if (done.next.vkey === done.previous.vkey) throw new CliError('the next key is the current one')
    process.stdout.write(
      [
        `signing key changed: ${keyName(done.previous.vkey)} → ${keyName(done.next.vkey)}`,
        `recorded as global entry ${done.index}; the checkpoint at size ${done.size} is signed by both keys`,
        `the node's verifier key is now (give it to new partners; holders of the previous key follow the change):`,
        done.next.vkey,
        '',
      ].join('\n'),
    )
  })
}
