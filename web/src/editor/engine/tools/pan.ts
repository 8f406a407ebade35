/** The pan tool: drag moves the view. Space held and the middle mouse button borrow it from any tool. */
import type { Point } from '../types'
import { StateNode, Tool, type PointerInfo } from './tool'

class Idle extends StateNode {
  readonly id = 'idle'
  constructor(private readonly tool: PanTool) {
    super()
  }

  override onPointerDown(e: PointerInfo): void {
    if (e.button !== 0 && e.button !== 1) return
    this.tool.go(this.tool.panning).begin(e)
  }
}

class Panning extends StateNode {
  readonly id = 'panning'
  private last: Point = { x: 0, y: 0 }

  constructor(private readonly tool: PanTool) {
    super()
  }

  begin(e: PointerInfo): void {
    this.last = e.screen
    this.tool.ctx.setCursor('grabbing')
  }

  override onPointerMove(e: PointerInfo): void {
    this.tool.ctx.viewport.panBy(e.screen.x - this.last.x, e.screen.y - this.last.y)
    this.last = e.screen
  }

  override onPointerUp(): void {
    this.tool.ctx.setCursor('grab')
    this.tool.idle()
  }

  override onCancel(): void {
    this.tool.idle()
  }
}

export class PanTool extends Tool {
  readonly id = 'pan' as const
  readonly idleState = new Idle(this)
  readonly panning = new Panning(this)
  protected current: StateNode = this.idleState

  idle(): void {
    this.go(this.idleState)
  }

  get isPanning(): boolean {
    return this.path === 'pan.panning'
  }

  override onEnter(): void {
    this.ctx.setCursor('grab')
  }
}
