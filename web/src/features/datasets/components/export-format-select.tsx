/** The export format picker, one for the Export tab and a version's quick export. */
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select'
import type { DatasetFormat } from '@/lib/api'

export const EXPORT_FORMATS: { value: DatasetFormat; label: string }[] = [
  { value: 'yolo', label: 'YOLO' },
  { value: 'coco', label: 'COCO' },
  { value: 'voc', label: 'Pascal VOC' },
]

export function exportFormatLabel(format: DatasetFormat): string {
  return EXPORT_FORMATS.find((f) => f.value === format)?.label ?? format.toUpperCase()
}

export function ExportFormatSelect({
  value,
  onChange,
  id,
  label,
  className,
  testId,
}: {
  value: DatasetFormat
  onChange: (format: DatasetFormat) => void
  /** For a <Label htmlFor>; without one, give `label` for the accessible name. */
  id?: string
  label?: string
  className?: string
  testId: string
}) {
  return (
    <Select value={value} onValueChange={(v) => onChange(v as DatasetFormat)}>
      <SelectTrigger id={id} aria-label={label} className={className} data-testid={testId}>
        <SelectValue />
      </SelectTrigger>
      <SelectContent>
        {EXPORT_FORMATS.map((f) => (
          <SelectItem key={f.value} value={f.value}>
            {f.label}
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  )
}
