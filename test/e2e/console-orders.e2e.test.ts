import { rmSync } from 'node:fs'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_CAVEATS } from '../../src/demo/markings.js'
import { seedDemo } from '../../src/demo/seed.js'
import { createPrincipal } from '../../src/services/principals.js'
import { startTestNode, type TestNode } from '../helpers/node.js'
import { buildConsole, CHROMIUM, HAVE_CHROMIUM, launchPage } from './helpers.js'

/*
 * The order dialogs and the flows page's orders panel in headless Chromium: what an officer types is either
 * sent as previewed or refused before the preview, an order goes out only on a press of Confirm, and the
 * page keeps up with the clock, the network and the browser's Back button.
 */

const SKIP = `console e2e skipped: no Chromium at ${CHROMIUM} (install it with .ci/chromium.sh, or set SLUICE_CHROMIUM)`

interface OrderView {
  order: { id: string; kind: string }
  status: string
}

describe.skipIf(!HAVE_CHROMIUM)('console orders in headless Chromium', () => {
  let t: TestNode
  let adminKey: string
  let context: BrowserContext
  let page: Page
  let profile: string
  let built: string
  const pageErrors: string[] = []

  const admin = async <T>(path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${t.url}/admin/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    if (!res.ok) throw new Error(`admin/${path} answered ${res.status}: ${await res.text()}`)
    return (await res.json()) as T
  }
  const suspend = async (partner: string, effectiveFrom?: Date): Promise<string> =>
    (
      await admin<{ id: string }>('orders/suspend', {
        partner,
        reason: 'set up by the test',
        ...(effectiveFrom ? { effective_from: effectiveFrom.toISOString() } : {}),
      })
    ).id
  const lift = (id: string) => admin(`orders/${encodeURIComponent(id)}/resume`, { reason: 'test done' })
  const suspensions = async () =>
    (await admin<OrderView[]>('orders')).filter((v) => v.order.kind === 'suspension').length
  const openFlows = async () => {
    await page.goto(`${t.url}/console/`)
    await page.locator('#flows-matrix').waitFor()
    await page.locator('section[aria-labelledby="orders-title"] h2').waitFor()
  }
  const issueDialog = async (partner: string) => {
    await page.getByRole('button', { name: 'Issue an order…' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByLabel('Partner', { exact: true }).selectOption(partner)
    return dialog
  }
  const validationMessage = (field: ReturnType<Page['locator']>) =>
    field.evaluate((f) => (f as unknown as { validationMessage: string }).validationMessage)

  beforeAll(async () => {
    built = await buildConsole()
    process.env.SLUICE_CONSOLE_DIR = built
    t = await startTestNode()
    adminKey = (await seedDemo(t.node.services)).adminKey
    ;({ context, profile, page } = await launchPage(pageErrors))
    await page.goto(`${t.url}/console/`)
    await page.getByLabel('API key').fill(adminKey)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.locator('#flows-matrix').waitFor()
  }, 120_000)

  afterAll(async () => {
    await context?.close()
    await t?.stop()
    delete process.env.SLUICE_CONSOLE_DIR
    for (const dir of [profile, built]) if (dir) rmSync(dir, { recursive: true, force: true })
  })

  describe('a "takes effect" time Date cannot read', () => {
    it('is refused before the preview in the suspension dialog, never sent as "now"', async () => {
      await openFlows()
      const dialog = await issueDialog('southern')
      const when = dialog.getByLabel('Takes effect')
      await dialog.getByLabel('Reason (recorded in the ledger)').fill('a reason')
      for (const value of ['20000-01-01T00:00', '275760-09-13T00:00']) {
        await when.fill(value)
        await dialog.getByRole('button', { name: 'Preview effect' }).click()
        await expect(validationMessage(when)).resolves.toMatch(/four-digit year/)
        await expect(dialog.locator('#impact-summary').count()).resolves.toBe(0)
        await expect(dialog.getByRole('button', { name: 'Confirm order' }).isDisabled()).resolves.toBe(true)
      }
      // empty is documented as now, and previews as such
      await when.fill('')
      await dialog.getByRole('button', { name: 'Preview effect' }).click()
      await dialog.locator('#impact-summary').waitFor()
      await dialog.getByRole('button', { name: 'Cancel', exact: true }).click()
      await dialog.waitFor({ state: 'detached' })
    })

    it('is refused in the resumption dialog too', async () => {
      const id = await suspend('imac')
      await openFlows()
      await page.locator(`#active-orders li[data-order="${id}"] button.resume`).click()
      const dialog = page.getByRole('dialog')
      const when = dialog.getByLabel('Takes effect')
      await when.fill('20000-01-01T00:00')
      await dialog.getByLabel('Reason (recorded in the ledger)').fill('a reason')
      await dialog.getByRole('button', { name: 'Preview effect' }).click()
      await expect(validationMessage(when)).resolves.toMatch(/four-digit year/)
      await expect(dialog.locator('#impact-summary').count()).resolves.toBe(0)
      await dialog.getByRole('button', { name: 'Cancel', exact: true }).click()
      await lift(id)
    })
  })

  describe('the orders panel and the clock', () => {
    it('shows a scheduled order as active once its start has passed, without a reload', async () => {
      const id = await suspend('northland', new Date(Date.now() + 4_000))
      await openFlows()
      const row = page.locator(`#active-orders li[data-order="${id}"]`)
      await expect(row.locator('.badge').textContent()).resolves.toBe('scheduled')
      await expect(row.locator('button.resume').textContent()).resolves.toBe('Cancel…')
      // the start passes between two polls (every 4 s)
      await expect.poll(() => row.locator('.badge').textContent(), { timeout: 15_000 }).toBe('active')
      await expect(row.locator('button.resume').textContent()).resolves.toBe('Resume…')
      await lift(id)
    })
  })

  describe('the node back in reach', () => {
    it('clears "the node cannot be reached" at the next successful poll', async () => {
      await openFlows()
      await page.route('**/console-api/flows', (route) => route.abort())
      const error = page.getByRole('alert').filter({ hasText: 'The node cannot be reached' })
      await error.waitFor()
      expect(await page.locator('#flows-matrix').count()).toBe(0)
      await page.unroute('**/console-api/flows')
      await page.locator('#flows-matrix').waitFor()
      expect(await error.count()).toBe(0)
    })
  })

  describe('Enter in a field of the order dialog', () => {
    it('never confirms the order; Tab to Confirm and Enter does', async () => {
      await openFlows()
      const before = await suspensions()
      const dialog = await issueDialog('southern')
      await dialog.getByLabel('Reason (recorded in the ledger)').fill('keyboard only')
      await dialog.getByRole('button', { name: 'Preview effect' }).click()
      await dialog.locator('#impact-summary').waitFor()
      const confirm = dialog.getByRole('button', { name: 'Confirm order' })
      await expect(confirm.isEnabled()).resolves.toBe(true)
      await dialog.getByLabel('Reference (optional)').press('Enter')
      await page.waitForTimeout(300)
      expect(await suspensions()).toBe(before)
      expect(await dialog.count()).toBe(1)
      // Enter previewed again, so Confirm still sends what the officer saw
      await dialog.locator('#impact-summary').waitFor()
      await expect(confirm.isEnabled()).resolves.toBe(true)
      await dialog.getByRole('button', { name: 'Preview effect' }).focus()
      await page.keyboard.press('Tab')
      await expect(page.evaluate('document.activeElement?.id')).resolves.toBe('confirm-order')
      await page.keyboard.press('Enter')
      await dialog.waitFor({ state: 'detached' })
      await expect.poll(suspensions).toBe(before + 1)
      const issued = (await admin<OrderView[]>('orders')).filter(
        (v) => v.order.kind === 'suspension' && v.status === 'active',
      )
      for (const v of issued) await lift(v.order.id)
    })
  })

  describe('cancelling an order not yet in force', () => {
    it('says cancel, not resume, in the dialog, its preview and the partner page', async () => {
      const id = await suspend('isles', new Date(Date.now() + 3_600_000))
      await openFlows()
      await page
        .getByRole('button', { name: /^Cancel the scheduled order for Isles Coast Guard: all sharing$/ })
        .click()
      const dialog = page.getByRole('dialog')
      await dialog.getByRole('heading', { name: 'Cancel the scheduled order' }).waitFor()
      expect(await dialog.getByLabel('Takes effect').count()).toBe(0)
      await dialog.getByLabel('Reason (recorded in the ledger)').fill('no longer needed')
      await dialog.getByRole('button', { name: 'Preview effect' }).click()
      const summary = (await dialog.locator('#impact-summary').textContent()) ?? ''
      expect(summary).toMatch(
        /^The order has not taken effect: cancelling it changes nothing Isles Coast Guard receives now/,
      )
      expect(summary).not.toMatch(/regains/)
      await dialog.getByRole('button', { name: 'Confirm cancellation' }).click()
      await dialog.waitFor({ state: 'detached' })
      await expect.poll(() => page.locator(`#active-orders li[data-order="${id}"]`).count()).toBe(0)
      await page.goto(`${t.url}/console/partners/isles`)
      const cancelled = page.locator('.order-list li', { has: page.locator('.badge.order-cancelled') })
      await expect(cancelled.locator('.lift').textContent()).resolves.toMatch(
        /^Cancelled by .+: “no longer needed”$/,
      )
    })
  })

  describe('a path that is not valid percent-encoding', () => {
    it('shows "Page not found"', async () => {
      await page.goto(`${t.url}/console/partners/%E0%A4%A`)
      await page.getByRole('heading', { name: 'Page not found', level: 1 }).waitFor()
    })
  })

  describe('navigating away from an open order dialog', () => {
    it('closes the dialog, so it never covers the next page', async () => {
      await openFlows()
      await page.getByRole('link', { name: 'Isles Coast Guard' }).first().click()
      await page.getByRole('button', { name: 'Issue an order for Isles Coast Guard…' }).click()
      await page.getByRole('dialog').waitFor()
      await page.goBack()
      await page.locator('#flows-matrix').waitFor()
      expect(await page.getByRole('dialog').count()).toBe(0)
      await page.getByRole('button', { name: 'Issue an order…' }).click()
      await expect(page.getByRole('dialog').count()).resolves.toBe(1)
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel', exact: true }).click()
    })
  })

  describe('a reason or reference the node would refuse', () => {
    it('is held to the node’s limits and refused before the preview', async () => {
      await openFlows()
      const dialog = await issueDialog('southern')
      const reason = dialog.getByLabel('Reason (recorded in the ledger)')
      const reference = dialog.getByLabel('Reference (optional)')
      expect(await reason.getAttribute('maxlength')).toBe('2000')
      expect(await reference.getAttribute('maxlength')).toBe('200')
      await reason.fill('r'.repeat(2100))
      expect((await reason.inputValue()).length).toBe(2000)
      await reference.fill('x'.repeat(250))
      expect((await reference.inputValue()).length).toBe(200)
      for (const value of ['case\t42', 'case\u000742', '\u202Ecase 42']) {
        await reference.fill(value)
        await dialog.getByRole('button', { name: 'Preview effect' }).click()
        await expect(validationMessage(reference)).resolves.toMatch(/one line of printable characters/)
        await expect(dialog.locator('#impact-summary').count()).resolves.toBe(0)
      }
      await reference.fill('case 42')
      await dialog.getByRole('button', { name: 'Preview effect' }).click()
      await dialog.locator('#impact-summary').waitFor()
      await dialog.getByRole('button', { name: 'Cancel', exact: true }).click()
      expect(pageErrors).toEqual([])
    })
  })

  describe('a partner with every kind of agreement term', () => {
    const partnerPage = async (id: string) => {
      await page.goto(`${t.url}/console/partners/${id}`)
      await page.getByRole('heading', { name: 'Agreements' }).waitFor()
    }

    beforeAll(async () => {
      await admin('partners', { id: 'terms-police', name: 'Terms Police', kind: 'police' })
      await admin('agreements', {
        partner: 'terms-police',
        max_tlp: 'green',
        default_tlp: 'clear',
        required_labels: ['shareable'],
        forbidden_markings: [DEMO_CAVEATS.H0],
        admiralty_reliability: ['A', 'B'],
        ungraded: 'deny',
        valid_until: '2040-01-01T00:00:00.000Z',
      })
      await admin('partners', { id: 'no-terms', name: 'Unagreed Customs', kind: 'customs' })
    })

    it('shows each term of the agreement on the partner page, markings by label', async () => {
      await partnerPage('terms-police')
      const terms = page.locator('#agreements tr.other-terms td')
      await expect(terms.getAttribute('headers')).resolves.toBe('agreement-0 agreement-0-terms')
      const items = await terms.locator('li').allTextContents()
      expect(items).toEqual([
        'Objects without TLP count as TLP:CLEAR',
        'Requires labels: shareable',
        'Forbids markings: Handling code H0',
        'Admiralty: reliability A, B; ungraded withheld',
        'Valid until 2040-01-01 00:00 UTC',
      ])
      await expect(terms.locator('.chip').getAttribute('title')).resolves.toBe(DEMO_CAVEATS.H0)
    })

    it('starts the Flows dialog on no partner: Preview without choosing is refused, nothing is sent', async () => {
      await openFlows()
      const sent: string[] = []
      const track = (request: { url(): string }) => sent.push(request.url())
      page.on('request', track)
      await page.getByRole('button', { name: 'Issue an order…' }).click()
      const dialog = page.getByRole('dialog')
      const select = dialog.getByLabel('Partner', { exact: true })
      await expect(select.inputValue()).resolves.toBe('')
      await expect(select.locator('option:checked').textContent()).resolves.toBe('Choose a partner')
      await dialog.getByLabel('Reason (recorded in the ledger)').fill('nobody chosen')
      await dialog.getByRole('button', { name: 'Preview effect' }).click()
      await expect(validationMessage(select)).resolves.not.toBe('')
      await page.waitForTimeout(300)
      page.off('request', track)
      expect(sent.filter((url) => url.includes('/impact/') || url.includes('/orders/'))).toEqual([])
      await expect(dialog.locator('#impact-summary').count()).resolves.toBe(0)
      await expect(dialog.getByRole('button', { name: 'Confirm order' }).isDisabled()).resolves.toBe(true)
      await dialog.getByRole('button', { name: 'Cancel', exact: true }).click()
      // opened for one partner, the dialog names it
      await partnerPage('terms-police')
      await page.getByRole('button', { name: 'Issue an order for Terms Police…' }).click()
      await expect(
        page.getByRole('dialog').getByLabel('Partner', { exact: true }).inputValue(),
      ).resolves.toBe('terms-police')
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel', exact: true }).click()
    })

    it('heads a criterion left out as a form to check, not as a failure', async () => {
      await openFlows()
      const dialog = await issueDialog('terms-police')
      await dialog.getByLabel('Suspend only part of it').check()
      await dialog.getByLabel('Reason (recorded in the ledger)').fill('no criterion')
      await dialog.getByRole('button', { name: 'Preview effect' }).click()
      const alert = dialog.getByRole('alert')
      await expect(alert.locator('strong').textContent()).resolves.toBe('Check the form')
      await expect(alert.textContent()).resolves.toContain('Choose at least one criterion')
      await dialog.getByRole('button', { name: 'Cancel', exact: true }).click()
    })

    it('says on the page that the order went out, and why nothing is shared while it holds', async () => {
      await openFlows()
      const dialog = await issueDialog('terms-police')
      await dialog.getByLabel('Reason (recorded in the ledger)').fill('whole suspension')
      await dialog.getByRole('button', { name: 'Preview effect' }).click()
      await dialog.locator('#impact-summary').waitFor()
      await dialog.getByRole('button', { name: 'Confirm order' }).click()
      await dialog.waitFor({ state: 'detached' })
      const notice = page.getByRole('status').filter({ hasText: 'Order issued' })
      await expect(notice.textContent()).resolves.toMatch(
        /^Order issued: Terms Police, all sharing\.Dismiss$/,
      )
      expect(await notice.isVisible()).toBe(true)
      await expect(page.evaluate('document.activeElement?.id')).resolves.toBe('notice')
      const id = (await admin<OrderView[]>('orders?partner=terms-police')).find(
        (v) => v.order.kind === 'suspension' && v.status === 'active',
      )!.order.id
      await partnerPage('terms-police')
      await expect(page.locator('#nothing-shared').textContent()).resolves.toMatch(
        /^Nothing is shared with this partner now: all sharing is suspended by order order--.+ since .+ UTC\.$/,
      )
      await expect(page.locator('#nothing-shared code').getAttribute('title')).resolves.toBe(id)
      await page.getByRole('button', { name: 'Resume sharing: all sharing' }).click()
      const resume = page.getByRole('dialog')
      await resume.getByLabel('Reason (recorded in the ledger)').fill('done')
      await resume.getByRole('button', { name: 'Preview effect' }).click()
      await resume.locator('#impact-summary').waitFor()
      await resume.getByRole('button', { name: 'Confirm resumption' }).click()
      await resume.waitFor({ state: 'detached' })
      const lifted = page.getByRole('status').filter({ hasText: 'Suspension lifted' })
      await expect(lifted.textContent()).resolves.toMatch(
        /^Suspension lifted: Terms Police, all sharing\.Dismiss$/,
      )
      expect(await lifted.isVisible()).toBe(true)
    })

    it('tells a wholly suspended partner, on its own page, that nothing is shared and why', async () => {
      const id = await suspend('terms-police')
      const { apiKey } = await createPrincipal(t.node.store, {
        name: 'Terms Police desk',
        role: 'partner',
        partnerId: 'terms-police',
      })
      // a tab of its own: its own session, so the admin's stays signed in for the tests after it
      const own = await context.newPage()
      try {
        await own.goto(`${t.url}/console/`)
        await own.getByLabel('API key').fill(apiKey)
        await own.getByRole('button', { name: 'Sign in' }).click()
        await own.locator('#flows-matrix').waitFor()
        await own.goto(`${t.url}/console/partners/terms-police`)
        await expect(own.locator('#nothing-shared').textContent()).resolves.toMatch(
          /^Nothing is shared with you now: all sharing is suspended by order order--.+ since .+ UTC\.$/,
        )
        expect(await own.locator('#preview-allowed').textContent()).toBe('0')
      } finally {
        await own.close()
        await lift(id)
      }
    })

    it('says plainly that nothing is shared with a partner that has no agreement', async () => {
      await partnerPage('no-terms')
      await expect(page.locator('#nothing-shared').textContent()).resolves.toBe(
        'Nothing is shared with this partner now.',
      )
      expect(pageErrors).toEqual([])
    })
  })
})

if (!HAVE_CHROMIUM) {
  describe('console orders in headless Chromium', () => {
    it.skip(SKIP, () => {})
  })
}
