/**
 * The length of each top-level function in a source file, without a parser, counted the way ESLint's
 * `max-lines-per-function` does with skipBlankLines and skipComments. The code is formatted, so a
 * function declared at the start of a line (`function X(`, `export const X = (…) =>`, `memo(function X(`)
 * ends at the first later line that starts with its closing `}` or `)`.
 */

const DECLARATION = /^(?:export\s+)?(?:default\s+)?(?:async\s+)?(?:function\s+(\w+)|const\s+(\w+)\b[^=]*=\s*(?:\w+\()?(?:async\s+)?(?:function\b|.*=>))/
const CLOSING = /^[})][)\]};,]*\s*$/

export interface FunctionLength {
  name: string
  /** 1-based line of the declaration. */
  line: number
  /** Lines with code on them (blank lines and comment-only lines left out). */
  lines: number
}

function codeLines(lines: readonly string[]): number {
  let count = 0
  let inBlock = false
  for (const raw of lines) {
    const text = raw.trim()
    if (inBlock) {
      if (text.includes('*/')) {
        inBlock = false
        if (text.slice(text.indexOf('*/') + 2).trim()) count++
      }
      continue
    }
    if (text === '' || text.startsWith('//') || text.startsWith('{/*')) continue
    if (text.startsWith('/*')) {
      if (!text.includes('*/')) inBlock = true
      continue
    }
    count++
  }
  return count
}

export function functionLengths(source: string): FunctionLength[] {
  const lines = source.split('\n')
  const out: FunctionLength[] = []
  for (let i = 0; i < lines.length; i++) {
    const match = DECLARATION.exec(lines[i] ?? '')
    if (!match || !/[{(]\s*$/.test(lines[i] ?? '')) continue
    const end = lines.findIndex((text, j) => j > i && CLOSING.test(text))
    if (end < 0) continue
    out.push({ name: match[1] ?? match[2] ?? '?', line: i + 1, lines: codeLines(lines.slice(i, end + 1)) })
    i = end
  }
  return out
}
