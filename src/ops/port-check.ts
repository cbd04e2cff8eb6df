import { createServer } from 'node:net'

/**
 * Binds and releases `host:port`, rejecting with the system's reason when it cannot be bound. A serve on a
 * busy port checks this before it opens the store, so a fresh data directory is not left with a database
 * and a node key but no node. Another process can still take the port between the check and the real
 * listen; that rarer case is refused by the listen itself.
 */
export function checkPortFree(port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()))
  })
}
