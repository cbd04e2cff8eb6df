import type { IncomingObject, Store } from '../store/types.js'

export interface RefusedPush {
  id: string
  version?: string
  message: string
}

const FOREIGN =
  'this collection has the object from another source; a partner may add versions only of objects it brought here'

/**
 * The versions a partner may push into a collection. A write grant lets a partner contribute its own
 * objects, not rewrite the node's: a new version of an object the collection holds from another source
 * (the node's own, or another partner's) would replace what every reader is served, or, marked more
 * restrictively, hide it from them. So such a version is refused; one whose every held version came from
 * this partner (pushed or fetched from it) is taken, and so is a version already held, which changes nothing.
 */
export async function pushableVersions(
  store: Store,
  collectionId: string,
  items: IncomingObject[],
  partnerId: string,
): Promise<{ accepted: IncomingObject[]; refused: RefusedPush[] }> {
  if (items.length === 0) return { accepted: [], refused: [] }
  const ids = [...new Set(items.map((o) => o.id))]
  const [known, held] = await Promise.all([
    store.provenance(ids),
    store.queryObjects({ collectionId, ids, versions: [{ kind: 'all' }], limit: 1_000_000 }),
  ])
  const key = (id: string, version: string) => `${id}|${version}`
  const fromPartner = new Set(
    known
      .filter((p) => p.collectionId === collectionId && p.partnerId === partnerId)
      .map((p) => key(p.objectId, p.version)),
  )
  const versions = new Set<string>()
  const foreign = new Set<string>()
  for (const v of held.items) {
    const version = v.version ?? ''
    versions.add(key(v.id, version))
    if (!fromPartner.has(key(v.id, version))) foreign.add(v.id)
  }
  const accepted: IncomingObject[] = []
  const refused: RefusedPush[] = []
  for (const item of items) {
    const isNewVersion = !versions.has(key(item.id, item.modified ?? ''))
    if (isNewVersion && foreign.has(item.id))
      refused.push({ id: item.id, ...(item.modified ? { version: item.modified } : {}), message: FOREIGN })
    else accepted.push(item)
  }
  return { accepted, refused }
}
