/**
 * A TAXII 2.1 client written from the specification alone (§3–5), used to
 * check that a client which knows nothing of Sluice can use every endpoint:
 * it starts from discovery and follows only URLs and cursors the server gives.
 */
const MEDIA = 'application/taxii+json;version=2.1'

export interface Envelope {
  more?: boolean
  next?: string
  objects?: Record<string, unknown>[]
}

export class SpecClient {
  constructor(
    readonly discoveryUrl: string,
    readonly credentials: { user: string; password: string },
  ) {}

  async request(
    url: string,
    init: RequestInit = {},
  ): Promise<{ status: number; headers: Headers; body: any }> {
    const basic = Buffer.from(`${this.credentials.user}:${this.credentials.password}`).toString('base64')
    const res = await fetch(url, {
      ...init,
      headers: { Accept: MEDIA, Authorization: `Basic ${basic}`, ...(init.headers ?? {}) },
    })
    const text = await res.text()
    if (
      res.status !== 200 &&
      res.status !== 202 &&
      text !== '' &&
      !res.headers.get('content-type')?.startsWith('application/taxii+json')
    ) {
      throw new Error(`error response is not TAXII JSON: ${res.headers.get('content-type')}`)
    }
    return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) }
  }

  async discover() {
    return (await this.request(this.discoveryUrl)).body as {
      api_roots: string[]
      default?: string
      title: string
    }
  }

  async collections(apiRoot: string) {
    return ((await this.request(`${apiRoot}collections/`)).body.collections ?? []) as {
      id: string
      can_read: boolean
      can_write: boolean
      title: string
    }[]
  }

  /** Follows `next` until `more` is false, as §3.4.2 describes. */
  async allObjects(apiRoot: string, collectionId: string, query = '', limit = 3) {
    const objects: Record<string, unknown>[] = []
    let next: string | undefined
    let pages = 0
    do {
      const params = new URLSearchParams(query)
      params.set('limit', String(limit))
      if (next) params.set('next', next)
      const page = (await this.request(`${apiRoot}collections/${collectionId}/objects/?${params}`))
        .body as Envelope
      objects.push(...(page.objects ?? []))
      next = page.more ? page.next : undefined
      if (++pages > 10_000) throw new Error('paging does not end')
    } while (next)
    return objects
  }

  async add(apiRoot: string, collectionId: string, objects: unknown[]) {
    const res = await this.request(`${apiRoot}collections/${collectionId}/objects/`, {
      method: 'POST',
      headers: { 'Content-Type': MEDIA },
      body: JSON.stringify({ objects }),
    })
    return res
  }
}
