/**
 * Structured logs: one JSON object per line, with a time, a level and a
 * message. Anything that looks like an API key is masked before it is written,
 * so a key pasted into a path or an error message never reaches the log.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 }

export type LogFields = Record<string, unknown>

export interface Logger {
  readonly level: LogLevel
  debug(msg: string, fields?: LogFields): void
  info(msg: string, fields?: LogFields): void
  warn(msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void
}

// the token shape of src/auth/api-key.ts, and anything after "Bearer "/"Basic " in a stray header dump
const SECRETS = [/sluice_[0-9a-f]{16}_[A-Za-z0-9_-]{20,}/g, /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi]

/** Masks credential-shaped substrings. */
export function maskSecrets(text: string): string {
  let out = text
  for (const pattern of SECRETS)
    out = out.replace(pattern, (m) =>
      m.startsWith('sluice_') ? `${m.slice(0, 24)}…[masked]` : `${m.split(/\s/)[0]} [masked]`,
    )
  return out
}

function clean(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskSecrets(value)
  if (value instanceof Error)
    return {
      name: value.name,
      message: maskSecrets(value.message),
      ...(value.stack ? { stack: maskSecrets(value.stack) } : {}),
    }
  if (depth > 4 || value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((v) => clean(v, depth + 1))
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clean(v, depth + 1)]))
}

export function isLogLevel(value: string | undefined): value is LogLevel {
  return value !== undefined && value in RANK
}

/** A logger writing JSON lines to `write` (stdout by default), dropping entries below `level`. */
export function createLogger(
  options: { level?: LogLevel; write?: (line: string) => void; base?: LogFields } = {},
): Logger {
  const level = options.level ?? 'info'
  const write = options.write ?? ((line: string) => process.stdout.write(line))
  const base = options.base ?? {}
  const emit = (at: Exclude<LogLevel, 'silent'>, msg: string, fields: LogFields = {}) => {
    if (RANK[at] < RANK[level]) return
    const entry = {
      time: new Date().toISOString(),
      level: at,
      msg: maskSecrets(msg),
      ...base,
      ...(clean(fields) as LogFields),
    }
    let line: string
    try {
      line = JSON.stringify(entry)
    } catch {
      line = JSON.stringify({
        time: entry.time,
        level: at,
        msg: entry.msg,
        note: 'fields were not serializable',
      })
    }
    write(`${line}\n`)
  }
  return {
    level,
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
  }
}

/** The default for embedders and tests: only errors, on stderr. */
export function errorLogger(): Logger {
  return createLogger({ level: 'error', write: (line) => process.stderr.write(line) })
}
