import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { expectStatus, type LoadResult, LoopbackClient, loadLoop } from './http.js'

/**
 * Runs a sequential GET loop on its own thread, so the client's parsing of large responses does
 * not share the server's event loop: on a 2-core machine this is what a separate load generator
 * does. The server still runs in the calling thread.
 */
interface ClientJob {
  baseUrl: string
  paths: string[]
  headers: Record<string, string>
  /** The status each path must answer (by index); 200 for all when absent. */
  expected?: number[]
}

export function getLoopOnThread(job: ClientJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: job })
    worker.once('message', (result: LoadResult) => resolve(result))
    worker.once('error', reject)
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`client thread exited with ${code}`))
    })
  })
}

if (!isMainThread && parentPort) {
  const job = workerData as ClientJob
  const client = new LoopbackClient(job.baseUrl, 1)
  loadLoop(client, {
    count: job.paths.length,
    maxMs: 300_000,
    concurrency: 1,
    make: (i) => ({ path: job.paths[i]!, headers: job.headers }),
    check: (res, i) => expectStatus(res, job.expected?.[i] ?? 200, `GET ${job.paths[i]}`),
  }).then(
    (result) => parentPort!.postMessage(result),
    (error: unknown) => {
      throw error
    },
  )
}
