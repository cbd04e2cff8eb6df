import {
  ALIAS_RULE,
  COLLECTION_ID,
  collectionView,
  createCollection,
  isAlias,
} from '../../services/collections.js'
import { CliError } from '../errors.js'
import { knownApiRoot } from '../named-collection.js'
import { actionNames, actionOf, badValue, onlyFor, parse, required } from '../options.js'
import { withStore } from '../store-session.js'

const HELP = `Usage:
  sluice collections list [--api-root NAME] [--json]
  sluice collections create --title TITLE [--alias ALIAS] [--description TEXT] [--api-root NAME] [--id UUID]`

const ACTIONS = { list: 0, create: 0 } as const

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parse(
    args,
    {
      'api-root': { type: 'string' },
      title: { type: 'string' },
      alias: { type: 'string' },
      description: { type: 'string' },
      id: { type: 'string' },
      json: { type: 'boolean' },
    },
    ACTIONS,
  )
  if (values.help || !positionals[0]) {
    process.stdout.write(`${HELP}\n`)
    if (values.help) return
  }
  const action = actionOf(positionals[0], actionNames(ACTIONS))
  const creating = ['create'] as const
  onlyFor(values, action, {
    title: creating,
    alias: creating,
    description: creating,
    id: creating,
    json: ['list'],
  })
  if (values.id && !COLLECTION_ID.test(values.id)) badValue('id', 'a lowercase UUID')
  if (values.alias !== undefined && !isAlias(values.alias)) badValue('alias', ALIAS_RULE)
  const apiRoot = values['api-root'] ?? 'intel'
  await withStore(values, async (store) => {
    if (action === 'list') {
      // a mistyped root would list "no collections", as if the node had none
      const root = values['api-root']
      if (root !== undefined) await knownApiRoot(store, root)
      const collections = await store.listCollections(root)
      if (values.json) {
        process.stdout.write(`${JSON.stringify(collections.map(collectionView), null, 2)}\n`)
        return
      }
      if (collections.length === 0) process.stdout.write('no collections\n')
      for (const c of collections) {
        const count = await store.countObjects(c.id)
        process.stdout.write(
          `${c.id}  ${c.apiRoot}/${c.alias ?? '-'}  ${c.title}  (${count} object ${count === 1 ? 'version' : 'versions'})\n`,
        )
      }
      return
    }
    const title = required(values.title, 'title')
    try {
      const c = await createCollection(store, {
        apiRoot,
        title,
        ...(values.alias ? { alias: values.alias } : {}),
        ...(values.description ? { description: values.description } : {}),
        ...(values.id ? { id: values.id } : {}),
      })
      process.stdout.write(`${c.id}\n`)
    } catch (error) {
      throw new CliError((error as Error).message)
    }
  })
}
