import { existsSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { dirname, extname, join, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { consoleRoutes } from '../taxii/admin/console-routes.js'
import { type JsonApiOptions, jsonApi } from '../taxii/admin/json-api.js'
import { send } from '../taxii/http-io.js'
import type { Mount } from './http-server.js'
import type { NodeServices } from './services.js'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
}

// Everything is bundled, so the page may load nothing from elsewhere.
const TEXT = 'text/plain; charset=utf-8'

const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
}

/**
 * Where the built console lives: `SLUICE_CONSOLE_DIR`, else `dist/console` next to the compiled server
 * (dist/src/server → dist/console) or, when running from source, under the repository's dist/.
 */
export function consoleDir(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url))
  const candidates = [
    process.env.SLUICE_CONSOLE_DIR,
    resolve(here, '../../console'),
    resolve(here, '../../dist/console'),
  ]
  return candidates.find((dir): dir is string => dir !== undefined && existsSync(join(dir, 'index.html')))
}

/** `/console/<path>` → a file under `root`, or undefined when the path escapes it or names no file. */
export async function resolveStatic(root: string, pathname: string): Promise<string | undefined> {
  let relative: string
  try {
    relative = decodeURIComponent(pathname.replace(/^\/console\/?/, ''))
  } catch {
    return undefined
  }
  if (relative.includes('\0')) return undefined
  const base = resolve(root)
  const file = resolve(base, `.${sep}${relative}`)
  if (file !== base && !file.startsWith(base + sep)) return undefined
  try {
    return (await stat(file)).isFile() ? file : undefined
  } catch {
    return undefined
  }
}

/** Serves the console's static files at `/console`; unknown paths without an extension get index.html (client routing). */
export function consoleStatic(dir: () => string | undefined = consoleDir) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const body = `${req.method} is not supported on the console's pages; use GET or HEAD\n`
      send(res, { status: 405, body, headers: { Allow: 'GET, HEAD', ...SECURITY_HEADERS } }, TEXT)
      return
    }
    if (url.pathname === '/console') {
      res.writeHead(308, { Location: '/console/' }).end()
      return
    }
    const root = dir()
    if (!root) {
      send(res, { status: 503, body: 'The console is not built: run "npm run build:web".\n' }, TEXT)
      return
    }
    let file = await resolveStatic(root, url.pathname)
    if (!file && extname(url.pathname) === '') file = join(root, 'index.html')
    if (!file) {
      send(res, { status: 404, body: 'Not found\n', headers: SECURITY_HEADERS }, TEXT)
      return
    }
    const body = await readFile(file)
    const hashed = file.includes(`${sep}assets${sep}`)
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': body.length,
      // hashed asset names change with their content; the page itself must always be fresh
      'Cache-Control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...SECURITY_HEADERS,
    })
    res.end(req.method === 'HEAD' ? undefined : body)
  }
}

/** The console's mounts: the page at `/console`, its API at `/console-api`. */
export function consoleMounts(services: NodeServices, options: JsonApiOptions = {}): Mount[] {
  return [
    { prefix: 'console', handle: consoleStatic() },
    {
      prefix: 'console-api',
      handle: jsonApi(services.store, 'console-api', consoleRoutes(services), options),
    },
  ]
}
