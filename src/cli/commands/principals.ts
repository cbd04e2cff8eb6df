import { ROLES } from '../../auth/roles.js'
import { resolveCollectionIds } from '../../services/collections.js'
import { stringList } from '../../services/policy-input.js'
import { createPrincipal, principalView } from '../../services/principals.js'
import type { PrincipalRole, Store } from '../../store/types.js'
import { CliError } from '../errors.js'
import { actionNames, actionOf, oneOf, onlyFor, operand, parse, required } from '../options.js'
import { withServices } from '../store-session.js'

const HELP = `Usage:
  sluice principals list [--json]
  sluice principals create --name NAME --role ${ROLES.join('|')} [--partner PARTNER_ID] [--read C1,C2] [--write C1,C2]
  sluice principals grant PRINCIPAL_ID --collection C1,C2 [--can-read] [--can-write]
  sluice principals revoke PRINCIPAL_ID

create prints the new API key once; only its hash is stored.`

/** Collections named by id or alias, comma-separated; none when the option is absent. */
function resolveCollections(store: Store, list: string | undefined): Promise<string[]> {
  return list ? resolveCollectionIds(store, stringList(list, 'collections') ?? []) : Promise.resolve([])
}

const ACTIONS = { list: 0, create: 0, grant: 1, revoke: 1 } as const

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parse(
    args,
    {
      name: { type: 'string' },
      role: { type: 'string' },
      partner: { type: 'string' },
      read: { type: 'string' },
      write: { type: 'string' },
      collection: { type: 'string' },
      'can-read': { type: 'boolean' },
      'can-write': { type: 'boolean' },
      json: { type: 'boolean' },
    },
    ACTIONS,
  )
  const [given, target] = positionals
  if (values.help || !given) {
    process.stdout.write(`${HELP}\n`)
    if (values.help) return
  }
  const action = actionOf(given, actionNames(ACTIONS))
  const creating = ['create'] as const
  const granting = ['grant'] as const
  onlyFor(values, action, {
    name: creating,
    role: creating,
    partner: creating,
    read: creating,
    write: creating,
    collection: granting,
    'can-read': granting,
    'can-write': granting,
    json: ['list'],
  })
  const role = oneOf(values.role, ROLES, 'role')
  if (role === 'partner' && !values.partner)
    throw new CliError('a partner principal needs --partner PARTNER_ID', 2)
  await withServices(values, async ({ store, policy }) => {
    switch (action) {
      case 'list': {
        const principals = await store.listPrincipals()
        if (values.json) process.stdout.write(`${JSON.stringify(principals.map(principalView), null, 2)}\n`)
        else if (principals.length === 0) process.stdout.write('no principals\n')
        else
          for (const p of principals)
            process.stdout.write(
              `${p.id}  ${p.role}  ${p.name}${p.partnerId ? `  partner=${p.partnerId}` : ''}${p.revokedAt ? '  REVOKED' : ''}\n`,
            )
        return
      }
      case 'create': {
        const partner = values.partner ? await policy.partner(values.partner) : undefined
        const read = await resolveCollections(store, values.read)
        const write = await resolveCollections(store, values.write)
        const created = await createPrincipal(store, {
          name: required(values.name, 'name'),
          role: required(role, 'role') as PrincipalRole,
          ...(partner ? { partnerId: partner.id } : {}),
        })
        for (const id of new Set([...read, ...write])) {
          await store.setGrant({
            principalId: created.principal.id,
            collectionId: id,
            canRead: read.includes(id),
            canWrite: write.includes(id),
          })
        }
        process.stdout.write(
          `principal ${created.principal.id}\napi key   ${created.apiKey}\n(the key is shown once; store it now)\n`,
        )
        return
      }
      case 'grant': {
        const principalId = operand(target, 'principal')
        const principal = await store.getPrincipal(principalId)
        if (!principal) throw new CliError(`no principal "${principalId}"`)
        if (principal.revokedAt) throw new CliError(`principal "${principalId}" is revoked`)
        // every collection named (a list, as create's --read takes), not only the first
        for (const collectionId of await resolveCollections(store, required(values.collection, 'collection')))
          await store.setGrant({
            principalId,
            collectionId,
            canRead: values['can-read'] === true,
            canWrite: values['can-write'] === true,
          })
        // the grant replaces what the principal had on each collection: say what it now has
        const may = [values['can-read'] === true && 'read', values['can-write'] === true && 'write'].filter(
          Boolean,
        )
        process.stdout.write(
          `${principalId} may now ${may.length > 0 ? may.join(' and ') : 'neither read nor write'} on ${required(values.collection, 'collection')}\n`,
        )
        return
      }
      case 'revoke': {
        const principalId = operand(target, 'principal')
        if (!(await store.revokePrincipal(principalId, new Date().toISOString())))
          throw new CliError(`no active principal "${principalId}"`)
        process.stdout.write(`revoked ${principalId}\n`)
        return
      }
    }
  })
}
