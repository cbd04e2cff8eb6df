import { toIncoming } from '../ingest/prepare.js'
import type { PartnerKind } from '../policy/types.js'
import type { NodeServices } from '../server/services.js'
import { createCollection } from '../services/collections.js'
import { createPrincipal } from '../services/principals.js'
import type { DemoPartner } from './parties.js'
import { buildDemoWorld, DEMO_CAVEATS, DEMO_COLLECTIONS, DEMO_PARTNERS } from './world.js'

const KIND: Record<DemoPartner['kind'], PartnerKind> = {
  'foreign-police': 'police',
  'foreign-coast-guard': 'coast-guard',
  'foreign-customs': 'customs',
  'international-centre': 'international',
}

const DUTY_OFFICER = 'Demo duty officer'

export interface SeededDemo {
  adminKey: string
  partnerKeys: { partner: string; name: string; key: string }[]
  /** `suspendCommand` is the CLI's suspend as run from where the node started, with its --data / --db. */
  banner(url: string, suspendCommand?: string): string
}

/**
 * Seeds the fictional demo world of shared/DEMO.md on an empty node: the three
 * collections, a few hundred objects, four partners with their agreements and a
 * principal each. On every start it issues fresh keys, since stored keys are
 * only hashes and cannot be shown again.
 */
export async function seedDemo(services: NodeServices, apiRoot = 'intel'): Promise<SeededDemo> {
  const { store, policy } = services
  const existing = await store.listCollections(apiRoot)
  if (existing.length === 0) {
    for (const c of DEMO_COLLECTIONS)
      await createCollection(store, {
        apiRoot,
        id: c.id,
        alias: c.alias,
        title: c.title,
        description: c.description,
      })
    const byAlias = new Map(DEMO_COLLECTIONS.map((c) => [c.alias, c.id]))
    const world = buildDemoWorld()
    for (const c of DEMO_COLLECTIONS) {
      await store.putObjects(
        c.id,
        world.filter((e) => e.collection === c.alias).map((e) => toIncoming(e.object)),
      )
    }
    for (const p of DEMO_PARTNERS) {
      await policy.addPartner(
        { id: p.key, name: p.name, kind: KIND[p.kind], identityId: p.identityId },
        DUTY_OFFICER,
      )
      await policy.putAgreement(
        {
          partner: p.key,
          collections:
            p.agreement.collections === '*' ? '*' : p.agreement.collections.map((a) => byAlias.get(a)!),
          maxTlp: p.agreement.maxTlp,
          caveats: p.agreement.caveats.map((k) => DEMO_CAVEATS[k]),
        },
        DUTY_OFFICER,
      )
    }
  }
  const principals = await store.listPrincipals()
  const adminKey = await keyFor(services, principals, DUTY_OFFICER, 'admin')
  const partnerKeys: SeededDemo['partnerKeys'] = []
  for (const p of DEMO_PARTNERS)
    partnerKeys.push({
      partner: p.key,
      name: p.name,
      key: await keyFor(services, principals, p.name, 'partner', p.key),
    })
  return {
    adminKey,
    partnerKeys,
    banner: (url, suspendCommand = 'npx sluice suspend northland') =>
      [
        '',
        `Demo node of the fictional "Meridia National Police — Maritime Intelligence Unit".`,
        `  Console           ${url}/console/   (sign in with a key below)`,
        `  TAXII discovery   ${url}/taxii2/`,
        `  Admin API         ${url}/admin/partners`,
        `  Ledger            ${url}/ledger/checkpoint`,
        `  Admin key         ${adminKey}`,
        '  Partner keys (each sees only what its agreement allows):',
        ...partnerKeys.map((k) => `    ${k.partner.padEnd(10)} ${k.key}   ${k.name}`),
        '',
        'Try:',
        `  curl -H "Authorization: Bearer ${adminKey}" -H "Accept: application/taxii+json;version=2.1" ${url}/intel/collections/`,
        `  ${suspendCommand} --reason "ministerial order pending review"`,
        '',
      ].join('\n'),
  }
}

async function keyFor(
  services: NodeServices,
  principals: Awaited<ReturnType<NodeServices['store']['listPrincipals']>>,
  name: string,
  role: 'admin' | 'partner',
  partnerId?: string,
): Promise<string> {
  const found = principals.find((p) => p.name === name && p.role === role && !p.revokedAt)
  if (!found)
    return (await createPrincipal(services.store, { name, role, ...(partnerId ? { partnerId } : {}) })).apiKey
  const { generateApiKey } = await import('../auth/api-key.js')
  const key = generateApiKey()
  await services.store.addApiKey({
    keyId: key.keyId,
    principalId: found.id,
    secretHash: key.secretHash,
    createdAt: new Date().toISOString(),
  })
  return key.token
}
