/**
 * The OASIS STIX 2.1 JSON schemas, read in place from ../shared/oracles and
 * compiled with ajv (tests only; product code never uses ajv). Bundle members
 * are validated one by one against their type's schema, because bundle.json's
 * custom-object branch rejects every custom SDO (see oracles/README.md).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import { oraclePath } from '../oracles.js'

const SCHEMAS_DIR = oraclePath('stix2-json-schemas/schemas/')
const BASE = 'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/'

// ajv-formats ships CommonJS; under NodeNext its default export is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => void

function schemaFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? schemaFiles(join(dir, e.name)) : e.name.endsWith('.json') ? [join(dir, e.name)] : [],
  )
}

function build(): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, unicodeRegExp: false, allErrors: false })
  addFormats(ajv)
  ajv.addFormat('idn-hostname', true)
  for (const file of schemaFiles(SCHEMAS_DIR)) ajv.addSchema(JSON.parse(readFileSync(file, 'utf8')))
  return ajv
}

const ajv = build()

const SCHEMA_PATH: Readonly<Record<string, string>> = {}
for (const file of schemaFiles(SCHEMAS_DIR)) {
  const relative = file.slice(SCHEMAS_DIR.length)
  const name = relative.slice(relative.lastIndexOf('/') + 1, -'.json'.length)
  if (
    !relative.startsWith('common/') ||
    ['language-content', 'marking-definition', 'extension-definition', 'bundle'].includes(name)
  ) {
    ;(SCHEMA_PATH as Record<string, string>)[name] = relative
  }
}

const compiled = new Map<string, ValidateFunction>()
function validatorFor(relative: string): ValidateFunction {
  let v = compiled.get(relative)
  if (v === undefined) {
    v = ajv.getSchema(BASE + relative)
    if (v === undefined) throw new Error(`no OASIS schema ${relative}`)
    compiled.set(relative, v)
  }
  return v
}

function declaresNewSco(obj: Record<string, unknown>): boolean {
  const ext = obj.extensions
  if (ext === null || typeof ext !== 'object') return false
  return Object.values(ext as Record<string, unknown>).some(
    (e) => e !== null && typeof e === 'object' && (e as Record<string, unknown>).extension_type === 'new-sco',
  )
}

/** Which schema the oracle uses for `obj`: its type's schema, else a core schema for custom objects. */
export function schemaFor(obj: Record<string, unknown>): string {
  const type = typeof obj.type === 'string' ? obj.type : ''
  return SCHEMA_PATH[type] ?? (declaresNewSco(obj) ? 'common/cyber-observable-core.json' : 'common/core.json')
}

export interface OasisVerdict {
  valid: boolean
  errors: string[]
}

/** The OASIS schemas' verdict on one STIX object. */
export function oasisValidate(obj: unknown): OasisVerdict {
  const record =
    obj !== null && typeof obj === 'object' && !Array.isArray(obj) ? (obj as Record<string, unknown>) : {}
  const validate = validatorFor(schemaFor(record))
  const valid = validate(obj) === true
  return {
    valid,
    errors: valid ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`),
  }
}

export const KNOWN_SCHEMA_TYPES: readonly string[] = Object.keys(SCHEMA_PATH)
