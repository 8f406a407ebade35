/** The draw tool: click and drag draws a box of the current class, even on top of other boxes. */
import { boxFromPoints, clampPoint } from '../geometry'
import { CreateCommand } from '../history'
import type { Annotation, Point } from '../types'
import { CrosshairIdle, StateNode, Tool, type PointerInfo } from './tool'

/** Smaller drags (CSS px on screen, either side) are treated as stray clicks. */
export const MIN_DRAW_SIZE = 4

class Drawing extends StateNode {
  readonly id = 'drawing'
  private start: Point = { x: 0, y: 0 }
  private startScreen: Point = { x: 0, y: 0 }

  constructor(private readonly tool: DrawTool) {
    super()
  }

  begin(e: PointerInfo): void {
    this.start = clampPoint(e.image, this.tool.ctx.image)
    this.startScreen = e.screen
  }

  override onPointerMove(e: PointerInfo): void {
    const { ctx } = this.tool
    const classId = ctx.currentClassId
    if (classId === null) return
    ctx.setOverlay({ crosshair: e.screen, preview: { box: boxFromPoints(this.start, clampPoint(e.image, ctx.image)), classId } })
  }

  override onPointerUp(e: PointerInfo): void {
    const { ctx } = this.tool
    ctx.setOverlay({ preview: null })
    const classId = ctx.currentClassId
    const box = boxFromPoints(this.start, clampPoint(e.image, ctx.image))
    const bigEnough =
      Math.abs(e.screen.x - this.startScreen.x) >= MIN_DRAW_SIZE &&
      Math.abs(e.screen.y - this.startScreen.y) >= MIN_DRAW_SIZE &&
      box.x2 - box.x1 >= 1 &&
      box.y2 - box.y1 >= 1
    if (classId !== null && bigEnough) {
      const annotation: Annotation = {
        key: ctx.newKey(),
        id: null,
        classId,
        kind: 'bbox',
        ...box,
        points: null,
        source: 'manual',
        confidence: null,
        reviewState: 'none',
      }
      ctx.execute(new CreateCommand([annotation]))
      ctx.select([annotation.key])
    }
    this.tool.idle()
  }

  override onCancel(): void {
    this.tool.ctx.setOverlay({ preview: null })
    this.tool.idle()
  }
}

export class DrawTool extends Tool {
  readonly id = 'draw' as const
  readonly idleState = new CrosshairIdle(this.ctx, (e) => this.go(this.drawing).begin(e))
  readonly drawing = new Drawing(this)
  protected current: StateNode = this.idleState

  idle(): void {
    this.go(this.idleState)
  }

  override onEnter(): void {
    this.ctx.setCursor('crosshair')
  }

  override onExit(): void {
    super.onExit()
    this.ctx.setOverlay({ crosshair: null, preview: null })
  }
}
