/**
 * The most of one response body read from a peer or a node. A page of 10,000 typical objects is tens of
 * megabytes; the bound keeps a broken or hostile server from filling the reader's memory.
 */
export const MAX_RESPONSE_BYTES = 128 * 1024 * 1024

/** A response body, declared or sent, larger than the reader takes. */
export class ResponseTooLarge extends Error {
  constructor(status: number, max: number) {
    super(`the server answered ${status} with a body larger than ${max} bytes`)
  }
}

/** The body as text (UTF-8, a byte-order mark dropped, as `Response.text()`); throws ResponseTooLarge past `max`. */
export async function boundedText(res: Response, max = MAX_RESPONSE_BYTES): Promise<string> {
  if (Number(res.headers.get('content-length') ?? 0) > max) {
    await res.body?.cancel()
    throw new ResponseTooLarge(res.status, max)
  }
  if (!res.body) return ''
  const chunks: Uint8Array[] = []
  let size = 0
  const reader = res.body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > max) {
      await reader.cancel()
      throw new ResponseTooLarge(res.status, max)
    }
    chunks.push(value)
  }
  return new TextDecoder().decode(Buffer.concat(chunks))
}
