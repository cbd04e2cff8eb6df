import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { type BrowserContext, chromium, type Page } from 'playwright-core'
import { TAXII } from '../helpers/node.js'

export const CHROMIUM = process.env.SLUICE_CHROMIUM ?? '/usr/bin/chromium'
export const HAVE_CHROMIUM = existsSync(CHROMIUM)
/** docs/screenshots when SLUICE_SCREENSHOTS=1 (to refresh the README's pictures), else a scratch directory. */
export const SCREENSHOTS =
  process.env.SLUICE_SCREENSHOTS === '1'
    ? resolve(import.meta.dirname, '../../docs/screenshots')
    : join(tmpdir(), 'sluice-console-screenshots')

/** Builds the console into a fresh directory, so the test never runs against a stale build. */
export async function buildConsole(): Promise<string> {
  const { build } = await import('vite')
  const outDir = mkdtempSync(join(tmpdir(), 'sluice-console-build-'))
  await build({
    configFile: resolve(import.meta.dirname, '../../vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, sourcemap: false },
  })
  return outDir
}

/** Debian's Chromium, headless, with a throw-away profile and nothing that phones home. */
export async function launch(): Promise<{ context: BrowserContext; profile: string }> {
  const profile = mkdtempSync(join(tmpdir(), 'sluice-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1360, height: 900 },
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  return { context, profile }
}

/**
 * A browser and its first page as every console test uses it: 15 s waits, no network but the node's own,
 * and the page's uncaught errors collected into `pageErrors`, which a test expects to stay empty.
 */
export async function launchPage(pageErrors: string[]): Promise<{
  context: BrowserContext
  profile: string
  page: Page
}> {
  const { context, profile } = await launch()
  const page = context.pages()[0] ?? (await context.newPage())
  page.setDefaultTimeout(15_000)
  page.on('pageerror', (error) => pageErrors.push(error.message))
  await context.route(/^(?!http:\/\/127\.0\.0\.1)/, (route) => route.abort())
  return { context, profile, page }
}

/** Every object a partner receives from one collection over TAXII, following `next`. */
interface TaxiiObject {
  id: string
  object_marking_refs?: string[]
  revoked?: boolean
}

export async function taxiiObjects(url: string, collectionId: string, key: string): Promise<TaxiiObject[]> {
  const out: TaxiiObject[] = []
  let next: string | undefined
  for (;;) {
    const q = new URLSearchParams({ limit: '1000', ...(next ? { next } : {}) })
    const res = await fetch(`${url}/intel/collections/${collectionId}/objects/?${q}`, {
      headers: { Accept: TAXII, Authorization: `Bearer ${key}` },
    })
    if (res.status === 404) return out
    if (res.status !== 200) throw new Error(`TAXII answered ${res.status}: ${await res.text()}`)
    const body = (await res.json()) as { objects?: TaxiiObject[]; more?: boolean; next?: string }
    out.push(...(body.objects ?? []))
    if (!body.more || !body.next) return out
    next = body.next
  }
}
