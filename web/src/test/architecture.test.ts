import { describe, expect, it } from 'vitest'
import { importsOf, resolveRelative, sourceFiles } from './imports'

const FILES = sourceFiles(import.meta.glob<string>('/src/**/*.{ts,tsx}', { query: '?raw', import: 'default', eager: true }))

function featureOf(path: string): string | null {
  return /^src\/features\/([^/]+)\//.exec(path)?.[1] ?? null
}

describe('feature boundaries', () => {
  it('a feature reaches another feature only through its index.ts', () => {
    const offenders: string[] = []
    for (const [file, text] of FILES) {
      const own = featureOf(file)
      if (own === null) continue
      for (const spec of importsOf(text)) {
        const target = spec.startsWith('.') ? resolveRelative(file, spec) : spec.replace(/^@\//, 'src/')
        const other = featureOf(`${target}/`)
        if (other !== null && other !== own && target !== `src/features/${other}`) offenders.push(`${file} imports ${spec}`)
      }
    }
    expect(offenders).toEqual([])
  })

  it('lib, components and the editor engine never import a feature or the app shell', () => {
    const offenders = FILES.filter(([file]) => /^src\/(lib|components|editor)\//.test(file)).flatMap(([file, text]) =>
      importsOf(text)
        .filter((spec) => /^@\/(features|app)(\/|$)/.test(spec))
        .map((spec) => `${file} imports ${spec}`),
    )
    expect(offenders).toEqual([])
  })

  it('endpoints are defined in a feature api.ts: nothing else calls the client or spells an /api/v1 path', () => {
    const offenders = FILES.filter(([file]) => !/^src\/(lib\/api\/|features\/[^/]+\/api\.ts$)/.test(file)).flatMap(
      ([file, text]) => {
        const found: string[] = []
        if (/\bapi\.(get|post|put|patch|delete)\s*[<(]|\bapiRequest\s*[<(]|\bpostForm\s*[<(]/.test(text)) found.push(`${file} calls the client directly`)
        if (/['"`]\/api\/v1\//.test(text)) found.push(`${file} spells an API path`)
        return found
      },
    )
    expect(offenders).toEqual([])
  })

  it('components and pages get server data through hooks (they may build a link with an …Url function)', () => {
    const offenders = FILES.filter(([file]) => /^src\/(features\/[^/]+\/(components|pages)|app|components)\//.test(file)).flatMap(
      ([file, text]) =>
        [...text.matchAll(/\b(\w+Api)\.(\w+)\(/g)]
          .filter((match) => !match[2]?.endsWith('Url'))
          .map((match) => `${file} calls ${match[1]}.${match[2]}`),
    )
    expect(offenders).toEqual([])
  })
})
