import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * What handlers learn about a request that the access log and metrics want:
 * the route template (bounded, unlike raw paths) and who was authenticated.
 * Kept beside the request objects, so nothing else has to carry it.
 */
export interface RequestNotes {
  route?: string
  principalId?: string
  role?: string
  /** How the principal proved itself. */
  via?: 'api-key' | 'client-certificate'
}

const notes = new WeakMap<IncomingMessage | ServerResponse, RequestNotes>()

export function noteRequest(target: IncomingMessage | ServerResponse, add: RequestNotes): void {
  notes.set(target, { ...notes.get(target), ...add })
}

export function requestNotes(req: IncomingMessage, res: ServerResponse): RequestNotes {
  return { ...notes.get(req), ...notes.get(res) }
}

/** A request the HTTP parser refused: there is no method, path or principal to report, only this. */
export interface RefusedRequest {
  requestId: string
  status: number
  errorCode: string
  remote: string | undefined
}
