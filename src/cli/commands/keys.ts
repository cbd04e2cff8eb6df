import {
  bindCertificate,
  FingerprintFormError,
  listCertificateBindings,
  unbindCertificate,
} from '../../auth/client-cert.js'
import { CredentialError } from '../../auth/credential-error.js'
import { listKeys, parseDuration, revokeKey, rotateKey } from '../../auth/keys.js'
import { PolicyInputError } from '../../services/policy-input.js'
import { CliError } from '../errors.js'
import { readUserFile } from '../files.js'
import { actionNames, actionOf, badValue, onlyFor, operand, parse, required } from '../options.js'
import { withStore } from '../store-session.js'

const HELP = `Usage:
  sluice keys list [--principal ID] [--all] [--json]
  sluice keys rotate PRINCIPAL_ID [--overlap 24h]
  sluice keys revoke KEY_ID
  sluice keys bind-cert PRINCIPAL_ID --cert FILE
  sluice keys unbind-cert FINGERPRINT
  sluice keys certs [--principal ID] [--json]

list     active keys (--all: also expired and revoked) with creation, expiry and last use
rotate   issues a new key, printed once; the principal's other keys keep working for the
         overlap (s, m, h or d; default 24h, 0 retires them at once)
revoke   stops one key at once; the principal's other keys keep working
bind-cert  a client certificate (PEM) that authenticates the principal over mutual TLS
Keys are never shown again after they are issued, and never logged.`

const ACTIONS = { list: 0, rotate: 1, revoke: 1, 'bind-cert': 1, 'unbind-cert': 1, certs: 0 } as const

export async function run(args: string[]): Promise<void> {
  const { values, positionals } = parse(
    args,
    {
      principal: { type: 'string' },
      all: { type: 'boolean' },
      json: { type: 'boolean' },
      overlap: { type: 'string' },
      cert: { type: 'string' },
    },
    ACTIONS,
  )
  const [given, target] = positionals
  if (values.help || !given) {
    process.stdout.write(`${HELP}\n`)
    if (values.help) return
  }
  const action = actionOf(given, actionNames(ACTIONS))
  onlyFor(values, action, {
    principal: ['list', 'certs'],
    all: ['list'],
    json: ['list', 'certs'],
    overlap: ['rotate'],
    cert: ['bind-cert'],
  })
  const overlap =
    parseDuration(values.overlap ?? '24h') ?? badValue('overlap', 'a duration such as 90s, 30m, 24h or 7d')
  // the certificate is read before the store is opened, so a wrong path is a usage error on any node
  const pem = action === 'bind-cert' ? readUserFile(required(values.cert, 'cert')) : undefined
  const out = (text: string) => process.stdout.write(text)
  await withStore(values, async (store) => {
    try {
      switch (action) {
        case 'list': {
          const keys = await listKeys(store, {
            ...(values.principal ? { principalId: values.principal } : {}),
            all: values.all === true,
          })
          if (values.json) return out(`${JSON.stringify(keys, null, 2)}\n`)
          if (keys.length === 0) return out('no keys\n')
          for (const k of keys) {
            out(
              `${k.key_id}  ${k.state.padEnd(8)}  ${k.principal_id}  created ${k.created_at}  last used ${k.last_used_at ?? 'never'}${k.expires_at ? `  expires ${k.expires_at}` : ''}${k.revoked_at ? `  revoked ${k.revoked_at}` : ''}\n`,
            )
          }
          return
        }
        case 'rotate': {
          const rotation = await rotateKey(store, operand(target, 'principal'), overlap)
          out(
            `new key id ${rotation.key.key_id}\napi key    ${rotation.token}\n(the key is shown once; store it now)\n`,
          )
          for (const r of rotation.retiring) out(`old key ${r.key_id} stops at ${r.expires_at}\n`)
          return
        }
        case 'revoke': {
          const revoked = await revokeKey(store, operand(target, 'key id'))
          out(`revoked key ${revoked.key_id} of ${revoked.principal_id}\n`)
          return
        }
        case 'bind-cert': {
          const binding = await bindCertificate(store, operand(target, 'principal'), pem!, 'cli')
          out(`bound ${binding.fingerprint} (${binding.subject}) to ${binding.principalId}\n`)
          return
        }
        case 'unbind-cert': {
          const fingerprint = operand(target, 'certificate fingerprint')
          if (!(await unbindCertificate(store, fingerprint)))
            throw new CliError('no binding for that fingerprint')
          out('unbound\n')
          return
        }
        case 'certs': {
          const bindings = await listCertificateBindings(store, values.principal)
          if (values.json) return out(`${JSON.stringify(bindings, null, 2)}\n`)
          if (bindings.length === 0) return out('no certificates bound\n')
          // a revoked principal's certificate no longer authenticates: the binding alone would suggest it does
          const revoked = new Set((await store.listPrincipals()).filter((p) => p.revokedAt).map((p) => p.id))
          for (const b of bindings)
            out(
              `${b.fingerprint}  ${b.principalId}  ${b.subject}  until ${b.notAfter ?? '?'}${revoked.has(b.principalId) ? '  (principal revoked)' : ''}\n`,
            )
          return
        }
      }
    } catch (error) {
      // a malformed fingerprint is a usage error, told as such, not "no binding" nor a refusal
      if (error instanceof FingerprintFormError) throw new CliError(error.message, 2)
      if (error instanceof CredentialError || error instanceof PolicyInputError)
        throw new CliError(error.message)
      throw error
    }
  })
}
