import type { GateSession, Served } from '../disclosure/gate.js'
import type { StixObject } from '../stix/object.js'
import { scanBatches } from '../store/scan.js'
import type { Store } from '../store/types.js'
import { displayName, readableCollections, screenAll } from './console-intel.js'
import type { GraphEdge, GraphNode, ObjectGraph } from './console-types.js'
import { unknown } from './policy-input.js'

/** Most nodes drawn around one object; more would not be readable in the console's panel. */
const MAX_NODES = 40
/** SROs and containers examined when looking for what points at the object. */
const SCAN_CAP = 50_000
const POINTING_TYPES = ['relationship', 'sighting', 'report', 'grouping', 'note', 'opinion']
const SKIP_REFS = new Set(['created_by_ref', 'object_marking_refs'])

function refsOf(object: StixObject): { property: string; ref: string }[] {
  const out: { property: string; ref: string }[] = []
  for (const [k, v] of Object.entries(object)) {
    if (SKIP_REFS.has(k)) continue
    if (k.endsWith('_ref') && typeof v === 'string') out.push({ property: k, ref: v })
    if (k.endsWith('_refs') && Array.isArray(v))
      for (const r of v) if (typeof r === 'string') out.push({ property: k, ref: r })
  }
  return out
}

/**
 * The newest version of an object the viewer may see: the newest anywhere when it may see that one, else the
 * newest in the collections it may read (an analyst granted one collection, a partner whose agreement covers
 * only some, still gets the graph of an object that also lives in a collection closed to it).
 */
async function newestVisible(store: Store, session: GateSession, id: string): Promise<Served | undefined> {
  const [newest] = await store.latestVersions([id])
  const served = newest ? (await screenAll(session, [newest]))[0] : undefined
  if (served || !newest) return served
  let best: Served | undefined
  for (const c of await readableCollections(store, session)) {
    const batch = await store.queryObjects({
      collectionId: c.id,
      ids: [id],
      versions: [{ kind: 'last' }],
      limit: 1,
    })
    const [s] = await screenAll(session, batch.items)
    if (s && (!best || s.stored.dateAdded > best.stored.dateAdded)) best = s
  }
  return best
}

/**
 * The neighbourhood of one object: relationships and sightings touching it, containers (reports, groupings)
 * listing it, and what it refers to. Every object drawn went through the viewer's gate, so a partner sees only
 * nodes and edges it may receive; an edge to a withheld object is not drawn.
 *
 * Finding what points at an object scans the SRO and container types: fine at the console's scale, an index of
 * references would be the next step for much larger stores.
 */
export async function objectGraph(store: Store, session: GateSession, id: string): Promise<ObjectGraph> {
  const center = await newestVisible(store, session, id)
  if (!center) unknown(id, `no object "${id}" is available to you`)
  const shown: Served[] = [center!]
  const centerObject = JSON.parse(center!.json) as StixObject
  const edges: GraphEdge[] = []
  const wanted = new Set<string>()
  for (const { property, ref } of refsOf(centerObject)) {
    edges.push({
      id: `${id}|${property}|${ref}`,
      source: id,
      target: ref,
      label: property.replace(/_refs?$/, ''),
    })
    wanted.add(ref)
  }
  const relationships = new Map<string, Served>()
  let scanned = 0
  let truncated = false
  for (const c of await readableCollections(store, session)) {
    for await (const batch of scanBatches(store, { collectionId: c.id, types: POINTING_TYPES }, 1000)) {
      scanned += batch.length
      const candidates = batch.filter((s) => s.json.includes(id))
      for (const s of await screenAll(session, candidates)) {
        const o = JSON.parse(s.json) as StixObject
        if (o.type === 'relationship' && (o.source_ref === id || o.target_ref === id)) {
          edges.push({
            id: o.id,
            source: String(o.source_ref),
            target: String(o.target_ref),
            label: String(o.relationship_type),
          })
          wanted.add(o.source_ref === id ? String(o.target_ref) : String(o.source_ref))
          relationships.set(o.id, s)
        } else if (o.type !== 'relationship' && refsOf(o).some((r) => r.ref === id)) {
          const label = o.type === 'sighting' ? 'sighting of' : 'refers to'
          edges.push({ id: `${o.id}|${id}`, source: o.id, target: id, label })
          wanted.add(o.id)
        }
      }
      if (scanned >= SCAN_CAP) {
        truncated = true
        break
      }
    }
  }
  wanted.delete(id)
  const ids = [...wanted]
  if (ids.length > MAX_NODES - 1) {
    truncated = true
    ids.length = MAX_NODES - 1
  }
  const nodes: GraphNode[] = [{ id, type: centerObject.type, name: displayName(centerObject) }]
  const seen = new Set<string>()
  for (const s of await screenAll(session, ids.length > 0 ? await store.latestVersions(ids) : [])) {
    if (seen.has(s.stored.id)) continue
    seen.add(s.stored.id)
    const o = JSON.parse(s.json) as StixObject
    nodes.push({ id: o.id, type: o.type, name: displayName(o) })
    shown.push(s)
  }
  const present = new Set(nodes.map((n) => n.id))
  const drawn = edges.filter(
    (e, i) => present.has(e.source) && present.has(e.target) && edges.findIndex((x) => x.id === e.id) === i,
  )
  for (const e of drawn) {
    const rel = relationships.get(e.id)
    if (rel) shown.push(rel)
  }
  // only what the answer contains is recorded as disclosed
  await session.record(shown)
  return { center: id, nodes, edges: drawn, truncated }
}
