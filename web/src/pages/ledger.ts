import { api, query } from '../api.js'
import { announce, clear, fmt, h } from '../dom.js'
import { followKeyChanges, type KeyChange, keyName } from '../ledger/key-changes.js'
import { checkInclusion, type Step } from '../ledger/verify.js'
import { href, type Route } from '../router.js'
import { session } from '../session.js'
import { empty, errorBox, heading, loading } from '../ui.js'
import { type RowSource, virtualTable } from '../virtual-table.js'

interface LogInfo {
  logId: string
  size: number
}
interface EntryRow {
  index: number
  entry: Record<string, unknown> & { kind: string }
  leaf: string
}
interface CheckpointRow {
  size: number
  created_at: string
  checkpoint: string
}

/** Entries fetched per request (the node serves at most 1,000). */
const BLOCK = 100

/**
 * A log's entries newest first, fetched in blocks of `BLOCK` as the table scrolls to them: row i is entry
 * size − 1 − i, so any position of a log of 10^5 entries is one request away.
 */
class EntrySource implements RowSource<EntryRow> {
  readonly complete = true
  readonly #blocks = new Map<number, EntryRow[] | Promise<void>>()
  onError: (error: unknown) => void = () => {}

  constructor(
    readonly logId: string,
    readonly length: number,
  ) {}

  get(row: number): EntryRow | undefined {
    const index = this.length - 1 - row
    const block = this.#blocks.get(Math.floor(index / BLOCK))
    return Array.isArray(block) ? block[index % BLOCK] : undefined
  }

  async load(from: number, to: number): Promise<void> {
    const first = Math.floor((this.length - Math.min(to, this.length)) / BLOCK)
    const last = Math.floor((this.length - 1 - from) / BLOCK)
    const waits: Promise<void>[] = []
    for (let b = Math.max(0, first); b <= last; b++) {
      const have = this.#blocks.get(b)
      if (Array.isArray(have)) continue
      if (have) {
        waits.push(have)
        continue
      }
      const start = b * BLOCK
      const end = Math.min(this.length, start + BLOCK)
      const pending = api
        .get<EntryRow[]>(`/ledger/entries${query({ log: this.logId, start, end })}`)
        .then((rows) => {
          const block: EntryRow[] = []
          for (const r of rows) block[r.index - start] = r
          this.#blocks.set(b, block)
        })
        .catch((error: unknown) => {
          this.#blocks.delete(b)
          this.onError(error)
        })
      this.#blocks.set(b, pending)
      waits.push(pending)
    }
    await Promise.all(waits)
  }
}
const PIN = 'sluice.console.pinned-vkey'

/** `GET /ledger/key`: the node's key now, and the changes that lead to it. */
interface NodeKey {
  origin: string
  vkey: string
  changes?: KeyChange[]
}

function summary(e: EntryRow['entry']): string {
  if (e.kind === 'disclosure') return `${String(e.objectId)} → ${String(e.partnerId)}`
  if (e.kind === 'order') return `${String(e.orderKind)} for ${String(e.partnerId)} (${String(e.orderId)})`
  if (e.kind === 'agreement')
    return `agreement ${String(e.change)} for ${String(e.partnerId)} (v${String(e.version)})`
  if (e.kind === 'withdrawal')
    return `withdrawal ${String(e.event)}: ${String(e.objectId)} from ${String(e.partnerId)}`
  if (e.kind === 'key') return `signing key changed to ${keyName(String(e.vkey))}`
  return e.kind
}

function when(e: EntryRow['entry']): string {
  const t = e.disclosedAt ?? e.recordedAt ?? e.changedAt ?? e.at
  return typeof t === 'string' ? fmt.time(t) : ''
}

function stepsView(steps: Step[], id = 'proof-result'): HTMLElement {
  const ok = steps.length > 0 && steps.every((s) => s.ok)
  return h(
    'div',
    { class: `verdict ${ok ? 'ok' : 'bad'}`, id },
    h('p', { class: 'headline' }, ok ? '✓ Verified in this browser' : '✗ Not verified'),
    h(
      'ol',
      { class: 'steps' },
      steps.map((s) =>
        h(
          'li',
          { class: s.ok ? 'ok' : 'bad' },
          h('span', { class: 'mark', 'aria-hidden': 'true' }, s.ok ? '✓' : '✗'),
          h('strong', {}, `${s.label}${s.ok ? '' : ' (failed)'}: `),
          h('span', { class: 'detail' }, s.detail),
        ),
      ),
    ),
  )
}

/** Checkpoints, entries, and an inclusion proof checked with WebCrypto in this page. */
export async function renderLedger(
  main: HTMLElement,
  route: Extract<Route, { page: 'ledger' }>,
): Promise<void> {
  const me = session.me()
  const body = h('div', {}, loading('Loading the ledger'))
  main.append(
    heading(
      'Ledger',
      'Every disclosure, order and agreement change is a leaf in a Merkle log. Check any entry here: the proof is verified by your browser, not by the node.',
    ),
    body,
  )
  let key: NodeKey
  let logs: LogInfo[]
  try {
    ;[key, logs] = await Promise.all([api.get<NodeKey>('/ledger/key'), api.get<LogInfo[]>('/ledger/logs')])
  } catch (error) {
    clear(body, errorBox(error))
    return
  }
  const own = me?.partner ? `partner:${me.partner.id}` : 'global'
  const wanted = route.params.get('log') ?? own
  const readable = logs.filter((l) => !me?.partner || l.logId === own)
  const log = readable.find((l) => l.logId === wanted) ?? readable[0]
  if (!log) {
    clear(
      body,
      empty(
        'This ledger has no entries yet.',
        'Entries appear when the node discloses an object or records a policy change.',
      ),
    )
    return
  }
  const logOrigin =
    log.logId === 'global'
      ? `${key.origin}/global`
      : `${key.origin}/partner/${log.logId.slice('partner:'.length)}`
  const pinned = localStorage.getItem(PIN) ?? ''
  // a pinned key the node has since changed is followed along the changes it co-signed, never just replaced
  const followed =
    pinned && pinned !== key.vkey
      ? await followKeyChanges(pinned, `${key.origin}/global`, Array.isArray(key.changes) ? key.changes : [])
      : undefined
  const handedOver = followed?.vkey === key.vkey
  const result = h('div', { 'aria-live': 'polite' })

  const verify = async (index: number) => {
    // a check started from a row shows its number in the form too, so form and result agree
    const input = document.getElementById('verify-index') as HTMLInputElement | null
    if (input) input.value = String(index)
    clear(result, loading(`Checking entry ${index}`))
    try {
      const vkey = handedOver ? key.vkey : pinned || key.vkey
      const cp = await api.get<{ size: number; checkpoint: string }>(
        `/ledger/checkpoint${query({ log: log.logId })}`,
      )
      if (index >= cp.size) throw new Error(`entry ${index} is newer than the checkpoint (size ${cp.size})`)
      const inc = await api.get<{ proofs: { index: number; size: number; leaf: string; proof: string[] }[] }>(
        `/ledger/inclusion${query({ log: log.logId, index, size: cp.size })}`,
      )
      const p = inc.proofs[0]!
      const steps = await checkInclusion({
        vkey,
        origin: logOrigin,
        note: cp.checkpoint,
        index: p.index,
        leaf: p.leaf,
        proof: p.proof,
      })
      clear(result, h('h3', {}, `Entry ${index} of ${log.logId}`), stepsView(steps))
      // asking for the checkpoint may have signed a new one
      void showCheckpoints()
      announce(steps.every((s) => s.ok) ? `Entry ${index} verified.` : `Entry ${index} did not verify.`)
    } catch (error) {
      clear(result, errorBox(error))
    }
  }

  const logPicker = h(
    'form',
    { class: 'filters', onsubmit: (e: SubmitEvent) => e.preventDefault() },
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'log' }, 'Log'),
      h(
        'select',
        {
          id: 'log',
          onchange: (e: Event) => {
            location.assign(href(`/ledger${query({ log: (e.target as HTMLSelectElement).value })}`))
          },
        },
        readable.map((l) =>
          h(
            'option',
            { value: l.logId, selected: l.logId === log.logId },
            `${l.logId} (${fmt.int(l.size)} entries)`,
          ),
        ),
      ),
    ),
  )
  const verifyForm = h(
    'form',
    {
      class: 'filters',
      id: 'verify-form',
      onsubmit: (e: SubmitEvent) => {
        e.preventDefault()
        const n = Number((document.getElementById('verify-index') as HTMLInputElement).value)
        if (Number.isInteger(n) && n >= 0) void verify(n)
      },
    },
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'verify-index' }, 'Entry number'),
      h('input', {
        id: 'verify-index',
        type: 'number',
        min: 0,
        max: log.size - 1,
        required: true,
        value: log.size - 1,
      }),
    ),
    h('button', { type: 'submit', class: 'primary' }, 'Verify inclusion'),
  )
  const pinInput = h('input', { id: 'pin', value: pinned, placeholder: key.vkey, spellcheck: 'false' })
  const keyPanel = h(
    'section',
    { class: 'panel', 'aria-labelledby': 'key-title' },
    h('h2', { id: 'key-title' }, 'Verifier key'),
    h('p', {}, 'The node says its key is ', h('code', { class: 'wrap' }, key.vkey)),
    followed && handedOver
      ? h(
          'div',
          { id: 'key-followed' },
          h(
            'p',
            {},
            `Your pinned key handed over to this one through ${followed.steps.length} recorded key change${followed.steps.length === 1 ? '' : 's'}, each signed by both keys and included in the global log (checked in this browser). Proofs are checked against the node's current key.`,
          ),
          stepsView(followed.steps, 'key-changes'),
          h(
            'button',
            {
              type: 'button',
              onclick: () => {
                localStorage.setItem(PIN, key.vkey)
                location.reload()
              },
            },
            'Pin the current key',
          ),
        )
      : followed
        ? h(
            'div',
            { id: 'key-followed' },
            h(
              'p',
              { class: 'error', role: 'alert' },
              followed.steps.some((s) => !s.ok)
                ? 'This differs from the key you pinned, and a key change from your pinned key does not verify: proofs are checked against your pinned key.'
                : 'This differs from the key you pinned, and no recorded key change leads from your pinned key to it: proofs are checked against your pinned key.',
            ),
            followed.steps.length > 0 ? stepsView(followed.steps, 'key-changes') : null,
          )
        : null,
    h(
      'form',
      {
        class: 'filters',
        onsubmit: (e: SubmitEvent) => {
          e.preventDefault()
          if (pinInput.value.trim()) localStorage.setItem(PIN, pinInput.value.trim())
          else localStorage.removeItem(PIN)
          location.reload()
        },
      },
      h(
        'div',
        { class: 'field grow' },
        h('label', { for: 'pin' }, 'Pin the key you obtained out of band (empty: use the node’s)'),
        pinInput,
      ),
      h('button', { type: 'submit' }, 'Save'),
    ),
  )
  const checkpoints = h(
    'section',
    { class: 'panel', 'aria-labelledby': 'cp-title' },
    h('h2', { id: 'cp-title' }, 'Checkpoints'),
    loading(),
  )
  const showCheckpoints = () => listCheckpoints(checkpoints, log.logId)
  const entries = h(
    'section',
    { class: 'panel', 'aria-labelledby': 'entries-title' },
    h('h2', { id: 'entries-title' }, 'Entries'),
    loading(),
  )

  const source = new EntrySource(log.logId, log.size)
  const entriesTable = virtualTable<EntryRow>({
    id: 'entries-table',
    caption: `${fmt.int(log.size)} entries, newest first`,
    source,
    height: 480,
    columns: [
      { header: '#', width: '8%', cell: (r) => String(r.index) },
      { header: 'Kind', width: '10%', cell: (r) => r.entry.kind },
      { header: 'What', width: '50%', cell: (r) => summary(r.entry) },
      { header: 'When', width: '17%', cell: (r) => when(r.entry) },
      {
        header: '',
        width: '15%',
        cell: (r) =>
          h(
            'button',
            {
              type: 'button',
              class: 'verify',
              tabindex: -1,
              'data-index': r.index,
              onclick: () => void verify(r.index),
            },
            `Verify #${r.index}`,
          ),
      },
    ],
  })
  source.onError = (error) =>
    clear(
      entries,
      h('h2', { id: 'entries-title' }, 'Entries'),
      errorBox(error, () => location.reload()),
    )
  const showEntries = () => {
    clear(
      entries,
      h('h2', { id: 'entries-title' }, 'Entries'),
      log.size === 0 ? empty('No entries.') : entriesTable.element,
    )
    entriesTable.refresh()
  }

  clear(
    body,
    logPicker,
    h(
      'div',
      { class: 'grid two' },
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'verify-title' },
        h('h2', { id: 'verify-title' }, 'Check an entry'),
        verifyForm,
        result,
      ),
      keyPanel,
    ),
    entries,
    checkpoints,
  )
  showEntries()
  await showCheckpoints()
}

async function listCheckpoints(box: HTMLElement, logId: string): Promise<void> {
  const checkpoints = box
  try {
    const list = await api.get<CheckpointRow[]>(`/ledger/checkpoints${query({ log: logId })}`)
    clear(
      checkpoints,
      h('h2', { id: 'cp-title' }, 'Checkpoints'),
      list.length === 0
        ? empty(
            'No checkpoint signed yet.',
            'One is signed when someone asks for it, for example when you verify an entry.',
          )
        : h(
            'table',
            { class: 'compact' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Size', 'Signed', 'Note'].map((t) => h('th', { scope: 'col' }, t)),
              ),
            ),
            h(
              'tbody',
              {},
              list
                .slice(0, 20)
                .map((c) =>
                  h(
                    'tr',
                    {},
                    h('td', {}, fmt.int(c.size)),
                    h('td', {}, fmt.time(c.created_at)),
                    h('td', {}, h('pre', { class: 'note' }, c.checkpoint)),
                  ),
                ),
            ),
          ),
    )
  } catch (error) {
    clear(checkpoints, h('h2', { id: 'cp-title' }, 'Checkpoints'), errorBox(error))
  }
}
