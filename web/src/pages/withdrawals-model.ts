/**
 * What the Federation page shows of withdrawals and partner node keys, computed from
 * `GET /federation/withdrawals` and `GET /federation/partner-keys` without touching the DOM.
 */
import type { FederationWithdrawal, PartnerNodeKey } from '../../../src/services/console-types.js'
import { keyName } from '../ledger/key-changes.js'
import { AS_IS, ago, duration, type Names } from './federation-model.js'

export const WITHDRAWALS_EMPTY =
  'No withdrawals: withdraw an object from partners with sluice withdraw OBJECT_ID --reason "..." [--revoke]'
export const PARTNER_KEYS_EMPTY =
  'No partner node key yet: pin one with sluice withdraw pin-key --partner PARTNER --vkey VKEY, or give a feed one with feeds add --vkey'

/** Acknowledged withdrawals shown at most; the rest are one `sluice withdraw list` away. */
export const ACKNOWLEDGED_SHOWN = 20

export interface WithdrawalRow {
  id: string
  object: string
  partner: string
  kind: FederationWithdrawal['kind']
  reason: string
  issued: string
  issuedAt: string
  by: string
  status: 'pending' | 'acknowledged'
  statusText: string
  /** When the partner's node acknowledged, and the key name it signed with. */
  acknowledgedAt?: string
  signer?: string
  /** Not yet acknowledged: the partner's node may still pass the object on. */
  attention: boolean
}

export function withdrawalRow(w: FederationWithdrawal, now: number, names: Names = AS_IS): WithdrawalRow {
  const base = {
    id: w.id,
    object: w.object_id,
    partner: names.partner(w.partner_id),
    kind: w.kind,
    reason: w.reason,
    issued: ago(w.created_at, now),
    issuedAt: w.created_at,
    by: w.created_by,
  }
  if (w.acknowledged_at === undefined)
    return { ...base, status: 'pending', statusText: 'Not acknowledged', attention: true }
  const after = (Date.parse(w.acknowledged_at) - Date.parse(w.created_at)) / 1000
  return {
    ...base,
    status: 'acknowledged',
    statusText: `Acknowledged ${duration(after)} after`,
    acknowledgedAt: w.acknowledged_at,
    ...(w.signer !== undefined ? { signer: w.signer } : {}),
    attention: false,
  }
}

/**
 * The rows to draw: every pending one first, then the newest acknowledged, and how many were left out,
 * here or already by the node (`acknowledged_left_out` of `?acknowledged_limit=`).
 */
export function withdrawalRows(
  list: FederationWithdrawal[],
  now: number,
  names: Names = AS_IS,
  leftOutByNode = 0,
): { rows: WithdrawalRow[]; leftOut: number } {
  const rows = list
    .map((w) => withdrawalRow(w, now, names))
    .sort((a, b) => Number(b.attention) - Number(a.attention) || b.issuedAt.localeCompare(a.issuedAt))
  const pending = rows.filter((r) => r.attention).length
  const shown = rows.slice(0, pending + ACKNOWLEDGED_SHOWN)
  return { rows: shown, leftOut: rows.length - shown.length + leftOutByNode }
}

/** "3 withdrawals: 1 not acknowledged." */
export function withdrawalsSummary(list: FederationWithdrawal[], acknowledgedLeftOut = 0): string {
  const total = list.length + acknowledgedLeftOut
  if (total === 0) return 'No withdrawals issued.'
  const pending = list.filter((w) => w.acknowledged_at === undefined).length
  const head = `${total} ${total === 1 ? 'withdrawal' : 'withdrawals'}`
  return `${head}: ${pending === 0 ? 'all acknowledged' : `${pending} not acknowledged`}.`
}

export interface PartnerKeyRow {
  partner: string
  /** The key's name and hash, as `ledger key` names it; the full key is in `vkey`. */
  key: string
  vkey: string
  source: string
  /** A feed's key that no acknowledgement has been checked with yet. */
  pending: boolean
}

export function partnerKeyRow(k: PartnerNodeKey, names: Names = AS_IS): PartnerKeyRow {
  const by = k.pinnedBy ? ` by ${k.pinnedBy}` : ''
  const source = k.pending
    ? `Given${by} for feed ${k.fromFeed}; no acknowledgement checked with it yet`
    : k.pinnedBy
      ? `Pinned${by}`
      : k.fromFeed
        ? `Pinned by the first acknowledgement, checked with the key of feed ${k.fromFeed}`
        : 'Pinned by the first acknowledgement (trust on first use)'
  return {
    partner: names.partner(k.partner),
    key: keyName(k.vkey),
    vkey: k.vkey,
    source,
    pending: k.pending === true,
  }
}
