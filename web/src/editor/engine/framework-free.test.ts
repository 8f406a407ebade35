import { describe, expect, it } from 'vitest'
import { importsOf, sourceFiles } from '@/test/imports'

const ENGINE = sourceFiles(import.meta.glob<string>('/src/editor/engine/**/*.ts', { query: '?raw', import: 'default', eager: true }))

/** UI frameworks and state libraries: React and its data layer live in features/annotate. */
const FRAMEWORKS = /^(react|react-dom|zustand|@tanstack\/|react-router|sonner|lucide-react|@radix-ui\/)/

describe('the annotation engine', () => {
  it('has modules to check', () => {
    expect(ENGINE.length).toBeGreaterThan(10)
  })

  it('imports no UI framework, state library or app code, only its own modules', () => {
    const offenders = ENGINE.flatMap(([file, text]) =>
      importsOf(text)
        .filter((spec) => FRAMEWORKS.test(spec) || !spec.startsWith('.'))
        .map((spec) => `${file} imports ${spec}`),
    )
    expect(offenders).toEqual([])
  })
})
