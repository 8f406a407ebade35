import { useEffect, useState } from 'react'
import { Loader2Icon } from 'lucide-react'
import { toast } from 'sonner'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { errorMessage, type PrDataset, type ProductDomain } from '@/lib/api'
import { useUpdatePrDataset } from '../hooks/queries'
import { DomainChecks } from './dataset-form-fields'

/** The two knobs that move products in and out: counted domains and the minimum; the stats follow on save. */
export function SettingsCard({ dataset, canWrite }: { dataset: PrDataset; canWrite: boolean }) {
  const [domains, setDomains] = useState<ProductDomain[]>(dataset.domains)
  const [min, setMin] = useState(String(dataset.min_images_per_product))
  const update = useUpdatePrDataset(dataset.id)
  useEffect(() => {
    setDomains(dataset.domains)
    setMin(String(dataset.min_images_per_product))
  }, [dataset])
  const minValue = Number(min)
  const valid = min.trim() !== '' && Number.isInteger(minValue) && minValue >= 0 && domains.length > 0
  const dirty = minValue !== dataset.min_images_per_product || [...domains].sort().join() !== [...dataset.domains].sort().join()
  const save = () =>
    update.mutate({ domains, min_images_per_product: minValue }, { onSuccess: () => toast.success('Saved; stats updated'), onError: (e) => toast.error(errorMessage(e)) })
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-base">What counts</CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-3">
        <DomainChecks value={domains} onChange={setDomains} />
        <div className="flex items-end gap-2">
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="settings-min">Minimum images per product</Label>
            <Input id="settings-min" type="number" min={0} className="w-28" value={min} onChange={(e) => setMin(e.target.value)} disabled={!canWrite} />
          </div>
          <Button onClick={save} disabled={!canWrite || !valid || !dirty || update.isPending}>
            {update.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
            Save
          </Button>
        </div>
      </CardContent>
    </Card>
  )
}
