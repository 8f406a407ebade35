import { describe, expect, it } from 'vitest'
import { functionLengths } from './function-lengths'
import { sourceFiles } from './imports'

const FILES = sourceFiles(import.meta.glob<string>('/src/**/*.{ts,tsx}', { query: '?raw', import: 'default', eager: true }))
const MAX_LINES = 80

describe('function length', () => {
  it(`no function in src is over ${MAX_LINES} lines (blank and comment lines not counted)`, () => {
    const offenders = FILES.flatMap(([file, text]) =>
      functionLengths(text)
        .filter((f) => f.lines > MAX_LINES)
        .map((f) => `${file}:${f.line} ${f.name} has ${f.lines} lines`),
    )
    expect(offenders).toEqual([])
  })

  it('measures components, arrow functions and memo-wrapped functions to their closing line', () => {
    const source = [
      '/** doc */',
      'export function Page({',
      '  a,',
      '}: {',
      '  a: number',
      '}) {',
      '  // a comment',
      '',
      '  return (',
      '    <div>{a}</div>',
      '  )',
      '}',
      'const Row = memo(function Row() {',
      '  return null',
      '})',
      'export const useThing = () => {',
      '  /* one',
      '     two */',
      '  return 1',
      '}',
      'const LIMIT = 3',
    ].join('\n')
    expect(functionLengths(source)).toEqual([
      { name: 'Page', line: 2, lines: 9 },
      { name: 'Row', line: 13, lines: 3 },
      { name: 'useThing', line: 16, lines: 3 },
    ])
  })
})
