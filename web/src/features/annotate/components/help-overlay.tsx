import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { SHORTCUT_HELP } from '@/editor/engine'

/** The keyboard map, opened with `?`. */
export function HelpOverlay({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-h-[90vh] overflow-y-auto sm:max-w-3xl" data-testid="shortcut-help">
        <DialogHeader>
          <DialogTitle>Keyboard shortcuts</DialogTitle>
          <DialogDescription>Shortcuts do nothing while you type in a field. Scrolling pans; hold Ctrl (or pinch) to zoom at the cursor.</DialogDescription>
        </DialogHeader>
        <div className="grid gap-x-8 gap-y-5 sm:grid-cols-2">
          {SHORTCUT_HELP.map((group) => (
            <section key={group.group}>
              <h3 className="mb-2 text-xs font-semibold uppercase tracking-wide text-muted-foreground">{group.group}</h3>
              <dl className="space-y-1.5 text-sm">
                {group.items.map((item) => (
                  <div key={`${item.keys.join('+')}-${item.action}`} className="flex items-start justify-between gap-3">
                    <dt className="text-foreground/90">{item.action}</dt>
                    <dd className="flex shrink-0 gap-1">
                      {item.keys.map((k) => (
                        <kbd key={k} className="rounded border bg-muted px-1.5 py-0.5 font-mono text-[11px] text-muted-foreground">
                          {k}
                        </kbd>
                      ))}
                    </dd>
                  </div>
                ))}
              </dl>
            </section>
          ))}
        </div>
      </DialogContent>
    </Dialog>
  )
}
