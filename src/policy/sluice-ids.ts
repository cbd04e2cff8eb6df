/**
 * Fixed identifiers Sluice defines. Each is a UUIDv5 of a descriptive name under the Sluice namespace
 * (itself `uuidv5(URL namespace, "urn:sluice:stix")` = `ec158b7d-0703-5e5e-be63-0b559ecbafed`), so anyone can
 * recompute them; test/policy/sluice-ids.test.ts does.
 */
export const SLUICE_NAMESPACE = 'ec158b7d-0703-5e5e-be63-0b559ecbafed'

/** The Sluice project identity, `created_by_ref` of the extension-definitions and markings Sluice defines. */
export const SLUICE_IDENTITY_ID = 'identity--8bbfbc1c-81db-50a5-a78a-a915eafa4df8'
