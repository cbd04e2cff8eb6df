import type { Store } from '../store/types.js'
import { type JsonRoute, queryParam } from '../taxii/admin/json-api.js'
import { badRequest, TaxiiError } from '../taxii/errors.js'
import {
  bindCertificate,
  type CertificateBinding,
  listCertificateBindings,
  unbindCertificate,
} from './client-cert.js'
import { CredentialError } from './credential-error.js'
import { listKeys, revokeKey, rotateKey } from './keys.js'
import { ALLOWED, roleList } from './roles.js'

/** A binding as the admin API answers with it: snake_case like the key listing beside it. */
function bindingView(b: CertificateBinding) {
  return {
    fingerprint: b.fingerprint,
    principal_id: b.principalId,
    subject: b.subject,
    ...(b.notAfter ? { not_after: b.notAfter } : {}),
    bound_at: b.boundAt,
    bound_by: b.boundBy,
  }
}

const missing = (message: string) => new TaxiiError(404, 'Not found', message, { errorCode: 'not-found' })

function translate<T>(work: () => Promise<T>): Promise<T> {
  return work().catch((error) => {
    if (!(error instanceof CredentialError)) throw error
    // every principal, key and fingerprint these routes act on is named in the path: a missing one is a 404
    throw error.missing ? missing(error.message) : badRequest(error.message, 'invalid-input')
  })
}

/**
 * Key and certificate lifecycle on the admin API: list keys with last use,
 * rotate with an overlap, revoke one key at once, bind client certificates.
 * Responses never carry a key's hash; a new key's token is shown once.
 */
export function keyRoutes(store: Store): JsonRoute[] {
  const roles = roleList(ALLOWED.principals)
  return [
    {
      method: 'GET',
      path: ['keys'],
      roles,
      handle: async ({ url }) => {
        const principalId = queryParam(url, 'principal')
        return listKeys(store, {
          ...(principalId ? { principalId } : {}),
          all: url.searchParams.get('all') === 'true',
        })
      },
    },
    {
      method: 'POST',
      path: ['principals', ':id', 'keys', 'rotate'],
      roles,
      body: { overlap_seconds: 'integer' },
      handle: async ({ params, body }) => {
        const overlap = body.overlap_seconds === undefined ? 86_400 : (body.overlap_seconds as number)
        const rotation = await translate(() => rotateKey(store, params.id!, overlap))
        return { api_key: rotation.token, key: rotation.key, retiring: rotation.retiring }
      },
    },
    {
      method: 'POST',
      path: ['keys', ':keyId', 'revoke'],
      roles,
      body: {},
      handle: async ({ params }) => translate(() => revokeKey(store, params.keyId!)),
    },
    {
      method: 'GET',
      path: ['certificates'],
      roles,
      handle: async ({ url }) =>
        (await listCertificateBindings(store, queryParam(url, 'principal'))).map(bindingView),
    },
    {
      method: 'POST',
      path: ['principals', ':id', 'certificates'],
      roles,
      body: { certificate: 'string' },
      handle: async ({ params, body, principal }) => {
        if (body.certificate === undefined) throw badRequest('certificate (PEM text) is required')
        const binding = await translate(() =>
          bindCertificate(store, params.id!, body.certificate as string, principal.name),
        )
        return bindingView(binding)
      },
    },
    {
      method: 'POST',
      path: ['certificates', ':fingerprint', 'unbind'],
      roles,
      body: {},
      handle: async ({ params }) => {
        if (!(await translate(() => unbindCertificate(store, params.fingerprint!))))
          throw missing('no binding for that fingerprint')
        return { unbound: params.fingerprint }
      },
    },
  ]
}
