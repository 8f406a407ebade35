import { useRef, useState } from 'react'
import { ImagePlusIcon, Loader2Icon } from 'lucide-react'
import { Link } from 'react-router'
import { toast } from 'sonner'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Label } from '@/components/ui/label'
import { Segmented } from '@/components/ui/segmented'
import { errorMessage, PRODUCT_DOMAINS, type ProductDomain, type ProductImageUploadResult } from '@/lib/api'
import { countOf } from '@/lib/format'
import { DOMAIN_HINT, DOMAIN_LABEL } from '../hooks/domains'
import { useUploadProductImages } from '../hooks/queries'

const DOMAIN_OPTIONS = PRODUCT_DOMAINS.map((d) => ({ value: d, label: DOMAIN_LABEL[d] }))

function UploadResult({ result }: { result: ProductImageUploadResult }) {
  const notStored = result.items.filter((i) => i.status !== 'stored')
  return (
    <div className="flex flex-col gap-1 text-sm" data-testid="upload-images-result">
      <p>
        {countOf(result.stored, 'image')} stored, {result.duplicates} already there, {result.errors} refused.
      </p>
      <ul className="max-h-40 overflow-y-auto text-xs">
        {notStored.map((item) => (
          <li key={item.filename} className={item.status === 'error' ? 'text-destructive' : 'text-muted-foreground'}>
            <span className="font-mono">{item.filename}</span>:{' '}
            {item.status === 'error' ? (item.error?.detail ?? 'refused') : <DuplicateNote productId={item.product_id ?? item.image?.product_id} />}
          </li>
        ))}
      </ul>
    </div>
  )
}

function DuplicateNote({ productId }: { productId: unknown }) {
  if (typeof productId !== 'number') return <>already stored</>
  return (
    <>
      already stored under{' '}
      <Link className="underline" to={`/products/${productId}`}>
        product #{productId}
      </Link>
    </>
  )
}

/** Add image files to a product, all in one chosen domain; duplicates (same bytes) are reported, not stored twice. */
export function UploadImagesDialog({ productId, open, onOpenChange }: { productId: number; open: boolean; onOpenChange: (open: boolean) => void }) {
  const [domain, setDomain] = useState<ProductDomain>('real')
  const [files, setFiles] = useState<File[]>([])
  const input = useRef<HTMLInputElement>(null)
  const upload = useUploadProductImages(productId)
  const start = () =>
    upload.mutate(
      { files, domain },
      {
        onSuccess: (r) => {
          toast.success(`Stored ${countOf(r.stored, 'image')} as ${DOMAIN_LABEL[domain].toLowerCase()}`)
          setFiles([])
        },
        onError: (e) => toast.error(`Upload refused: ${errorMessage(e)}`),
      },
    )
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        onOpenChange(next)
        if (!next) upload.reset()
      }}
    >
      <DialogContent data-testid="upload-images-dialog">
        <DialogHeader>
          <DialogTitle>Upload images</DialogTitle>
          <DialogDescription>JPEG, PNG or WebP files of this product, all in one domain.</DialogDescription>
        </DialogHeader>
        <div className="flex flex-col gap-1.5">
          <Label>Domain</Label>
          <Segmented label="Domain" value={domain} options={DOMAIN_OPTIONS} onChange={setDomain} testId="upload-domain" />
          <p className="text-xs text-muted-foreground">{DOMAIN_HINT[domain]}</p>
        </div>
        <div className="flex items-center gap-3">
          <input ref={input} type="file" multiple accept="image/*" className="sr-only" data-testid="upload-images-input" aria-label="Image files" onChange={(e) => setFiles([...(e.target.files ?? [])])} />
          <Button type="button" variant="outline" onClick={() => input.current?.click()}>
            <ImagePlusIcon aria-hidden /> Choose images…
          </Button>
          <span className="text-sm text-muted-foreground">{files.length > 0 ? countOf(files.length, 'file') + ' chosen' : 'No files chosen'}</span>
        </div>
        {upload.data ? <UploadResult result={upload.data} /> : null}
        <DialogFooter>
          <Button variant="outline" onClick={() => onOpenChange(false)}>
            Close
          </Button>
          <Button onClick={start} disabled={files.length === 0 || upload.isPending} data-testid="upload-images-start">
            {upload.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
            Upload {files.length > 0 ? files.length : ''}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  )
}
