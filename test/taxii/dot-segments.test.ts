/**
 * The URL parser resolves `.` and `..` segments, percent-encoded ones too, so `/intel/%2e%2e/admin/partners`
 * reached the admin API: a reverse proxy that lets only `/intel/` or `/healthz` through from outside could be
 * walked past. Such a path is refused before any route sees it.
 */
import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestNode, TAXII, type TestNode } from '../helpers/node.js'

let t: TestNode
beforeAll(async () => {
  t = await startTestNode()
})
afterAll(async () => t?.stop())

/** GET with the path exactly as written: fetch would resolve the dots before sending. */
function rawGet(path: string): Promise<{ status: number; type: string | undefined; body: string }> {
  const { hostname, port } = new URL(t.url)
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname, port, path, headers: { Authorization: `Bearer ${t.adminKey}`, Accept: TAXII } },
      (res) => {
        let body = ''
        res.on('data', (c) => {
          body += c
        })
        res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], body }))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

describe('dot segments in the request path', () => {
  it.each([
    '/intel/%2e%2e/admin/partners',
    '/intel/../admin/partners',
    '/healthz/%2E%2e/metrics',
    '/intel/collections/./',
    '/intel/.%2e/admin/partners?x=1',
    '/intel\\..\\admin/partners',
    // read as a host by the URL parser, so /intel/ behind a proxy that matches it reached /admin/
    '//intel/admin/partners',
    '/\\intel/admin/partners',
    '//healthz/admin/principals',
    '/intel\\admin/partners',
  ])('refuses %s with a TAXII 400', async (path) => {
    const res = await rawGet(path)
    expect(res.status).toBe(400)
    expect(res.type).toBe(TAXII)
    expect(JSON.parse(res.body)).toMatchObject({ error_code: 'bad-url', http_status: '400' })
  })

  it.each(['/intel/collections/', '/admin/partners', '/intel/collections/?q=../x'])(
    'still serves %s',
    async (path) => {
      expect((await rawGet(path)).status).toBe(200)
    },
  )
})
