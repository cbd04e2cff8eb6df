/** A TAXII collection of the demo node. */
export interface DemoCollection {
  id: string
  alias: DemoCollectionAlias
  title: string
  description: string
}

export type DemoCollectionAlias = 'networks' | 'maritime-routes' | 'financial-flows'

export const DEMO_COLLECTIONS: readonly DemoCollection[] = [
  {
    id: '9f20f64e-e8f1-4189-ab00-2f04b05101cf',
    alias: 'networks',
    title: 'Trafficking networks',
    description:
      'Fictional maritime trafficking networks, their key actors, how they relate, and graded reports about them.',
  },
  {
    id: '9e9d4a49-ffe1-4386-aa9c-aa88949576b2',
    alias: 'maritime-routes',
    title: 'Maritime routes',
    description:
      'Invented ports, rendezvous points at sea, warehouses and fuel depots, with observations and sightings over time.',
  },
  {
    id: 'a95736d1-cda1-468c-9756-97b14fc2fe71',
    alias: 'financial-flows',
    title: 'Financial flows',
    description:
      'Indicators on invented bank identifiers, mailboxes and addresses used to move and launder proceeds.',
  },
]
