import { useState } from 'react'
import { ColumnsIcon } from 'lucide-react'
import { Link } from 'react-router'
import { PageHeader } from '@/components/page-header'
import { ErrorState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card } from '@/components/ui/card'
import { Checkbox } from '@/components/ui/checkbox'
import { Label } from '@/components/ui/label'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { ModelsTable } from '../components/models-table'
import { MIN_COMPARE, toggleCompare } from '../hooks/compare'
import { useModels } from '../hooks/queries'

const ALL = 'all'
const FAMILIES = [
  { value: 'rfdetr', label: 'RF-DETR' },
  { value: 'rtdetrv2', label: 'RT-DETRv2' },
  { value: 'yolo-nas', label: 'YOLO-NAS' },
]

function ArchitectureFilter({ value, onChange }: { value: string | null; onChange: (a: string | null) => void }) {
  // The architectures that have a model at all (the unfiltered list, cached with the page's).
  const all = useModels({})
  const keys = [...new Set((all.data?.items ?? []).map((m) => m.architecture))].sort()
  return (
    <Select value={value ?? ALL} onValueChange={(v) => onChange(v === ALL ? null : v)}>
      <SelectTrigger className="w-44" aria-label="Filter by architecture" data-testid="models-architecture-filter">
        <SelectValue />
      </SelectTrigger>
      <SelectContent>
        <SelectItem value={ALL}>All architectures</SelectItem>
        {keys.map((k) => (
          <SelectItem key={k} value={k}>
            {k}
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  )
}

function Filters({ family, onFamily, activeOnly, onActive }: { family: string | null; onFamily: (f: string | null) => void; activeOnly: boolean; onActive: (v: boolean) => void }) {
  return (
    <>
      <div className="flex items-center gap-2">
        <Checkbox id="models-active" checked={activeOnly} onCheckedChange={(v) => onActive(v === true)} />
        <Label htmlFor="models-active">Active only</Label>
      </div>
      <Select value={family ?? ALL} onValueChange={(v) => onFamily(v === ALL ? null : v)}>
        <SelectTrigger className="w-44" aria-label="Filter by base model" data-testid="models-family-filter">
          <SelectValue />
        </SelectTrigger>
        <SelectContent>
          <SelectItem value={ALL}>All base models</SelectItem>
          {FAMILIES.map((f) => (
            <SelectItem key={f.value} value={f.value}>
              {f.label}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
    </>
  )
}

export function ModelsPage() {
  const [family, setFamily] = useState<string | null>(null)
  const [architecture, setArchitecture] = useState<string | null>(null)
  const [activeOnly, setActiveOnly] = useState(false)
  const [picked, setPicked] = useState<number[]>([])
  const models = useModels({ family, architecture, active: activeOnly ? true : null })
  const items = models.data?.items ?? []
  return (
    <div>
      <PageHeader
        eyebrow="Object detection"
        title="Models"
        description="Detectors trained here, with their test-split metrics. The default one is preselected for AI auto-annotation."
        actions={
          <>
            <Filters family={family} onFamily={setFamily} activeOnly={activeOnly} onActive={setActiveOnly} />
            <ArchitectureFilter value={architecture} onChange={setArchitecture} />
            <Button asChild={picked.length >= MIN_COMPARE} disabled={picked.length < MIN_COMPARE} variant="outline" data-testid="compare-models">
              {picked.length >= MIN_COMPARE ? (
                <Link to={`/od/models/compare?ids=${picked.join(',')}`}>
                  <ColumnsIcon aria-hidden /> Compare {picked.length}
                </Link>
              ) : (
                <span>
                  <ColumnsIcon aria-hidden /> Compare (tick 2–5)
                </span>
              )}
            </Button>
          </>
        }
      />
      <Card className="overflow-hidden">
        {models.isError ? (
          <ErrorState error={models.error} title="Could not load models" onRetry={() => void models.refetch()} />
        ) : (
          <ModelsTable models={items} pending={models.isPending} picked={picked} onPick={(id) => setPicked((p) => toggleCompare(p, id))} filtered={family !== null || architecture !== null || activeOnly} />
        )}
      </Card>
    </div>
  )
}
