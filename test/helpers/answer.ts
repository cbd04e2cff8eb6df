/** A response read whole, as the leak and scenario tests compare it. */
export interface Answer {
  status: number
  text: string
  body: any
  /** Every header but those that differ per request by design (`date`, `x-request-id`). */
  headers: Record<string, string>
}

/** Reads a response: its text, the JSON body when it parses (else undefined), and its stable headers. */
export async function readAnswer(res: Response): Promise<Answer> {
  const text = await res.text()
  const headers: Record<string, string> = {}
  res.headers.forEach((v, k) => {
    if (k !== 'date' && k !== 'x-request-id') headers[k] = v
  })
  let body: unknown
  try {
    body = text ? JSON.parse(text) : undefined
  } catch {
    body = undefined
  }
  return { status: res.status, text, body, headers }
}
