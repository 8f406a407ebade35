import { describe, expect, it } from 'vitest'
import { LatestOnly } from './latest-only'

/** A server whose answers the test releases one by one. */
function slowServer() {
  const sent: number[] = []
  const pending: (() => void)[] = []
  const send = (input: number) =>
    new Promise<string>((resolve) => {
      sent.push(input)
      pending.push(() => resolve(`mask ${input}`))
    })
  const answer = async () => {
    pending.shift()?.()
    await new Promise((r) => setTimeout(r, 0))
  }
  return { sent, send, answer }
}

describe('LatestOnly', () => {
  it('sends one request at a time and, of the inputs that came meanwhile, only the newest', async () => {
    const server = slowServer()
    const results: string[] = []
    const runner = new LatestOnly(server.send, { result: (_i, o) => results.push(o), error: () => undefined })
    runner.submit(1)
    runner.submit(2)
    runner.submit(3)
    runner.submit(4)
    expect(server.sent).toEqual([1])
    await server.answer()
    expect(server.sent).toEqual([1, 4])
    await server.answer()
    expect(results).toEqual(['mask 1', 'mask 4'])
    expect(runner.busy).toBe(false)
  })

  it('says busy while a request is out and idle only once nothing waits', async () => {
    const server = slowServer()
    const busy: boolean[] = []
    const runner = new LatestOnly(server.send, { result: () => undefined, error: () => undefined, busy: (b) => busy.push(b) })
    runner.submit(1)
    runner.submit(2)
    await server.answer()
    expect(busy.at(-1)).toBe(true)
    await server.answer()
    expect(busy.at(-1)).toBe(false)
    expect(busy.filter((b) => !b)).toHaveLength(1)
  })

  it('cancel drops what waits; dispose aborts and reports nothing', async () => {
    const server = slowServer()
    const results: string[] = []
    const runner = new LatestOnly(server.send, { result: (_i, o) => results.push(o), error: () => undefined })
    runner.submit(1)
    runner.submit(2)
    runner.cancel()
    await server.answer()
    expect(server.sent).toEqual([1])
    runner.submit(3)
    runner.dispose()
    await server.answer()
    expect(results).toEqual(['mask 1'])
  })

  it('reports a failed request and goes on with the next input', async () => {
    const errors: unknown[] = []
    let calls = 0
    const runner = new LatestOnly(
      (n: number) => {
        calls += 1
        return n === 1 ? Promise.reject(new Error('weights missing')) : Promise.resolve(n)
      },
      { result: () => undefined, error: (_i, e) => errors.push(e) },
    )
    runner.submit(1)
    runner.submit(2)
    await new Promise((r) => setTimeout(r, 0))
    await new Promise((r) => setTimeout(r, 0))
    expect(errors).toHaveLength(1)
    expect(calls).toBe(2)
  })
})
