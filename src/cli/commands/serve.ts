import { createNode } from '../../server/node.js'
import { CliError } from '../errors.js'
import { dataLocation, parse } from '../options.js'

const HELP = `Usage: sluice serve [--host H] [--port P] [--public-url URL] [--demo] [--data DIR] [--db LOCATION]
                    [--max-content-length BYTES] [--max-page-size N]

  --host              listen address (env SLUICE_HOST, default 127.0.0.1)
  --port              listen port (env SLUICE_PORT, default 8021; 0 picks a free one)
  --public-url        base URL clients use, for discovery links (env SLUICE_PUBLIC_URL)
  --demo              seed the fictional demo world on first start and print an admin key
  --max-content-length  largest request body in bytes (default 33554432)
  --max-page-size     largest page of objects (default 1000)`

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new CliError(`--${flag} must be a non-negative integer`, 2)
  return n
}

export async function run(args: string[]): Promise<void> {
  const { values } = parse(
    args,
    {
      host: { type: 'string' },
      port: { type: 'string' },
      'public-url': { type: 'string' },
      demo: { type: 'boolean' },
      'max-content-length': { type: 'string' },
      'max-page-size': { type: 'string' },
    },
    false,
  )
  if (values.help) {
    process.stdout.write(`${HELP}\n`)
    return
  }
  const host = values.host ?? process.env.SLUICE_HOST ?? '127.0.0.1'
  const port = positiveInt(values.port ?? process.env.SLUICE_PORT ?? '8021', 'port')!
  const publicUrl = values['public-url'] ?? process.env.SLUICE_PUBLIC_URL
  if (publicUrl !== undefined && !/^https?:\/\/[^/]+/.test(publicUrl))
    throw new CliError('--public-url must be an http(s) URL', 2)
  const maxContentLength = positiveInt(values['max-content-length'], 'max-content-length')
  const maxPageSize = positiveInt(values['max-page-size'], 'max-page-size')
  const node = await createNode({
    ...dataLocation(values),
    taxii: {
      ...(publicUrl ? { publicUrl } : {}),
      ...(maxContentLength ? { maxContentLength } : {}),
      ...(maxPageSize ? { maxPageSize } : {}),
    },
  })
  let url: string
  try {
    url = await node.listen(port, host)
  } catch (error) {
    await node.store.close()
    throw new CliError(`cannot listen on ${host}:${port}: ${(error as Error).message}`)
  }
  process.stdout.write(`Sluice is serving TAXII 2.1 at ${url}/taxii2/\n`)
  if (values.demo) {
    const { seedDemo } = await import('../../demo/seed.js')
    const seeded = await seedDemo(node.services)
    process.stdout.write(seeded.banner(url))
  }
  const stop = () => {
    node.close().then(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
