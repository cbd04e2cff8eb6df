/**
 * Translates a MATCHES operand (PCRE syntax per the STIX specification) into a JavaScript RegExp.
 *
 * Handled: leading inline flags `(?i)`, `(?m)`, `(?s)`; `\A`, `\Z`, `\z`; `(?P<name>...)` and
 * `(?P=name)`; `\Q...\E`; `\x{hhhh}` and octal `\0oo`; identity escapes of punctuation (`\@`,
 * which JavaScript's Unicode mode rejects); and `$`, which in PCRE also matches before a final
 * newline. Constructs JavaScript lacks (possessive quantifiers, atomic groups, recursion, inline
 * flags mid-pattern, `(?x)`) make the translation fail rather than silently change meaning.
 */
export function translateRegex(source: string): { ok: true; regex: RegExp } | { ok: false; message: string } {
  let flags = 'u'
  let s = source
  const lead = /^\(\?([imsx]+)\)/.exec(s)
  if (lead != null) {
    if (lead[1]!.includes('x')) return { ok: false, message: 'the (?x) flag is not supported' }
    for (const f of lead[1]!) if (!flags.includes(f)) flags += f
    s = s.slice(lead[0].length)
  }
  const multiline = flags.includes('m')
  let out = ''
  let inClass = false
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!
    if (c === '\\') {
      const e = s[i + 1]
      if (e === undefined) return { ok: false, message: 'pattern ends with a backslash' }
      i++
      if (e === 'Q') {
        const end = s.indexOf('\\E', i + 1)
        const lit = end < 0 ? s.slice(i + 1) : s.slice(i + 1, end)
        out += lit.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')
        i = end < 0 ? s.length : end + 1
        continue
      }
      if (!inClass && e === 'A') out += '^'
      else if (!inClass && (e === 'Z' || e === 'z')) out += e === 'Z' ? '(?=\\n?$)' : '$'
      else if (e === 'x' && s[i + 1] === '{') {
        const close = s.indexOf('}', i)
        if (close < 0) return { ok: false, message: 'unterminated \\x{...}' }
        out += `\\u{${s.slice(i + 2, close)}}`
        i = close
      } else if (e === '0') {
        const oct = /^[0-7]{0,2}/.exec(s.slice(i + 1))![0]
        out += `\\u{${Number.parseInt(`0${oct}`, 8).toString(16)}}`
        i += oct.length
      } else if (/[A-Za-z0-9]/.test(e)) out += `\\${e}`
      else if ('^$\\.*+?()[]{}|/'.includes(e) || (inClass && e === '-')) out += `\\${e}`
      else out += e
      continue
    }
    if (inClass) {
      if (c === ']') inClass = false
      else if (c === '[' && s[i + 1] === ':')
        return { ok: false, message: 'POSIX character classes are not supported' }
      out += c
      continue
    }
    if (c === '[') {
      inClass = true
      out += c
      if (s[i + 1] === '^') out += s[++i]
      if (s[i + 1] === ']') out += `\\${s[++i]}`
      continue
    }
    if (c === '(' && s[i + 1] === '?') {
      const rest = s.slice(i + 2)
      if (rest.startsWith('P<')) {
        out += '(?<'
        i += 3
        continue
      }
      const back = /^P=(\w+)\)/.exec(rest)
      if (back != null) {
        out += `\\k<${back[1]}>`
        i += 1 + back[0].length
        continue
      }
      if (/^[:=!]|^<[=!]|^<\w/.test(rest)) {
        out += c
        continue
      }
      return { ok: false, message: `unsupported group construct '(?${rest.slice(0, 2)}'` }
    }
    if (c === '$' && !multiline) {
      out += '(?=\\n?$)'
      continue
    }
    if ((c === '+' || c === '?' || c === '*' || c === '}') && s[i + 1] === '+') {
      return { ok: false, message: 'possessive quantifiers are not supported' }
    }
    out += c
  }
  try {
    return { ok: true, regex: new RegExp(out, flags) }
  } catch (e) {
    return { ok: false, message: (e as Error).message }
  }
}
