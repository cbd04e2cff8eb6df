import { rmSync } from 'node:fs'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seedDemo } from '../../src/demo/seed.js'
import { startTestNode, type TestNode } from '../helpers/node.js'
import { buildConsole, CHROMIUM, HAVE_CHROMIUM, launch } from './helpers.js'

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
    ;({ context, profile } = await launch())
    page = context.pages()[0] ?? (await context.newPage())
    page.setDefaultTimeout(15_000)
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await context.route(/^(?!http:\/\/127\.0\.0\.1)/, (route) => route.abort())
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
})

if (!HAVE_CHROMIUM) {
  describe('console orders in headless Chromium', () => {
    it.skip(SKIP, () => {})
  })
}
