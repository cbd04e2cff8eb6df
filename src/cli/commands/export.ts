import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { streamCollection } from '../../disclosure/stream-collection.js'
import { stringList } from '../../services/policy-input.js'
import { checkNamed } from '../../services/policy-names.js'
import { CliError } from '../errors.js'
import { namedCollection } from '../named-collection.js'
import { parse } from '../options.js'
import { withServices } from '../store-session.js'

const HELP = `Usage: sluice export --collection ID|ALIAS [--api-root NAME] [--type T1,T2] [--all-versions] [--partner P]

Writes the collection as one STIX 2.1 bundle to stdout, streaming (constant memory).
With --partner, writes what that partner may receive now, redacted and with caveats, and
records every object in the ledger as disclosed to it (for hand-over outside TAXII).`

export async function run(args: string[]): Promise<void> {
  const { values } = parse(
    args,
    {
      collection: { type: 'string' },
      'api-root': { type: 'string' },
      type: { type: 'string' },
      'all-versions': { type: 'boolean' },
      partner: { type: 'string' },
    },
    0,
  )
  if (values.help) {
    process.stdout.write(`${HELP}\n`)
    return
  }
  await withServices(values, async ({ store, gate, policy }) => {
    const collection = await namedCollection(store, values)
    const types = stringList(values.type, '--type')
    // a misspelt type would export an empty bundle that reads as "nothing of that type"
    await checkNamed(store, {}, { ...(types ? { types } : {}) })
    const partner = values.partner ? await policy.partner(values.partner) : undefined
    const session = await gate.open(
      partner
        ? { principalId: 'local-export', role: 'partner', partnerId: partner.id, requestId: randomUUID() }
        : { principalId: 'local-admin', role: 'admin', requestId: randomUUID() },
      new Date().toISOString(),
    )
    if (!session.collectionAccess(collection).canRead)
      throw new CliError(`${partner?.name} may not read this collection now`)
    const out = process.stdout
    const write = async (text: string) => {
      if (!out.write(text)) await once(out, 'drain')
    }
    await write(`{"type":"bundle","id":"bundle--${randomUUID()}","objects":[`)
    let first = true
    for await (const served of streamCollection(store, session, {
      collectionId: collection.id,
      ...(types?.length ? { types } : {}),
      versions: [{ kind: values['all-versions'] ? 'all' : 'last' }],
    })) {
      await write(first ? `\n${served.json}` : `,\n${served.json}`)
      first = false
    }
    await write('\n]}\n')
  })
}
