/**
 * At most one request at a time, and only the newest input waits behind it: inputs that arrive
 * while one is in flight replace each other, so fast clicking never piles up work on the server
 * and every answer shown is at most one step behind.
 */
export interface LatestOnlyHandlers<I, O> {
  result: (input: I, output: O) => void
  error: (input: I, error: unknown) => void
  /** A request started (true), or the last one settled with nothing waiting (false). */
  busy?: (busy: boolean) => void
}

export class LatestOnly<I, O> {
  private inFlight = false
  private waiting: { input: I } | null = null
  private controller: AbortController | null = null
  private disposed = false

  constructor(
    private readonly send: (input: I, signal: AbortSignal) => Promise<O>,
    private readonly handlers: LatestOnlyHandlers<I, O>,
  ) {}

  /** Send now, or as soon as the request in flight is answered (replacing whatever waited). */
  submit(input: I): void {
    if (this.disposed) return
    if (this.inFlight) this.waiting = { input }
    else void this.run(input)
  }

  /** Drop what waits (the prompt was cleared); the answer in flight is left to its receiver. */
  cancel(): void {
    this.waiting = null
  }

  /** Stop: abort the request in flight and report nothing more. */
  dispose(): void {
    this.disposed = true
    this.waiting = null
    this.controller?.abort()
  }

  get busy(): boolean {
    return this.inFlight
  }

  private async run(input: I): Promise<void> {
    if (!this.inFlight) this.handlers.busy?.(true)
    this.inFlight = true
    const controller = new AbortController()
    this.controller = controller
    try {
      const output = await this.send(input, controller.signal)
      if (!this.disposed) this.handlers.result(input, output)
    } catch (error) {
      if (!this.disposed && !controller.signal.aborted) this.handlers.error(input, error)
    } finally {
      this.inFlight = false
      this.controller = null
      const next = this.waiting
      this.waiting = null
      if (next && !this.disposed) void this.run(next.input)
      else if (!this.disposed) this.handlers.busy?.(false)
    }
  }
}
