import { DownloadIcon, Loader2Icon, PackageIcon } from 'lucide-react'
import { toast } from 'sonner'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { errorMessage, type ExportFormat, type OnnxInfo, type TrainedModel } from '@/lib/api'
import { formatBytes, formatDateTime } from '@/lib/format'
import { modelsApi } from '../api'
import { useExportModel } from '../hooks/queries'

const STATUS: Record<string, { label: string; variant: 'secondary' | 'info' | 'success' | 'destructive' }> = {
  none: { label: 'Not exported', variant: 'secondary' },
  running: { label: 'Exporting…', variant: 'info' },
  ready: { label: 'Ready', variant: 'success' },
  failed: { label: 'Failed', variant: 'destructive' },
}

function Parity({ onnx }: { onnx: OnnxInfo }) {
  const figures: [string, string][] = [
    ['Size', onnx.size ? formatBytes(onnx.size) : '—'],
    ['Max |ONNX − PyTorch|', onnx.max_abs_diff === null ? '—' : onnx.max_abs_diff.toExponential(2)],
    ['Lowest box IoU', onnx.box_iou_min === null ? '—' : `${onnx.box_iou_min.toFixed(4)}${onnx.boxes_compared ? ` over ${onnx.boxes_compared} boxes` : ''}`],
    ['Checked', formatDateTime(onnx.checked_at)],
  ]
  return (
    <dl className="grid grid-cols-2 gap-3 text-sm" data-testid="onnx-parity">
      {figures.map(([label, value]) => (
        <div key={label}>
          <dt className="text-xs text-muted-foreground">{label}</dt>
          <dd className="tabular-nums">{value}</dd>
        </div>
      ))}
    </dl>
  )
}

/** ONNX export with its parity check against PyTorch on a real image; TensorRT where a worker has it. */
export function OnnxCard({ model }: { model: TrainedModel }) {
  const exporter = useExportModel(model.id)
  const onnx = model.onnx ?? { status: 'none', size: null, max_abs_diff: null, box_iou_min: null, checked_at: null, error: null }
  const status = STATUS[onnx.status] ?? STATUS.none!
  const running = onnx.status === 'running' || exporter.isPending
  const start = (format: ExportFormat) =>
    exporter.mutate(format, {
      onSuccess: () => toast.success(`${format === 'onnx' ? 'ONNX' : 'TensorRT'} export started`),
      onError: (e) => toast.error(errorMessage(e)),
    })
  return (
    <div className="flex flex-col gap-3" data-testid="onnx-card" data-status={onnx.status}>
      <div className="flex items-center gap-2">
        <Badge variant={status.variant} data-testid="onnx-status">
          {status.label}
        </Badge>
      </div>
      {onnx.status === 'ready' ? <Parity onnx={onnx} /> : null}
      {onnx.status === 'failed' && onnx.error ? <p className="text-sm text-destructive">{onnx.error}</p> : null}
      <div className="flex flex-wrap gap-2">
        <Button size="sm" variant="outline" onClick={() => start('onnx')} disabled={running} data-testid="export-onnx">
          {running ? <Loader2Icon className="animate-spin" aria-hidden /> : <PackageIcon aria-hidden />}
          {onnx.status === 'ready' ? 'Export ONNX again' : 'Export ONNX'}
        </Button>
        <Button size="sm" variant="outline" onClick={() => start('tensorrt')} disabled={running}>
          TensorRT
        </Button>
        {onnx.status === 'ready' ? (
          <Button size="sm" variant="outline" asChild>
            <a href={modelsApi.downloadUrl(model.id, 'onnx')} download data-testid="download-onnx">
              <DownloadIcon aria-hidden /> model.onnx
            </a>
          </Button>
        ) : null}
      </div>
    </div>
  )
}
