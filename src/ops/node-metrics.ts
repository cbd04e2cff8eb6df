import type { IncomingMessage, ServerResponse } from 'node:http'
import type { PolicyService } from '../services/policy-service.js'
import type { Store } from '../store/types.js'
import { feedLags } from './feeds.js'
import type { Logger } from './logger.js'
import { type Counter, type Histogram, MetricsRegistry } from './metrics.js'
import { type RefusedRequest, requestNotes } from './request-context.js'

/** Receives what the disclosure gate decided, for counting; never the content. */
export interface GateObserver {
  disclosed(partnerId: string, count: number): void
  /** `count` versions withheld for `reason` (the first one a decision gives). */
  denied(partnerId: string, reason: string, count: number): void
}

export interface NodeMetrics {
  registry: MetricsRegistry
  requests: Counter
  latency: Histogram
  gate: GateObserver
  /** Counts a partner's request refused by the rate limit. */
  rateLimited: (partner: string) => void
}

const LATENCY_BOUNDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** The node's metrics: HTTP traffic, the gate's decisions, and store figures read at scrape time. */
export function nodeMetrics(store: Store, policy: PolicyService, version: string): NodeMetrics {
  const registry = new MetricsRegistry()
  const requests = registry.counter(
    'sluice_http_requests_total',
    'HTTP requests answered, by route template, method and status.',
    ['route', 'method', 'status'],
  )
  const latency = registry.histogram(
    'sluice_http_request_duration_seconds',
    'Time from request to the last byte of the response.',
    ['route', 'method', 'status'],
    LATENCY_BOUNDS,
  )
  const disclosures = registry.counter(
    'sluice_disclosures_total',
    'Object versions disclosed to partners (each one a ledger entry).',
    ['partner'],
  )
  const denials = registry.counter(
    'sluice_denials_total',
    'Object versions the policy decision withheld from partners after the store returned them, by the first reason.',
    ['partner', 'reason'],
  )
  const limited = registry.counter(
    'sluice_rate_limited_total',
    "Partners' requests refused with 429 for being over the node's rate limit (serve --partner-rate).",
    ['partner'],
  )
  const info = registry.gauge('sluice_build_info', 'The running version.', ['version'])
  info.set({ version }, 1)
  registry.collected('sluice_ledger_size', 'Entries in each ledger log.', async () =>
    (await store.ledgerLogs()).map((l) => ({ labels: { log: l.logId }, value: l.size })),
  )
  registry.collected('sluice_partners', 'Partners known to the node.', async () => [
    { labels: {}, value: (await policy.history()).partners.length },
  ])
  registry.collected('sluice_active_orders', 'Suspension orders in force now.', async () => [
    { labels: {}, value: activeOrders(await policy.history(), new Date().toISOString()) },
  ])
  registry.collected(
    'sluice_feed_lag_seconds',
    'Seconds since each federation feed last caught up with its remote collection.',
    async () =>
      (await feedLags(store)).flatMap((f) =>
        f.lagSeconds === undefined
          ? []
          : [{ labels: { feed: f.id, partner: f.partnerId }, value: f.lagSeconds }],
      ),
  )
  registry.collected(
    'sluice_feed_up',
    'Federation feeds by health status (1 for the current status).',
    async () => (await feedLags(store)).map((f) => ({ labels: { feed: f.id, status: f.status }, value: 1 })),
  )
  registry.collected('sluice_process_resident_memory_bytes', 'Resident set size.', async () => [
    { labels: {}, value: process.memoryUsage().rss },
  ])
  registry.collected('sluice_process_uptime_seconds', 'Seconds since the process started.', async () => [
    { labels: {}, value: Math.round(process.uptime()) },
  ])
  return {
    registry,
    requests,
    latency,
    gate: {
      disclosed: (partner, count) => disclosures.inc({ partner }, count),
      denied: (partner, reason, count) => denials.inc({ partner, reason }, count),
    },
    rateLimited: (partner) => limited.inc({ partner }),
  }
}

/** Suspensions in force at `instant`: effective, and not lifted by a resumption in effect. */
export function activeOrders(
  history: Awaited<ReturnType<PolicyService['history']>>,
  instant: string,
): number {
  const t = Date.parse(instant)
  const lifted = new Set(
    history.orders
      .filter((o) => o.kind === 'resumption' && Date.parse(o.effective_from) <= t)
      .map((o) => (o as { lifts: string }).lifts),
  )
  return history.orders.filter(
    (o) => o.kind === 'suspension' && Date.parse(o.effective_from) <= t && !lifted.has(o.id),
  ).length
}

/**
 * Wraps the listener so every response is counted, timed and logged once,
 * with its request id. Route labels come from the handlers (templates, never
 * raw paths), so a scan of random URLs cannot blow up the series count.
 */
export function observeRequests(metrics: NodeMetrics, logger: Logger, mounted: ReadonlySet<string>) {
  return (req: IncomingMessage, res: ServerResponse, url: URL | undefined): void => {
    const started = process.hrtime.bigint()
    let done = false
    const finish = (outcome: 'finished' | 'aborted') => {
      if (done) return
      done = true
      const seconds = Number(process.hrtime.bigint() - started) / 1e9
      const notes = requestNotes(req, res)
      const first = url?.pathname.split('/')[1] ?? ''
      const route = notes.route ?? (mounted.has(first) ? `/${first}` : 'unmatched')
      const status = outcome === 'finished' ? String(res.statusCode) : 'aborted'
      const method = METHODS.has(req.method ?? '') ? req.method! : 'OTHER'
      metrics.requests.inc({ route, method, status })
      metrics.latency.observe({ route, method, status }, seconds)
      const fields = {
        requestId: String(res.getHeader('x-request-id') ?? ''),
        method,
        path: url?.pathname.slice(0, 512) ?? '(unparsable)',
        route,
        status: outcome === 'finished' ? res.statusCode : 0,
        ms: Math.round(seconds * 1e6) / 1e3,
        // a HEAD answer declares the length of the body it does not send
        bytesOut: method === 'HEAD' ? 0 : Number(res.getHeader('content-length') ?? 0),
        remote: req.socket.remoteAddress,
        ...(notes.principalId ? { principal: notes.principalId, role: notes.role, via: notes.via } : {}),
        ...(outcome === 'aborted' ? { aborted: true } : {}),
      }
      if (outcome === 'finished' && res.statusCode >= 500) logger.error('request', fields)
      else logger.info('request', fields)
    }
    res.once('finish', () => finish('finished'))
    res.once('close', () => finish(res.writableFinished ? 'finished' : 'aborted'))
  }
}

/**
 * Requests Node's parser refused (over-long headers, not HTTP, too slow): counted and logged like others,
 * under the route `unparsed`, so a flood of them shows in the metrics and the log.
 */
export function refusedRequests(metrics: NodeMetrics, logger: Logger) {
  return (refused: RefusedRequest): void => {
    const labels = { route: 'unparsed', method: 'OTHER', status: String(refused.status) }
    metrics.requests.inc(labels)
    logger.info('request', {
      requestId: refused.requestId,
      method: 'OTHER',
      path: '(unparsed)',
      route: 'unparsed',
      status: refused.status,
      errorCode: refused.errorCode,
      remote: refused.remote,
    })
  }
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'])
