/** Control characters and the bidirectional overrides and isolates. */
const UNSAFE = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/gu

/**
 * Text from elsewhere (a remote node's answer, a ledger entry) as one harmless terminal line: an escape
 * sequence in it could clear the screen or forge a line of the report, so each such character is shown
 * as its code (`\u001b`) instead of acting.
 */
export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`)
}
