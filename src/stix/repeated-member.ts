/**
 * The first member name given twice in one object of `text` (valid JSON), if any. I-JSON (RFC 7493), which
 * STIX and TAXII content is, names each member once; JSON.parse keeps the last of two silently, so
 * `{"object_marking_refs": [RED], …, "object_marking_refs": [CLEAR]}` is CLEAR here and may be RED to the
 * tool that wrote it or the next one that reads it.
 *
 * Runs on every object posted or imported, so it is built for speed: most of STIX text is inside strings,
 * which are skipped with `indexOf` rather than walked, and a backslash is looked for once per run of text
 * rather than once per string.
 */
export function repeatedMember(text: string): string | undefined {
  // the names of the enclosing containers, saved as each nested one opens (an array's stay undefined: in
  // valid JSON a string followed by a colon is a member name, so no other container kind is needed)
  const outerNames: (Set<string> | undefined)[] = []
  let names: Set<string> | undefined
  let nextBackslash = text.indexOf('\\')
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 34 /* " */) {
      const start = i
      let end = text.indexOf('"', i + 1)
      const escaped = nextBackslash !== -1 && nextBackslash < end
      if (escaped) {
        end = escapedStringEnd(text, start)
        nextBackslash = text.indexOf('\\', end)
      }
      i = end
      let j = end + 1
      while (isJsonSpace(text.charCodeAt(j))) j++
      if (text.charCodeAt(j) !== 58 /* : */) continue
      // most names have no escapes, and slicing them costs a fraction of parsing them
      const name = escaped ? (JSON.parse(text.slice(start, end + 1)) as string) : text.slice(start + 1, end)
      names ??= new Set()
      if (names.has(name)) return name
      names.add(name)
      i = j
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      outerNames.push(names)
      names = undefined
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      names = outerNames.pop()
    }
  }
  return undefined
}

/** The index of the quote that closes the string opening at `start`, stepping over escapes. */
function escapedStringEnd(text: string, start: number): number {
  let i = start + 1
  for (;;) {
    const c = text.charCodeAt(i)
    if (c === 34) return i
    i += c === 92 /* \ */ ? 2 : 1
  }
}

/** JSON's four whitespace characters (RFC 8259 §2). */
function isJsonSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9
}
