import type { AddressInfo } from 'node:net'
import { dirname, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createLogger, isLogLevel } from '../../ops/logger.js'
import { checkPortFree } from '../../ops/port-check.js'
import type { RateLimit } from '../../ops/rate-limit.js'
import { TlsSetupError } from '../../ops/tls-check.js'
import { createNode } from '../../server/node.js'
import { holdServingLock, storeLocation } from '../../store/open.js'
import { envSwitch } from '../env-switch.js'
import { CliError } from '../errors.js'
import { dataLocation, integer, parse } from '../options.js'

const HELP = `Usage: sluice serve [--host H] [--port P] [--public-url URL] [--demo] [--data DIR] [--db LOCATION]
                    [--max-content-length BYTES] [--max-page-size N] [--partner-rate N [--partner-burst N]]

  --host              listen address (env SLUICE_HOST, default 127.0.0.1)
  --port              listen port (env SLUICE_PORT, default 8021; 0 picks a free one)
  --public-url        base URL clients use, for discovery links (env SLUICE_PUBLIC_URL)
  --demo              seed the fictional demo world on first start; print fresh admin and partner
                      API keys on every start
  --max-content-length  largest request body in bytes (default 33554432)
  --max-page-size     largest page of objects (default 1000)
  --partner-rate N    each partner may make N requests a second on average, over every API, by all
                      its keys together; more get a 429 with Retry-After (env SLUICE_PARTNER_RATE;
                      default no limit; per process)
  --partner-burst N   and up to N at once (env SLUICE_PARTNER_BURST; default twice the rate)
  --tls-cert FILE     serve HTTPS with this PEM certificate chain (env SLUICE_TLS_CERT)
  --tls-key FILE      and this PEM private key (env SLUICE_TLS_KEY)
  --mtls              ask clients for a certificate; one bound with "sluice keys bind-cert" authenticates
  --tls-client-ca FILE  accept client certificates only if they chain to these CAs (implies --mtls)
  --four-eyes         lifting a suspension or widening an agreement waits for a second officer (env SLUICE_FOUR_EYES=1)
  --no-federation     do not run feeds and pushes in this process (run them in exactly one
                      process of a node with several; env SLUICE_FEDERATION=off)
  --ledger-writer     record large partner pages in the ledger on a second thread: more read
                      throughput, more memory (env SLUICE_LEDGER_WRITER=on; see docs/DEPLOYMENT.md)
  --log-level LEVEL   debug, info, warn, error or silent (env SLUICE_LOG_LEVEL, default info); JSON lines on stdout`

/** The --data / --db flags this node was started with, for a command to run against it. */
/**
 * The flags another command needs to reach this node, for the hints serve prints. A database named in the
 * environment is named by its variable, so no password is printed and the hint works where serve's does.
 */
function dataFlags(values: {
  data?: string | boolean | undefined
  db?: string | boolean | undefined
}): string {
  const flag = (name: string, value: string | boolean | undefined) =>
    typeof value === 'string' ? ` --${name} ${/\s/.test(value) ? JSON.stringify(value) : value}` : ''
  const db =
    typeof values.db === 'string' ? flag('db', values.db) : process.env.SLUICE_DB ? ' --db "$SLUICE_DB"' : ''
  return flag('data', typeof values.data === 'string' ? values.data : process.env.SLUICE_DATA) + db
}

/**
 * How to run the CLI from where `serve` was started: `npx sluice` finds this package's command only inside
 * the package (elsewhere it would look the name up on the npm registry), so outside it the script is named.
 */
function cliCommand(): string {
  const main = fileURLToPath(new URL('../main.js', import.meta.url))
  const root = resolve(dirname(main), '..', '..', '..')
  const here = resolve(process.cwd())
  return here === root || here.startsWith(`${root}${sep}`) ? 'npx sluice' : `node ${main}`
}

function rateLimit(rate: string | undefined, burst: string | undefined): RateLimit | undefined {
  const perSecond = integer(rate, 'partner-rate', { max: 1_000_000 })
  if (perSecond === undefined) {
    if (burst !== undefined) throw new CliError('--partner-burst needs --partner-rate', 2)
    return undefined
  }
  return { perSecond, burst: integer(burst, 'partner-burst', { max: 1_000_000 }) ?? 2 * perSecond }
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
      'partner-rate': { type: 'string' },
      'partner-burst': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-client-ca': { type: 'string' },
      mtls: { type: 'boolean' },
      'four-eyes': { type: 'boolean' },
      'no-federation': { type: 'boolean' },
      'ledger-writer': { type: 'boolean' },
      'log-level': { type: 'string' },
    },
    0,
  )
  if (values.help) {
    process.stdout.write(`${HELP}\n`)
    return
  }
  const host = values.host ?? process.env.SLUICE_HOST ?? '127.0.0.1'
  const port = integer(values.port ?? process.env.SLUICE_PORT ?? '8021', 'port', { min: 0, max: 65_535 })!
  const publicUrl = values['public-url'] ?? process.env.SLUICE_PUBLIC_URL
  if (publicUrl !== undefined && !/^https?:\/\/[^/]+/.test(publicUrl))
    throw new CliError('--public-url must be an http(s) URL', 2)
  const maxContentLength = integer(values['max-content-length'], 'max-content-length')
  const maxPageSize = integer(values['max-page-size'], 'max-page-size')
  const partnerRateLimit = rateLimit(
    values['partner-rate'] ?? process.env.SLUICE_PARTNER_RATE,
    values['partner-burst'] ?? process.env.SLUICE_PARTNER_BURST,
  )
  const tlsCert = values['tls-cert'] ?? process.env.SLUICE_TLS_CERT
  const tlsKey = values['tls-key'] ?? process.env.SLUICE_TLS_KEY
  if ((tlsCert === undefined) !== (tlsKey === undefined))
    throw new CliError('--tls-cert and --tls-key go together', 2)
  if (!tlsCert && (values.mtls || values['tls-client-ca']))
    throw new CliError('--mtls needs --tls-cert and --tls-key', 2)
  const level = values['log-level'] ?? process.env.SLUICE_LOG_LEVEL ?? 'info'
  if (!isLogLevel(level)) throw new CliError('--log-level must be debug, info, warn, error or silent', 2)
  const fourEyes = values['four-eyes'] === true || envSwitch('SLUICE_FOUR_EYES') === true
  const federation = !(values['no-federation'] === true || envSwitch('SLUICE_FEDERATION') === false)
  const ledgerWriter = values['ledger-writer'] === true || envSwitch('SLUICE_LEDGER_WRITER') === true
  const tls =
    tlsCert && tlsKey
      ? {
          certFile: tlsCert,
          keyFile: tlsKey,
          ...(values.mtls ? { clientCertificates: true } : {}),
          ...(values['tls-client-ca'] ? { clientCaFile: values['tls-client-ca'] } : {}),
        }
      : undefined
  const location = dataLocation(values)
  if (port !== 0)
    await checkPortFree(port, host).catch((error: Error) => {
      throw new CliError(`cannot listen on ${host}:${port}: ${error.message}`)
    })
  // held until the process ends: a second serve, or a restore, on this SQLite database is refused meanwhile
  const lock = holdServingLock(storeLocation(location.db, location.dataDir), 'serve')
  const node = await createNode({
    ...location,
    taxii: {
      ...(publicUrl ? { publicUrl } : {}),
      ...(maxContentLength ? { maxContentLength } : {}),
      ...(maxPageSize ? { maxPageSize } : {}),
      ...(partnerRateLimit ? { partnerRateLimit } : {}),
    },
    logger: createLogger({ level }),
    ...(tls ? { tls } : {}),
    fourEyes,
    federation,
    ledgerWriter,
  }).catch((error: unknown) => {
    lock.release()
    if (error instanceof TlsSetupError) throw new CliError(error.message, 2)
    throw error
  })
  let url: string
  try {
    url = await node.listen(port, host)
  } catch (error) {
    await node.close()
    lock.release()
    throw new CliError(`cannot listen on ${host}:${port}: ${(error as Error).message}`)
  }
  // behind --public-url, several processes print one URL: where each listens tells them apart
  const bound = node.server.address() as AddressInfo
  const listening = publicUrl ? ` (listening on ${bound.address}:${bound.port})` : ''
  process.stdout.write(`Sluice is serving TAXII 2.1 at ${url}/taxii2/${listening}\n`)
  if (values.demo) {
    const { seedDemo } = await import('../../demo/seed.js')
    const seeded = await seedDemo(node.services)
    process.stdout.write(seeded.banner(url, `${cliCommand()} suspend northland${dataFlags(values)}`))
  } else if (
    !(await node.store.listPrincipals()).some((p) => p.role === 'admin' && p.revokedAt === undefined)
  ) {
    // a fresh node answers every request 401: say how to get in
    process.stdout.write(
      `No admin principal yet. Create one (its key is printed once): ${cliCommand()} principals create --name NAME --role admin${dataFlags(values)}; or start with --demo for the fictional demo world.\n`,
    )
  }
  const stop = () => {
    node.close().then(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
