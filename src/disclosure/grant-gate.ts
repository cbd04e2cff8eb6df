import type { CollectionGrant, CollectionRecord, Store, StoredVersion } from '../store/types.js'
import type { CollectionAccess, DisclosureGate, GateSession, Served, Viewer } from './gate.js'

const ADMIN_ACCESS: CollectionAccess = { visible: true, canRead: true, canWrite: true }
const HIDDEN: CollectionAccess = { visible: false, canRead: false, canWrite: false }

/**
 * Access from per-collection grants alone: admins see everything, other
 * principals the collections they were granted. The policy gate builds on it.
 */
export class GrantGate implements DisclosureGate {
  readonly #store: Store
  constructor(store: Store) {
    this.#store = store
  }

  async open(viewer: Viewer, instant: string): Promise<GateSession> {
    const grants = viewer.role === 'admin' ? [] : await this.#store.listGrants(viewer.principalId)
    return new GrantSession(viewer, instant, grants)
  }
}

export class GrantSession implements GateSession {
  readonly viewer: Viewer
  readonly instant: string
  readonly #grants: Map<string, CollectionGrant>

  constructor(viewer: Viewer, instant: string, grants: CollectionGrant[]) {
    this.viewer = viewer
    this.instant = instant
    this.#grants = new Map(grants.map((g) => [g.collectionId, g]))
  }

  collectionAccess(collection: CollectionRecord): CollectionAccess {
    if (this.viewer.role === 'admin') return ADMIN_ACCESS
    const grant = this.#grants.get(collection.id)
    if (!grant || (!grant.canRead && !grant.canWrite)) return HIDDEN
    return { visible: true, canRead: grant.canRead, canWrite: grant.canWrite }
  }

  async screen(items: StoredVersion[]): Promise<(Served | undefined)[]> {
    return items.map((stored) =>
      this.#readable(stored.collectionId) ? { stored, json: stored.json } : undefined,
    )
  }

  async record(): Promise<void> {}

  #readable(collectionId: string): boolean {
    return this.viewer.role === 'admin' || this.#grants.get(collectionId)?.canRead === true
  }
}
