import { badRequest } from './errors.js'

/**
 * Parses a request body after a linear scan for nesting depth, so hostile
 * input is refused before JSON.parse or any recursive walk sees it.
 */
export function parseJsonBody(text: string, maxDepth: number): unknown {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92 /* \ */) i++
      else if (c === 34 /* " */) inString = false
    } else if (c === 34) inString = true
    else if (c === 123 || c === 91) {
      if (++depth > maxDepth) throw badRequest(`JSON nesting deeper than ${maxDepth} levels`, 'json-too-deep')
    } else if (c === 125 || c === 93) depth--
  }
  try {
    return JSON.parse(text)
  } catch (error) {
    throw badRequest(`the body is not valid JSON: ${(error as Error).message}`, 'invalid-json')
  }
}
