/**
 * fast-check generators of valid STIX 2.1 objects, for a spread of types.
 * Everything generated is fictional: no real persons or organisations.
 */
import fc from 'fast-check'
import { TLP_2_EXTENSION_ID, TLP_2_MARKINGS } from '../../src/stix/markings.js'
import { deterministicScoId } from '../../src/stix/sco-id.js'
import { REGION_OV } from '../../src/stix/vocabularies.js'

type Json = Record<string, unknown>

const MIN = new Date('2000-01-01T00:00:00.000Z')
const MAX = new Date('2030-01-01T00:00:00.000Z')

export const timestamp = fc.date({ min: MIN, max: MAX, noInvalidDate: true }).map((d) => d.toISOString())
/** Two ordered timestamps [earlier, later]. */
export const timestampPair = fc
  .tuple(timestamp, timestamp)
  .map(([a, b]) => (a <= b ? [a, b] : [b, a]) as [string, string])
const strictPair = timestampPair.filter(([a, b]) => a < b)

export function idOf(type: string): fc.Arbitrary<string> {
  return fc.uuid({ version: 4 }).map((u) => `${type}--${u}`)
}

const word = fc.stringMatching(/^[a-z][a-z0-9]{2,11}$/)
const text = fc.string({ maxLength: 30 })
const words = fc.array(text, { minLength: 1, maxLength: 3 })
const hex = (bytes: number) =>
  fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => Buffer.from(b).toString('hex'))
const httpsUrl = word.map((w) => `https://example.org/${w}`)

const killChainPhase = fc.record({ kill_chain_name: word, phase_name: word })
// "cve" and "capec" bind external_id to their own formats (STIX 2.1 §2.5): generated below, not by chance
const freeSourceName = word.filter((w) => w !== 'cve' && w !== 'capec')
const externalReference = fc.oneof(
  fc.record({ source_name: freeSourceName, url: httpsUrl }),
  fc.record(
    { source_name: freeSourceName, external_id: fc.stringMatching(/^T[0-9]{4}$/), description: text },
    { requiredKeys: ['source_name', 'external_id'] },
  ),
  fc.record({
    source_name: fc.constant('capec'),
    external_id: fc.integer({ min: 1, max: 999 }).map((n) => `CAPEC-${n}`),
  }),
)

const customValue = fc.oneof(text, fc.integer(), fc.boolean(), words)
// _bin / _hex suffixes are typed (binary, hex); keep generated custom names clear of them.
const customName = fc.stringMatching(/^x_[a-z]{3,10}$/).filter((n) => n !== 'x_bin' && n !== 'x_hex')
const customProperties = fc.dictionary(customName, customValue, { maxKeys: 2 })

/** Optional common properties of SDOs and SROs. */
const domainCommon = fc.record(
  {
    created_by_ref: idOf('identity'),
    labels: words,
    confidence: fc.integer({ min: 0, max: 100 }),
    lang: fc.constantFrom('en', 'fr', 'de-CH'),
    revoked: fc.boolean(),
    external_references: fc.array(externalReference, { minLength: 1, maxLength: 2 }),
    object_marking_refs: fc.array(fc.constantFrom(...Object.values(TLP_2_MARKINGS).map((m) => m.id)), {
      minLength: 1,
      maxLength: 2,
    }),
  },
  { requiredKeys: [] },
)

function domainObject(type: string, own: fc.Arbitrary<Json>): fc.Arbitrary<Json> {
  return fc
    .record({ id: idOf(type), times: timestampPair, common: domainCommon, own, custom: customProperties })
    .map(({ id, times, common, own, custom }) => ({
      type,
      spec_version: '2.1',
      id,
      created: times[0],
      modified: times[1],
      ...common,
      ...custom,
      ...own,
    }))
}

function opt<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }, required: (keyof T)[]): fc.Arbitrary<Json> {
  return fc.record(model, { requiredKeys: required }) as unknown as fc.Arbitrary<Json>
}

const seen = timestampPair.map(([first_seen, last_seen]) => ({ first_seen, last_seen }))
const maybeSeen = fc.option(seen, { nil: undefined }).map((s) => s ?? {})

export const sdo: Record<string, fc.Arbitrary<Json>> = {
  'attack-pattern': domainObject(
    'attack-pattern',
    opt(
      {
        name: text,
        description: text,
        aliases: words,
        kill_chain_phases: fc.array(killChainPhase, { minLength: 1, maxLength: 2 }),
      },
      ['name'],
    ),
  ),
  campaign: domainObject(
    'campaign',
    fc
      .tuple(opt({ name: text, objective: text, aliases: words }, ['name']), maybeSeen)
      .map(([a, b]) => ({ ...a, ...b })),
  ),
  'course-of-action': domainObject('course-of-action', opt({ name: text, description: text }, ['name'])),
  grouping: domainObject(
    'grouping',
    opt(
      {
        name: text,
        context: fc.constantFrom('suspicious-activity', 'unspecified', 'x-local-context'),
        object_refs: fc.array(idOf('indicator'), { minLength: 1, maxLength: 3 }),
      },
      ['context', 'object_refs'],
    ),
  ),
  identity: domainObject(
    'identity',
    opt(
      {
        name: text,
        identity_class: fc.constantFrom('organization', 'system', 'group'),
        sectors: fc.array(fc.constantFrom('technology', 'water'), { minLength: 1 }),
        contact_information: text,
      },
      ['name'],
    ),
  ),
  incident: domainObject('incident', opt({ name: text, description: text }, ['name'])),
  indicator: domainObject(
    'indicator',
    fc
      .tuple(
        opt(
          {
            name: text,
            indicator_types: fc.array(fc.constantFrom('malicious-activity', 'benign'), { minLength: 1 }),
            pattern_version: fc.constant('2.1'),
          },
          [],
        ),
        strictPair,
        fc.ipV4(),
        fc.boolean(),
      )
      .map(([rest, [from, until], ip, bounded]) => ({
        ...rest,
        pattern: `[ipv4-addr:value = '${ip}']`,
        pattern_type: 'stix',
        valid_from: from,
        ...(bounded ? { valid_until: until } : {}),
      })),
  ),
  infrastructure: domainObject(
    'infrastructure',
    fc
      .tuple(
        opt(
          {
            name: text,
            infrastructure_types: fc.array(fc.constantFrom('botnet', 'staging'), { minLength: 1 }),
          },
          ['name'],
        ),
        maybeSeen,
      )
      .map(([a, b]) => ({ ...a, ...b })),
  ),
  'intrusion-set': domainObject(
    'intrusion-set',
    fc
      .tuple(
        opt(
          {
            name: text,
            goals: words,
            resource_level: fc.constantFrom('team', 'club'),
            primary_motivation: fc.constantFrom('ideology', 'notoriety'),
          },
          ['name'],
        ),
        maybeSeen,
      )
      .map(([a, b]) => ({ ...a, ...b })),
  ),
  location: domainObject(
    'location',
    fc.oneof(
      fc.record({ region: fc.constantFrom(...REGION_OV) }),
      fc.record({ country: fc.constantFrom('ZZ', 'XA'), city: text }, { requiredKeys: ['country'] }),
      fc.record(
        {
          latitude: fc.double({ min: -90, max: 90, noNaN: true }),
          longitude: fc.double({ min: -180, max: 180, noNaN: true }),
          precision: fc.double({ min: 0, max: 1e6, noNaN: true }),
        },
        { requiredKeys: ['latitude', 'longitude'] },
      ),
    ),
  ),
  malware: domainObject(
    'malware',
    fc.oneof(
      fc.record({ is_family: fc.constant(true), name: text }),
      opt(
        {
          is_family: fc.constant(false),
          name: text,
          malware_types: fc.array(fc.constantFrom('worm', 'x-custom'), { minLength: 1 }),
          sample_refs: fc.array(idOf('file'), { minLength: 1 }),
        },
        ['is_family'],
      ),
    ),
  ),
  'malware-analysis': domainObject(
    'malware-analysis',
    fc.record(
      { product: text, result: fc.constantFrom('malicious', 'benign'), host_vm_ref: idOf('software') },
      { requiredKeys: ['product', 'result'] },
    ),
  ),
  note: domainObject(
    'note',
    opt(
      {
        abstract: text,
        content: text,
        authors: words,
        object_refs: fc.array(idOf('report'), { minLength: 1, maxLength: 2 }),
      },
      ['content', 'object_refs'],
    ),
  ),
  'observed-data': domainObject(
    'observed-data',
    fc
      .tuple(
        timestampPair,
        fc.integer({ min: 1, max: 999_999_999 }),
        fc.array(idOf('ipv4-addr'), { minLength: 1, maxLength: 3 }),
      )
      .map(([[first, last], n, refs]) => ({
        first_observed: first,
        last_observed: last,
        number_observed: n,
        object_refs: refs,
      })),
  ),
  opinion: domainObject(
    'opinion',
    opt(
      {
        explanation: text,
        opinion: fc.constantFrom('agree', 'strongly-disagree', 'neutral'),
        object_refs: fc.array(idOf('indicator'), { minLength: 1 }),
      },
      ['opinion', 'object_refs'],
    ),
  ),
  report: domainObject(
    'report',
    opt(
      {
        name: text,
        published: timestamp,
        report_types: fc.array(fc.constantFrom('threat-report'), { minLength: 1 }),
        object_refs: fc.array(idOf('malware'), { minLength: 1, maxLength: 3 }),
      },
      ['name', 'published', 'object_refs'],
    ),
  ),
  'threat-actor': domainObject(
    'threat-actor',
    fc
      .tuple(
        opt(
          {
            name: text,
            threat_actor_types: fc.array(fc.constantFrom('criminal', 'spy'), { minLength: 1 }),
            sophistication: fc.constantFrom('expert', 'minimal'),
          },
          ['name'],
        ),
        maybeSeen,
      )
      .map(([a, b]) => ({ ...a, ...b })),
  ),
  tool: domainObject(
    'tool',
    opt({ name: text, tool_version: text, kill_chain_phases: fc.array(killChainPhase, { minLength: 1 }) }, [
      'name',
    ]),
  ),
  vulnerability: domainObject(
    'vulnerability',
    fc.record({
      name: fc.integer({ min: 1000, max: 99999 }).map((n) => `CVE-2024-${n}`),
      external_references: fc
        .integer({ min: 1000, max: 99999 })
        .map((n) => [{ source_name: 'cve', external_id: `CVE-2024-${n}` }]),
    }),
  ),
}

export const sro: Record<string, fc.Arbitrary<Json>> = {
  relationship: domainObject(
    'relationship',
    fc.record({
      relationship_type: fc.constantFrom('uses', 'indicates', 'x-linked-to'),
      source_ref: idOf('indicator'),
      target_ref: fc.oneof(idOf('malware'), idOf('ipv4-addr')),
    }),
  ),
  sighting: domainObject(
    'sighting',
    opt(
      {
        sighting_of_ref: idOf('indicator'),
        count: fc.integer({ min: 0, max: 999_999_999 }),
        where_sighted_refs: fc.array(fc.oneof(idOf('identity'), idOf('location')), { minLength: 1 }),
        observed_data_refs: fc.array(idOf('observed-data'), { minLength: 1 }),
        summary: fc.boolean(),
      },
      ['sighting_of_ref'],
    ),
  ),
}

/** An SCO whose id is deterministic (UUIDv5) or, when `v4` is drawn, random. */
function observable(type: string, own: fc.Arbitrary<Json>): fc.Arbitrary<Json> {
  return fc
    .record({
      own,
      v4: idOf(type),
      useV4: fc.boolean(),
      specVersion: fc.boolean(),
      defanged: fc.option(fc.boolean(), { nil: undefined }),
    })
    .map(({ own, v4, useV4, specVersion, defanged }) => {
      const obj: Json = {
        type,
        ...(specVersion ? { spec_version: '2.1' } : {}),
        ...own,
        ...(defanged === undefined ? {} : { defanged }),
      }
      obj.id = useV4 ? v4 : (deterministicScoId(obj) ?? v4)
      return obj
    })
}

const mac = fc
  .uint8Array({ minLength: 6, maxLength: 6 })
  .map((b) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':'))

export const sco: Record<string, fc.Arbitrary<Json>> = {
  'ipv4-addr': observable('ipv4-addr', fc.record({ value: fc.ipV4() })),
  'ipv6-addr': observable(
    'ipv6-addr',
    fc.record({ value: fc.constantFrom('2001:db8::1', 'fe80::1', '2001:db8:0:0:1:0:0:1') }),
  ),
  'domain-name': observable('domain-name', fc.record({ value: fc.domain() })),
  url: observable('url', fc.record({ value: httpsUrl })),
  'email-addr': observable(
    'email-addr',
    opt({ value: fc.tuple(word, word).map(([a, b]) => `${a}@${b}.example`), display_name: text }, ['value']),
  ),
  'mac-addr': observable('mac-addr', fc.record({ value: mac })),
  mutex: observable('mutex', fc.record({ name: text })),
  'autonomous-system': observable(
    'autonomous-system',
    opt(
      {
        number: fc.integer({ min: 1, max: 4_294_967_295 }),
        name: text,
        rir: fc.constantFrom('ARIN', 'RIPE'),
      },
      ['number'],
    ),
  ),
  software: observable(
    'software',
    opt({ name: text, vendor: text, version: fc.constantFrom('1.0', '2.3.4') }, ['name']),
  ),
  file: observable(
    'file',
    fc.oneof(
      opt(
        {
          name: text,
          size: fc.integer({ min: 0, max: 1e9 }),
          hashes: hex(32).map((h) => ({ 'SHA-256': h })),
        },
        ['name'],
      ),
      fc.record({ hashes: fc.tuple(hex(16), hex(20)).map(([md5, sha1]) => ({ MD5: md5, 'SHA-1': sha1 })) }),
    ),
  ),
  directory: observable('directory', fc.record({ path: word.map((w) => `/var/tmp/${w}`) })),
  artifact: observable(
    'artifact',
    opt(
      {
        payload_bin: fc
          .uint8Array({ minLength: 1, maxLength: 30 })
          .map((b) => Buffer.from(b).toString('base64')),
        mime_type: fc.constantFrom('application/zip', 'text/plain'),
      },
      ['payload_bin'],
    ),
  ),
  process: observable(
    'process',
    opt({ pid: fc.integer({ min: 0, max: 65535 }), command_line: text, cwd: text }, ['pid']),
  ),
  'user-account': observable(
    'user-account',
    opt(
      {
        user_id: word,
        account_login: word,
        account_type: fc.constantFrom('unix', 'ldap'),
        is_privileged: fc.boolean(),
      },
      ['user_id'],
    ),
  ),
  'network-traffic': observable(
    'network-traffic',
    opt(
      {
        src_ref: idOf('ipv4-addr'),
        dst_port: fc.integer({ min: 0, max: 65535 }),
        protocols: fc.constant(['ipv4', 'tcp']),
      },
      ['src_ref', 'protocols'],
    ),
  ),
  'windows-registry-key': observable(
    'windows-registry-key',
    fc.record({ key: fc.nat(9999).map((n) => `HKEY_LOCAL_MACHINE\\System\\Sluice${n}`) }),
  ),
  'x509-certificate': observable(
    'x509-certificate',
    opt({ serial_number: hex(8), issuer: text, hashes: hex(32).map((h) => ({ 'SHA-256': h })) }, [
      'serial_number',
    ]),
  ),
}

const statementMarking = fc
  .record({ id: idOf('marking-definition'), created: timestamp, statement: text, name: text })
  .map(({ id, created, statement, name }) => ({
    type: 'marking-definition',
    spec_version: '2.1',
    id,
    created,
    name,
    definition_type: 'statement',
    definition: { statement },
  }))

const tlp2Marking = fc
  .constantFrom(...(Object.entries(TLP_2_MARKINGS) as [string, { id: string; name: string }][]))
  .map(([level, m]) => ({
    type: 'marking-definition',
    spec_version: '2.1',
    id: m.id,
    created: '2022-10-01T00:00:00.000Z',
    name: m.name,
    extensions: { [TLP_2_EXTENSION_ID]: { extension_type: 'property-extension', tlp_2_0: level } },
  }))

export const meta: Record<string, fc.Arbitrary<Json>> = {
  'marking-definition': fc.oneof(statementMarking, tlp2Marking),
  'language-content': domainObject(
    'language-content',
    fc.record({
      object_ref: idOf('campaign'),
      object_modified: timestamp,
      contents: fc.record({ de: fc.record({ name: text }), fr: fc.record({ description: text }) }),
    }),
  ).map(({ lang: _lang, ...rest }) => rest),
  'extension-definition': domainObject(
    'extension-definition',
    fc.record({
      created_by_ref: idOf('identity'),
      name: text,
      schema: httpsUrl,
      version: fc.constant('1.0.0'),
      extension_types: fc.constant(['property-extension']),
    }),
  ),
  'x-custom-object': domainObject(
    'x-sluice-widget',
    opt({ name: text, x_sluice_size: fc.integer() }, ['name']),
  ),
  'new-sco': fc
    .record({ ext: idOf('extension-definition'), id: idOf('x-sluice-gadget'), serial: word })
    .map(({ ext, id, serial }) => ({
      type: 'x-sluice-gadget',
      spec_version: '2.1',
      id,
      serial,
      extensions: { [ext]: { extension_type: 'new-sco' } },
    })),
}

export const ALL: Record<string, fc.Arbitrary<Json>> = { ...sdo, ...sro, ...sco, ...meta }

/** Any valid object, drawn from every generator above. */
export const anyObject: fc.Arbitrary<Json> = fc.oneof(...Object.values(ALL))
