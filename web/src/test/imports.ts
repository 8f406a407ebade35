/** Read the import specifiers of source files (for the architecture tests), without a parser. */

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm

/** Every module a file imports or re-exports, in order. */
export function importsOf(source: string): string[] {
  const out: string[] = []
  for (const match of source.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2] ?? match[3]
    if (spec) out.push(spec)
  }
  return out
}

/** `src/a/b/c.ts` + `../d` → `src/a/d` (paths use forward slashes, no extension added). */
export function resolveRelative(file: string, spec: string): string {
  const parts = file.split('/').slice(0, -1)
  for (const part of spec.split('/')) {
    if (part === '..') parts.pop()
    else if (part !== '.') parts.push(part)
  }
  return parts.join('/')
}

/** Source files under src (tests and test helpers left out), keyed `src/...`, with their text. */
export function sourceFiles(files: Record<string, string>): [string, string][] {
  return Object.entries(files)
    .map(([path, text]): [string, string] => [path.replace(/^\//, ''), text])
    .filter(([path]) => !/\.test\.tsx?$/.test(path) && !path.endsWith('/test-helpers.ts'))
}
