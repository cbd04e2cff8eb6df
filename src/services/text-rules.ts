/**
 * What free text the node records must be, shared with the console so that its forms refuse the same
 * text before a preview rather than at Confirm. No imports: the console bundles this file as it is.
 */

/** The longest name, issuer or reference. */
export const NAME_MAX = 200
/** The longest reason or description. */
export const PROSE_MAX = 2000

/**
 * Control characters, the bidirectional overrides and isolates, and the invisible spaces (zero-width space,
 * word joiner, byte-order mark). A name is printed on one line in lists, histories and logs; a newline in it
 * forges a line, an override makes "evil-desk" read as another, and "isles\u200B" looks like "isles". The
 * zero-width joiner and non-joiner stay: scripts such as Persian need them.
 */
export const UNPRINTABLE_IN_NAME = /[\p{Cc}\u200B\u2060\uFEFF\u202A-\u202E\u2066-\u2069]/u

/** The same for prose, tested with its line breaks taken out: a reason typed in a text box may hold them. */
export const UNPRINTABLE_IN_PROSE = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u
