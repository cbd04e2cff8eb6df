/**
 * The first member name given twice in one object of `text` (valid JSON), if any. I-JSON (RFC 7493), which
 * STIX and TAXII content is, names each member once; JSON.parse keeps the last of two silently, so
 * `{"object_marking_refs": [RED], …, "object_marking_refs": [CLEAR]}` is CLEAR here and may be RED to the
 * tool that wrote it or the next one that reads it.
 */
export function repeatedMember(text: string): string | undefined {
  const open: Set<string>[] = []
  const containers: boolean[] = [] // true: an object
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 34 /* " */) {
      const start = i
      let escaped = false
      for (i++; text.charCodeAt(i) !== 34; i++)
        if (text.charCodeAt(i) === 92 /* \ */) {
          escaped = true
          i++
        }
      if (!containers.at(-1)) continue
      let j = i + 1
      while (isJsonSpace(text.charCodeAt(j))) j++
      if (text.charCodeAt(j) !== 58 /* : */) continue
      // most names have no escapes, and slicing them costs a fraction of parsing them
      const name = escaped ? (JSON.parse(text.slice(start, i + 1)) as string) : text.slice(start + 1, i)
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

/** JSON's four whitespace characters (RFC 8259 §2). */
function isJsonSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9
}
