import { session } from './session.js'

/** A failed request, in the node's error shape (TAXII error message). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly description?: string,
  ) {
    super(description ? `${title}: ${description}` : title)
  }
}

/** Called when the node refuses the key, so the shell can return to the sign-in page. */
let onUnauthorized: () => void = () => {}
export function whenUnauthorized(fn: () => void): void {
  onUnauthorized = fn
}

async function request<T>(
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  key = session.key(),
): Promise<T> {
  let res: Response
  try {
    res = await fetch(path, {
      method,
      // no cookies and, above all, no browser password prompt on a 401 (the node offers Basic auth too)
      credentials: 'omit',
      headers: {
        Authorization: `Bearer ${key ?? ''}`,
        Accept: 'application/json',
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
  } catch {
    throw new ApiError(0, 'The node cannot be reached', 'check that it is running and try again')
  }
  const text = await res.text()
  let json: unknown
  try {
    json = text === '' ? undefined : JSON.parse(text)
  } catch {
    json = undefined
  }
  if (!res.ok) {
    const e = (json ?? {}) as { title?: string; description?: string }
    if (res.status === 401) onUnauthorized()
    throw new ApiError(res.status, e.title ?? `HTTP ${res.status}`, e.description)
  }
  return json as T
}

export const api = {
  get: <T>(path: string, key?: string) => request<T>('GET', path, undefined, key),
  post: <T>(path: string, body: unknown) => request<T>('POST', path, body),
}

/** Builds a query string from the set values only. */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v))
  const text = q.toString()
  return text ? `?${text}` : ''
}
