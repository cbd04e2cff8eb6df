import type { IncomingMessage, ServerResponse } from 'node:http'
import { TaxiiError } from './errors.js'

export interface Reply {
  status: number
  body: string
  headers?: Record<string, string>
}

/** Reads the body, refusing it as soon as it passes the limit and rejecting bytes that are not UTF-8. */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > limit) throw tooLarge(limit)
    chunks.push(chunk as Buffer)
  }
  const bytes = Buffer.concat(chunks)
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new TaxiiError(400, 'Bad request', 'the body is not valid UTF-8', { errorCode: 'invalid-utf8' })
  }
}

function tooLarge(limit: number): TaxiiError {
  return new TaxiiError(
    413,
    'Payload too large',
    `request bodies are limited to ${limit} bytes (max_content_length)`,
    {
      errorCode: 'too-large',
    },
  )
}

export function send(res: ServerResponse, reply: Reply, contentType: string): void {
  if (res.headersSent) return
  // encode once: a page of objects is a megabyte, and measuring then writing the string encodes it twice
  const body = Buffer.from(reply.body, 'utf8')
  res.writeHead(reply.status, {
    // a reply without a body (a DELETE's) declares no media type a client would try to parse
    ...(body.length > 0 ? { 'Content-Type': contentType } : {}),
    'Content-Length': body.length,
    'Cache-Control': 'no-store',
    ...reply.headers,
  })
  res.end(body)
}

/** Answers with a TAXII error message (spec §3.6.1): the one error format of every API the node serves. */
export function sendError(res: ServerResponse, error: TaxiiError): void {
  send(res, { status: error.status, body: error.body(), headers: error.headers }, TaxiiError.contentType)
}
