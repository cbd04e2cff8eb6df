/** A peer's page that names one member twice is refused, not read as JSON.parse's last-one-wins. */
import { describe, expect, it } from 'vitest'
import { TaxiiClient } from '../../src/federation/taxii-client.js'
import { PEER, taxiiResponse } from './helpers.js'

const RED = 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1'
const CLEAR = 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487'

describe('a feed reading a peer', () => {
  it('refuses a page whose object names object_marking_refs twice', async () => {
    const page = `{"more":false,"objects":[{"type":"indicator","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","object_marking_refs":["${RED}"],"object_marking_refs":["${CLEAR}"]}]}`
    const client = new TaxiiClient(PEER, { fetch: async () => taxiiResponse(page) })
    await expect(client.objects({ limit: 10 })).rejects.toThrow(/"object_marking_refs" twice/)
  })
})
