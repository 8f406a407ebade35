import { useState, type FormEvent, type ReactNode } from 'react'
import { DownloadIcon, Loader2Icon, PackageIcon } from 'lucide-react'
import { toast } from 'sonner'
import { EmptyState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Checkbox } from '@/components/ui/checkbox'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import { errorMessage, type ResizeMode } from '@/lib/api'
import { countOf } from '@/lib/format'
import { useStartExport, useVersions } from '../hooks/versions'
import { ExportFormatSelect, exportFormatLabel } from './export-format-select'
import { ExportJob } from './export-job'
import { buildExportRequest, INITIAL_EXPORT_DRAFT, type ExportDraft, type SetExportField } from './export-request'
import { SplitRatiosFields } from './split-ratios'

function Section({ title, description, children }: { title: string; description?: string; children: ReactNode }) {
  return (
    <fieldset className="flex flex-col gap-3 border-t pt-4 first:border-t-0 first:pt-0">
      <div>
        <legend className="text-sm font-medium">{title}</legend>
        {description ? <p className="text-xs text-muted-foreground">{description}</p> : null}
      </div>
      {children}
    </fieldset>
  )
}

function Check({ id, label, checked, onChange }: { id: string; label: string; checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <div className="flex items-center gap-2">
      <Checkbox id={id} checked={checked} onCheckedChange={(v) => onChange(v === true)} />
      <Label htmlFor={id} className="font-normal">
        {label}
      </Label>
    </div>
  )
}

function NumberField({
  id,
  label,
  value,
  onChange,
  min,
  max,
  step,
  hint,
}: {
  id: string
  label: string
  value: string
  onChange: (v: string) => void
  min: number
  max: number
  step: number
  hint?: string
}) {
  const n = Number(value)
  const invalid = value.trim() === '' || !Number.isFinite(n) || n < min || n > max
  return (
    <div className="flex flex-col gap-1">
      <Label htmlFor={id} className="text-xs">
        {label}
      </Label>
      <Input
        id={id}
        type="number"
        min={min}
        max={max}
        step={step}
        value={value}
        aria-invalid={invalid}
        onChange={(e) => onChange(e.target.value)}
      />
      <p className={invalid ? 'text-xs text-destructive' : 'text-xs text-muted-foreground'}>
        {invalid ? `${min} to ${max}` : (hint ?? `${min} to ${max}`)}
      </p>
    </div>
  )
}

interface SectionProps {
  draft: ExportDraft
  set: SetExportField
}

function FormatAndSource({ draft, set, datasetId }: SectionProps & { datasetId: number }) {
  const versions = useVersions(datasetId)
  const ready = (versions.data?.items ?? []).filter((v) => v.status === 'ready')
  return (
    <Section title="Format and source">
      <div className="grid gap-3 sm:grid-cols-2">
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="export-format">Format</Label>
          <ExportFormatSelect id="export-format" testId="export-format" value={draft.format} onChange={set('format')} />
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="export-source">Source</Label>
          <Select value={draft.source} onValueChange={set('source')}>
            <SelectTrigger id="export-source" data-testid="export-source">
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              <SelectItem value="current">Current dataset (live)</SelectItem>
              {ready.map((v) => (
                <SelectItem key={v.number} value={String(v.number)}>
                  v{v.number}
                  {v.name ? ` · ${v.name}` : ''} ({countOf(v.counts.total_images, 'image')})
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
          <p className="text-xs text-muted-foreground">
            {versions.isPending
              ? 'Loading versions…'
              : versions.isError
                ? `Could not load versions: ${errorMessage(versions.error)}`
                : ready.length === 0
                  ? 'No ready versions yet; create one in the Versions tab to freeze splits.'
                  : 'A version exports its frozen images, classes and splits.'}
          </p>
        </div>
      </div>
      <Check id="export-include-images" label="Include image files (off: annotations only)" checked={draft.includeImages} onChange={set('includeImages')} />
    </Section>
  )
}

function Preprocessing({ draft, set }: SectionProps) {
  return (
    <Section title="Preprocessing">
      <Check id="export-resize" label="Resize" checked={draft.resize} onChange={set('resize')} />
      {draft.resize ? (
        <div className="grid grid-cols-3 gap-2">
          <NumberField id="export-width" label="Width (px)" value={draft.width} onChange={set('width')} min={8} max={8192} step={1} />
          <NumberField id="export-height" label="Height (px)" value={draft.height} onChange={set('height')} min={8} max={8192} step={1} />
          <div className="flex flex-col gap-1">
            <Label htmlFor="export-resize-mode" className="text-xs">
              Mode
            </Label>
            <Select value={draft.mode} onValueChange={(v) => set('mode')(v as ResizeMode)}>
              <SelectTrigger id="export-resize-mode">
                <SelectValue />
              </SelectTrigger>
              <SelectContent>
                <SelectItem value="stretch">Stretch</SelectItem>
                <SelectItem value="fit">Fit (keep aspect)</SelectItem>
                <SelectItem value="letterbox">Letterbox (fit + pad)</SelectItem>
              </SelectContent>
            </Select>
          </div>
        </div>
      ) : null}
      <div className="flex flex-wrap gap-x-6 gap-y-2">
        <Check id="export-auto-orient" label="Auto-orient (EXIF)" checked={draft.autoOrient} onChange={set('autoOrient')} />
        <Check id="export-grayscale" label="Grayscale" checked={draft.grayscale} onChange={set('grayscale')} />
      </div>
    </Section>
  )
}

function Augmentation({ draft, set }: SectionProps) {
  return (
    <Section title="Augmentation" description="Extra copies of each training image; val and test are never augmented.">
      <div className="grid grid-cols-2 gap-2 sm:grid-cols-5">
        <NumberField id="export-copies" label="Copies per image" value={draft.copies} onChange={set('copies')} min={0} max={20} step={1} />
        <NumberField id="export-brightness" label="Brightness ±" value={draft.brightness} onChange={set('brightness')} min={0} max={1} step={0.05} />
        <NumberField id="export-contrast" label="Contrast ±" value={draft.contrast} onChange={set('contrast')} min={0} max={1} step={0.05} />
        <NumberField id="export-blur" label="Blur (px)" value={draft.blur} onChange={set('blur')} min={0} max={20} step={0.5} />
        <NumberField id="export-noise" label="Noise" value={draft.noise} onChange={set('noise')} min={0} max={0.5} step={0.01} />
      </div>
      <div className="flex flex-wrap gap-x-6 gap-y-2">
        <Check id="export-flip-h" label="Flip horizontally" checked={draft.flipH} onChange={set('flipH')} />
        <Check id="export-flip-v" label="Flip vertically" checked={draft.flipV} onChange={set('flipV')} />
        <Check id="export-rotate90" label="Rotate 90°" checked={draft.rotate90} onChange={set('rotate90')} />
      </div>
      {Number(draft.copies) > 0 ? null : <p className="text-xs text-muted-foreground">Copies is 0: no augmented images are written.</p>}
    </Section>
  )
}

function SplitAndSeed({ draft, set }: SectionProps) {
  const current = draft.source === 'current'
  return (
    <Section
      title="Split"
      description={
        current
          ? 'Images with a recorded split keep it; the others are placed by these ratios (nothing is stored).'
          : 'A version exports the splits it froze.'
      }
    >
      {current ? (
        <>
          <Check
            id="export-split"
            label="Split images that have no split (off: they go to train)"
            checked={draft.splitUnassigned}
            onChange={set('splitUnassigned')}
          />
          {draft.splitUnassigned ? <SplitRatiosFields idPrefix="export-split" value={draft.ratios} onChange={set('ratios')} /> : null}
        </>
      ) : null}
      <div className="max-w-40">
        <NumberField id="export-seed" label="Seed" value={draft.seed} onChange={set('seed')} min={0} max={2 ** 31 - 1} step={1} hint="Same seed, same archive" />
      </div>
    </Section>
  )
}

/** The exports started on this tab, newest first, each live with its Download link. */
function Archives({ jobIds }: { jobIds: readonly number[] }) {
  return (
    <Card className="lg:sticky lg:top-4">
      <CardHeader>
        <CardTitle>Archives</CardTitle>
        <CardDescription>Exports started here, newest first. Each stays downloadable from its job.</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-3" data-testid="export-jobs">
        {jobIds.length === 0 ? (
          <EmptyState
            icon={<PackageIcon aria-hidden />}
            title="No exports yet"
            description="Choose the options and start an export; its progress and Download button appear here."
            className="py-6"
          />
        ) : (
          jobIds.map((id) => <ExportJob key={id} jobId={id} />)
        )}
      </CardContent>
    </Card>
  )
}

/** Export the dataset (as it is now, or a version) to YOLO, COCO or VOC with preprocessing and augmentation. */
export function ExportTab({ datasetId }: { datasetId: number }) {
  const [draft, setDraft] = useState<ExportDraft>(INITIAL_EXPORT_DRAFT)
  const [jobIds, setJobIds] = useState<number[]>([])
  const start = useStartExport(datasetId)
  const set: SetExportField = (key) => (value) => setDraft((d) => ({ ...d, [key]: value }))
  const built = buildExportRequest(draft)

  const submit = (event: FormEvent) => {
    event.preventDefault()
    if ('error' in built) return
    start.mutate(
      { kind: 'dataset', format: draft.format, body: built.body },
      {
        onSuccess: ({ job }) => {
          setJobIds((ids) => [job.id, ...ids])
          toast.success(`Export started (job #${job.id})`)
        },
        onError: (error) => toast.error(`Export refused: ${errorMessage(error)}`),
      },
    )
  }

  return (
    <div className="grid items-start gap-4 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
      <Card>
        <CardHeader>
          <CardTitle>Export</CardTitle>
          <CardDescription>
            A zip archive in the format a trainer reads. Preprocessing applies to every image; augmentation adds copies of
            training images only.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <form className="flex flex-col gap-4" onSubmit={submit} data-testid="export-form">
            <FormatAndSource draft={draft} set={set} datasetId={datasetId} />
            <Preprocessing draft={draft} set={set} />
            <Augmentation draft={draft} set={set} />
            <SplitAndSeed draft={draft} set={set} />
            <div className="flex items-center justify-end gap-3 border-t pt-4">
              {'error' in built ? (
                <p className="mr-auto text-sm text-destructive" role="alert" data-testid="export-invalid">
                  {built.error}
                </p>
              ) : null}
              <Button type="submit" disabled={'error' in built || start.isPending} data-testid="start-export">
                {start.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : <DownloadIcon aria-hidden />}
                Export {exportFormatLabel(draft.format)}
              </Button>
            </div>
          </form>
        </CardContent>
      </Card>
      <Archives jobIds={jobIds} />
    </div>
  )
}
