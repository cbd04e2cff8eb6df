import { randomBytes, randomUUID } from 'node:crypto'
import type { AgreementEntry, OrderEntry } from '../ledger/entry.js'
import { canonicalJson, type JsonValue } from '../ledger/entry.js'
import { sha256Hex } from '../ledger/hash.js'
import { changesNothing } from '../policy/amendment.js'
import { type CompiledPolicy, compileSnapshot } from '../policy/compile.js'
import {
  ADMIRALTY_CREDIBILITY,
  ADMIRALTY_RELIABILITY,
  EVALUATION_INFORMATION,
  EVALUATION_SOURCE,
} from '../policy/grading.js'
import { defaultLiftTime, liftRefusal } from '../policy/lifting.js'
import { oneDefinitionPerId } from '../policy/markings.js'
import { policyAt } from '../policy/snapshot.js'
import { parseInstant } from '../policy/time.js'
import { isTlpLevel, type TlpLevel } from '../policy/tlp.js'
import type {
  Agreement,
  Order,
  OrderScope,
  Partner,
  PartnerKind,
  PolicyHistory,
  Resumption,
  Suspension,
} from '../policy/types.js'
import type { StixObject } from '../stix/object.js'
import { PolicyChangedError } from '../store/errors.js'
import type { LedgerAppend, PolicyRecord, Store } from '../store/types.js'
import { ledgerTime, toLedgerAppend } from './ledger-service.js'
import {
  aboveTlpInput,
  displayName,
  fail,
  instantOr,
  once,
  prose,
  stringList,
  unknown,
} from './policy-input.js'
import { checkNamed } from './policy-names.js'
import { SEE_AGREEMENTS, SEE_ORDERS, SEE_PARTNERS } from './see-also.js'

export const PARTNER_KINDS: readonly PartnerKind[] = [
  'police',
  'customs',
  'coast-guard',
  'border-guard',
  'judicial',
  'international',
  'node',
  'other',
]

/** Partner ids name ledger logs and appear in URLs. */
export const PARTNER_ID = /^[a-z0-9][a-z0-9-]{1,62}$/
export const IDENTITY_ID = /^identity--[0-9a-f-]{36}$/

export interface SuspendInput {
  partner: string
  collections?: string[]
  types?: string[]
  markings?: string[]
  labels?: string[]
  aboveTlp?: string
  at?: string
  reason: string
  reference?: string
  issuer: string
}

export interface AgreementInput {
  id?: string
  /** Required for a new agreement; a new version of one stays with its partner when none is named. */
  partner?: string
  collections: string[] | '*'
  types?: string[] | '*'
  maxTlp: string
  caveats?: string[]
  requiredLabels?: string[]
  forbiddenLabels?: string[]
  requiredMarkings?: string[]
  forbiddenMarkings?: string[]
  validFrom?: string
  validUntil?: string
  at?: string
  withdrawn?: boolean
  /** TLP assumed for objects that carry none (default amber). */
  defaultTlp?: string
  /** Admiralty grades allowed (source reliability A-F, information credibility 1-6). */
  admiraltyReliability?: string[]
  admiraltyCredibility?: string[]
  /** 4x4 grades allowed (source A/B/C/X, information 1-4). */
  evaluationSource?: string[]
  evaluationInformation?: string[]
  /** Whether objects without a grade pass the grade filters (default allow). */
  ungraded?: string
}

function grades<T extends string | number>(
  values: string[] | undefined,
  allowed: readonly T[],
  what: string,
): T[] | undefined {
  if (values === undefined || values.length === 0) return undefined
  return values.map((v) => {
    const found = allowed.find((a) => String(a) === v.trim().toUpperCase())
    return found ?? fail(`${what} takes ${allowed.join(', ')}; got "${v}"`)
  })
}

/** The grade filters of an agreement, from their list form; undefined when none is given. */
function gradeFilters(input: AgreementInput): Pick<Agreement, 'admiralty' | 'evaluation_4x4'> {
  const ungraded =
    input.ungraded === undefined
      ? undefined
      : input.ungraded === 'deny'
        ? 'deny'
        : input.ungraded === 'allow'
          ? 'allow'
          : fail('ungraded must be allow or deny')
  const reliability = grades(input.admiraltyReliability, ADMIRALTY_RELIABILITY, 'admiralty reliability')
  const credibility = grades(input.admiraltyCredibility, ADMIRALTY_CREDIBILITY, 'admiralty credibility')
  const source = grades(input.evaluationSource, EVALUATION_SOURCE, '4x4 source evaluation')
  const information = grades(
    input.evaluationInformation,
    EVALUATION_INFORMATION,
    '4x4 information evaluation',
  )
  return {
    ...(reliability || credibility
      ? {
          admiralty: {
            ...(reliability ? { reliability } : {}),
            ...(credibility ? { credibility } : {}),
            ...(ungraded ? { ungraded } : {}),
          },
        }
      : {}),
    ...(source || information
      ? {
          evaluation_4x4: {
            ...(source ? { source } : {}),
            ...(information ? { information } : {}),
            ...(ungraded ? { ungraded } : {}),
          },
        }
      : {}),
  }
}

/**
 * Policy as the node keeps it: append-only rows in the store, each change
 * recorded in the ledger in the same transaction, and a compiled snapshot
 * cached until the policy version changes or a scheduled change falls due.
 */
export class PolicyService {
  readonly #store: Store
  #cached: { version: number; history: PolicyHistory } | undefined
  #compiled: { version: number; policy: CompiledPolicy } | undefined

  constructor(store: Store) {
    this.#store = store
  }

  async history(): Promise<PolicyHistory> {
    return (await this.#current()).history
  }

  /** The latest recorded version of agreement `id` (it may be a withdrawal, or not yet in force). */
  async latestAgreement(id: string): Promise<Agreement | undefined> {
    return (await this.history()).agreements.filter((a) => a.id === id).at(-1)
  }

  /** The history with the policy version read before it, which a change made from it is appended under. */
  async #current(): Promise<{ version: number; history: PolicyHistory }> {
    const version = await this.#store.policyVersion()
    if (this.#cached?.version === version) return this.#cached
    const [records, markings, collections] = await Promise.all([
      this.#store.loadPolicy(),
      this.#store.listMarkingDefinitions(),
      this.#store.listCollections(),
    ])
    const history = {
      partners: [] as Partner[],
      agreements: [] as Agreement[],
      orders: [] as Order[],
      markings: oneDefinitionPerId(markings.map((m) => JSON.parse(m.json) as StixObject)),
      collections: collections.map((c) => c.id),
    }
    for (const r of records) {
      const body = JSON.parse(r.body)
      if (r.kind === 'partner') history.partners.push(body)
      else if (r.kind === 'agreement') history.agreements.push(body)
      else history.orders.push(body)
    }
    this.#cached = { version, history }
    return this.#cached
  }

  /** Policy changes of this process, one at a time: concurrent ones would only make each other retry. */
  #writing: Promise<unknown> = Promise.resolve()

  /**
   * Makes a change derived from the history (a version number, a name not yet taken, an order not yet
   * lifted) and appends it only while the policy is still the one it was derived from; when another
   * process changed it meanwhile, the change is derived again from the new history, where it may be refused.
   */
  #change<T>(make: (history: PolicyHistory) => Promise<PolicyWrite<T>> | PolicyWrite<T>): Promise<T> {
    const run = async () => {
      for (let attempt = 1; ; attempt++) {
        const { version, history } = await this.#current()
        const { records, ledger, result } = await make(history)
        try {
          await this.#store.appendPolicy(records, ledger, version)
          return result
        } catch (error) {
          if (!(error instanceof PolicyChangedError) || attempt >= CHANGE_ATTEMPTS) throw error
        }
      }
    }
    const done = this.#writing.then(run, run)
    this.#writing = done.catch(() => undefined)
    return done
  }

  /** The compiled policy valid at `instant`; reused while nothing changed and nothing scheduled fell due. */
  async compiledAt(instant: string): Promise<CompiledPolicy> {
    const version = await this.#store.policyVersion()
    // compiled policies keep instants as microseconds (src/policy/time.ts)
    const t = parseInstant(instant) ?? Number.NaN
    const cached = this.#compiled
    if (cached && cached.version === version && t >= cached.policy.at && t < cached.policy.staleAt)
      return cached.policy
    const policy = compileSnapshot(policyAt(await this.history(), instant), instant)
    // the newest instant wins the cache; a request for a past instant (explain --at) does not evict it
    if (!cached || t >= cached.policy.at || cached.version !== version) this.#compiled = { version, policy }
    return policy
  }

  async partner(idOrName: string): Promise<Partner> {
    return partnerIn(await this.history(), idOrName)
  }

  async addPartner(
    input: { id?: string; name: string; kind?: string; identityId?: string },
    by: string,
  ): Promise<Partner> {
    return this.#change((history) => this.#partnerWrite(history, input, by))
  }

  #partnerWrite(
    history: PolicyHistory,
    input: { id?: string; name: string; kind?: string; identityId?: string },
    by: string,
  ): PolicyWrite<Partner> {
    const name = displayName(input.name, 'the partner name')
    const id = input.id ?? slug(name)
    if (input.id === undefined && !PARTNER_ID.test(id))
      fail(
        `no partner id can be made from the name "${name}"; give one (2-63 lowercase letters, digits or hyphens)`,
      )
    if (!PARTNER_ID.test(id)) fail('a partner id is 2-63 lowercase letters, digits or hyphens')
    // every command names a partner by id or by name, so the two share one namespace: a second partner
    // answering to a name already in use would capture orders meant for the first
    for (const taken of [id, name]) {
      const holder = history.partners.find((p) => p.id === taken || p.name === taken)
      if (holder?.id === id) fail(`partner "${id}" already exists`)
      if (holder)
        fail(`"${taken}" already names partner "${holder.id}"; each partner needs its own id and name`)
    }
    const kind = (input.kind ?? 'other') as PartnerKind
    if (!PARTNER_KINDS.includes(kind)) fail(`partner kind must be one of ${PARTNER_KINDS.join(', ')}`)
    const identity = input.identityId ?? `identity--${randomUUID()}`
    if (!IDENTITY_ID.test(identity)) fail('the identity id must be identity--<uuid>')
    // the identity says which objects a partner created (never sent back to it): one per partner
    const sharing = history.partners.find((p) => p.identity_id === identity)
    if (sharing)
      fail(`the identity ${identity} is already partner "${sharing.id}"'s; each partner has its own`)
    const partner: Partner = { id, name, identity_id: identity, kind }
    const now = new Date().toISOString()
    return {
      records: [
        { kind: 'partner', id, recordedAt: now, body: JSON.stringify({ ...partner, recorded_by: by }) },
      ],
      ledger: [],
      result: partner,
    }
  }

  /** Creates an agreement, or a new version of one when `input.id` names it. */
  async putAgreement(input: AgreementInput, by: string): Promise<Agreement> {
    return this.#change(async (history) => {
      const agreement = await this.#draft(history, input, by)
      const entry: AgreementEntry = {
        kind: 'agreement',
        agreementId: agreement.id,
        version: agreement.version,
        partnerId: agreement.partner_id,
        change: agreement.withdrawn ? 'withdrawn' : agreement.version === 1 ? 'created' : 'amended',
        changedBy: by,
        changedAt: ledgerTime(agreement.recorded_at),
        agreementSha256: sha256Hex(canonicalJson(agreement as unknown as JsonValue)),
      }
      return {
        records: [
          {
            kind: 'agreement',
            id: agreement.id,
            recordedAt: agreement.recorded_at,
            body: JSON.stringify(agreement),
          },
        ],
        ledger: [toLedgerAppend(entry)],
        result: agreement,
      }
    })
  }

  /**
   * The agreement version `putAgreement` would record now, checked as it checks it, without recording it
   * (four-eyes compares it with the version in force to tell whether it widens).
   */
  async draftAgreement(input: AgreementInput, by: string): Promise<Agreement> {
    return this.#draft(await this.history(), input, by)
  }

  async #draft(history: PolicyHistory, input: AgreementInput, by: string): Promise<Agreement> {
    const { agreements } = history
    const previous = input.id ? agreements.filter((a) => a.id === input.id) : []
    if (input.id && previous.length === 0) fail(`no agreement "${input.id}"`, SEE_AGREEMENTS)
    const partner = partnerIn(
      history,
      input.partner ?? previous.at(-1)?.partner_id ?? fail('a new agreement needs its partner'),
    )
    if (previous.length > 0 && previous.at(-1)!.partner_id !== partner.id)
      fail('an agreement cannot move to another partner')
    once(input.collections, 'collections')
    once(input.types, 'types')
    once(input.caveats, 'caveats')
    once(input.requiredLabels, 'required labels')
    once(input.forbiddenLabels, 'forbidden labels')
    once(input.requiredMarkings, 'required markings')
    once(input.forbiddenMarkings, 'forbidden markings')
    await checkNamed(this.#store, history, {
      ...(input.types ? { types: input.types } : {}),
      markings: [
        ...(input.caveats ?? []),
        ...(input.requiredMarkings ?? []),
        ...(input.forbiddenMarkings ?? []),
      ],
      labels: [...(input.requiredLabels ?? []), ...(input.forbiddenLabels ?? [])],
    })
    const now = new Date().toISOString()
    const effectiveFrom = instantOr(input.at, now, 'the effective time')
    const last = previous.at(-1)
    // a second withdrawal changes nothing unless it brings a scheduled one forward; recording it anyway
    // would put a change that never happened in the history and the ledger
    if (
      input.withdrawn &&
      last?.withdrawn &&
      parseInstant(effectiveFrom)! >= parseInstant(last.effective_from)!
    )
      fail(`agreement "${last.id}" is already withdrawn, from ${last.effective_from} (v${last.version})`)
    const maxTlp = input.maxTlp.toLowerCase()
    if (!isTlpLevel(maxTlp)) fail('max TLP must be clear, green, amber, amber+strict or red')
    const defaultTlp = input.defaultTlp?.toLowerCase()
    if (defaultTlp !== undefined && !isTlpLevel(defaultTlp))
      fail('default TLP must be clear, green, amber, amber+strict or red')
    const validFrom = input.validFrom ? instantOr(input.validFrom, now, 'valid-from') : undefined
    const validUntil = input.validUntil ? instantOr(input.validUntil, now, 'valid-until') : undefined
    if (validFrom && validUntil && Date.parse(validUntil) <= Date.parse(validFrom))
      fail('valid-until must be after valid-from')
    const agreement: Agreement = {
      id: input.id ?? `agreement--${randomUUID()}`,
      version: previous.length > 0 ? Math.max(...previous.map((a) => a.version)) + 1 : 1,
      partner_id: partner.id,
      collections: input.collections,
      object_types: input.types ?? '*',
      max_tlp: maxTlp as TlpLevel,
      ...(defaultTlp ? { default_tlp: defaultTlp as TlpLevel } : {}),
      ...gradeFilters(input),
      ...(input.caveats?.length ? { caveats: input.caveats } : {}),
      ...(input.requiredLabels?.length ? { required_labels: input.requiredLabels } : {}),
      ...(input.forbiddenLabels?.length ? { forbidden_labels: input.forbiddenLabels } : {}),
      ...(input.requiredMarkings?.length ? { required_markings: input.requiredMarkings } : {}),
      ...(input.forbiddenMarkings?.length ? { forbidden_markings: input.forbiddenMarkings } : {}),
      ...(validFrom ? { valid_from: validFrom } : {}),
      ...(validUntil ? { valid_until: validUntil } : {}),
      effective_from: effectiveFrom,
      recorded_at: now,
      recorded_by: by,
      ...(input.withdrawn ? { withdrawn: true } : {}),
    }
    if (last && !agreement.withdrawn && changesNothing(previous, agreement))
      fail(
        `agreement "${last.id}" already says exactly this (v${last.version}): an amendment that changes nothing is not recorded`,
      )
    return agreement
  }

  async suspend(input: SuspendInput): Promise<Suspension> {
    return this.#change(async (history) => {
      const order = await this.#suspension(history, input)
      return orderWrite(order, order.partner_id)
    })
  }

  async #suspension(history: PolicyHistory, input: SuspendInput): Promise<Suspension> {
    const partner = partnerIn(history, input.partner)
    once(input.collections, 'collections')
    once(input.types, 'types')
    once(input.markings, 'markings')
    once(input.labels, 'labels')
    await checkNamed(this.#store, history, input)
    const now = new Date().toISOString()
    const aboveTlp = aboveTlpInput(input.aboveTlp, 'above_tlp')
    const scope: OrderScope = {
      ...(input.collections?.length ? { collections: input.collections } : {}),
      ...(input.types?.length ? { object_types: input.types } : {}),
      ...(input.markings?.length ? { markings: input.markings } : {}),
      ...(input.labels?.length ? { labels: input.labels } : {}),
      ...(aboveTlp ? { above_tlp: aboveTlp } : {}),
    }
    const reference =
      input.reference === undefined || input.reference === ''
        ? undefined
        : displayName(input.reference, 'the reference')
    const order: Suspension = {
      kind: 'suspension',
      id: `order--${randomUUID()}`,
      partner_id: partner.id,
      ...(Object.keys(scope).length > 0 ? { scope } : {}),
      effective_from: instantOr(input.at, now, 'the effective time'),
      issuer: displayName(input.issuer, 'the issuer'),
      reason: prose(input.reason, 'a reason'),
      ...(reference ? { reference } : {}),
      recorded_at: now,
      recorded_by: input.issuer,
      commitment_salt: newSalt(),
    }
    return order
  }

  async resume(input: { order: string; at?: string; reason: string; issuer: string }): Promise<Resumption> {
    return this.#change((history) => resumptionWrite(history, input))
  }
}

function resumptionWrite(
  { orders }: PolicyHistory,
  input: { order: string; at?: string; reason: string; issuer: string },
): PolicyWrite<Resumption> {
  const named = orders.find((o) => o.id === input.order)
  if (named?.kind === 'resumption')
    return fail(
      `order "${input.order}" is a resumption (it lifts ${named.lifts}); name the suspension to lift`,
    )
  const suspension = named ?? unknown(input.order, `no suspension order "${input.order}"`, SEE_ORDERS)
  const now = new Date().toISOString()
  const order: Resumption = {
    kind: 'resumption',
    id: `order--${randomUUID()}`,
    lifts: suspension.id,
    effective_from: instantOr(input.at, defaultLiftTime(suspension, now), 'the effective time'),
    issuer: displayName(input.issuer, 'the issuer'),
    reason: prose(input.reason, 'a reason'),
    recorded_at: now,
    recorded_by: input.issuer,
    commitment_salt: newSalt(),
  }
  const refusal = liftRefusal(orders, suspension, order.effective_from, now)
  if (refusal) fail(refusal)
  return orderWrite(order, suspension.partner_id)
}

/** What a policy change appends, and what it answers. */
interface PolicyWrite<T> {
  records: PolicyRecord[]
  ledger: LedgerAppend[]
  result: T
}

/** Retries of a change another process beat to the store; each retry sees that process's change. */
const CHANGE_ATTEMPTS = 10

function orderWrite<T extends Order>(order: T, partnerId: string): PolicyWrite<T> {
  return {
    records: [orderRecord(order)],
    ledger: [toLedgerAppend(orderEntry(order, partnerId))],
    result: order,
  }
}

function partnerIn({ partners }: PolicyHistory, idOrName: string): Partner {
  const found = partners.filter((p) => p.id === idOrName || p.name === idOrName).at(-1)
  return found ?? unknown(idOrName, `no partner "${idOrName}"`, SEE_PARTNERS)
}

function orderRecord(order: Order): PolicyRecord {
  return { kind: 'order', id: order.id, recordedAt: order.recorded_at, body: JSON.stringify(order) }
}

/**
 * The order as the ledger records it. The entry sits in the partner's own log too, so what the
 * partner must not read (the scope, which may name collections hidden from it, and the internal
 * reason) is committed to rather than spelled out; the node can later prove either by showing the
 * order record, which hashes to the committed value.
 */
function orderEntry(order: Order, partnerId: string): OrderEntry {
  return {
    kind: 'order',
    orderId: order.id,
    orderKind: order.kind,
    partnerId,
    scope:
      order.kind === 'suspension'
        ? {
            whole_partner: order.scope === undefined,
            scope_sha256: orderCommitment(order, order.scope ?? {}),
          }
        : { lifts: order.lifts },
    issuer: order.issuer,
    reason: `sha256:${orderCommitment(order, order.reason)}`,
    reference: order.kind === 'suspension' ? (order.reference ?? null) : null,
    effectiveFrom: ledgerTime(order.effective_from),
    recordedAt: ledgerTime(order.recorded_at),
  }
}

/**
 * SHA-256 of the canonical JSON of `{salt, value}`. A reason such as "source protection" or a scope of a
 * few known collections is easy to guess; unsalted, a partner could confirm a guess by hashing it. Orders
 * recorded without a salt were committed to as the canonical JSON of the value alone.
 */
export function orderCommitment(order: Order, value: unknown): string {
  const committed = order.commitment_salt === undefined ? value : { salt: order.commitment_salt, value }
  return sha256Hex(canonicalJson(committed as JsonValue))
}

const newSalt = () => randomBytes(32).toString('hex')

function slug(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
}

export { stringList }
