/**
 * A problem with a pattern's text. `offset` is 0-based into the pattern string; `column` is
 * `offset + 1` (patterns are single-line in practice, so the column is the offset counted from 1).
 */
export interface PatternError {
  message: string
  column: number
  offset: number
  kind: 'syntax' | 'semantic'
}

export function patternError(kind: PatternError['kind'], message: string, offset: number): PatternError {
  return { message, column: offset + 1, offset, kind }
}

/**
 * Thrown by the matcher when a pattern cannot be evaluated: it does not parse, it is semantically
 * unusable (e.g. `WITHIN 0 SECONDS`, a set literal mixing types), or a value cannot be compared the
 * way the pattern demands (a string property compared with a timestamp but not holding one).
 */
export class PatternMatchError extends Error {
  override readonly name = 'PatternMatchError'
  readonly patternError: PatternError | undefined

  constructor(message: string, options?: { patternError?: PatternError; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.patternError = options?.patternError
  }
}
