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

/**
 * The first member name given twice in one object of `text` (valid JSON), if any. JSON.parse keeps the last
 * value silently, so `{"partner": "a", …, "partner": "b"}` would act on b while a reader of the request sees a.
 */
export function repeatedMember(text: string): string | undefined {
  const open: Set<string>[] = []
  const containers: boolean[] = [] // true: an object
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 34 /* " */) {
      const start = i
      for (i++; text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92 /* \ */) i++
      if (!containers.at(-1)) continue
      let j = i + 1
      while (j < text.length && /\s/.test(text[j]!)) j++
      if (text[j] !== ':') continue
      const name = JSON.parse(text.slice(start, i + 1)) as string
      const names = open.at(-1)!
      if (names.has(name)) return name
      names.add(name)
    } else if (c === 123 /* { */) {
      containers.push(true)
      open.push(new Set())
    } else if (c === 91 /* [ */) containers.push(false)
    else if (c === 125 /* } */) {
      containers.pop()
      open.pop()
    } else if (c === 93 /* ] */) containers.pop()
  }
  return undefined
}
