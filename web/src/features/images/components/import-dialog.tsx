import { useEffect, useRef, useState, type FormEvent } from 'react'
import { Loader2Icon, RefreshCwIcon } from 'lucide-react'
import { Link } from 'react-router'
import { toast } from 'sonner'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog'
import { Input } from '@/components/ui/input'
import { Label } from '@/components/ui/label'
import { Tabs, TabsContent, TabsList, TabsTrigger } from '@/components/ui/tabs'
import { Textarea } from '@/components/ui/textarea'
import { JobProgress, useLiveJob } from '@/features/jobs'
import { errorMessage, isActiveJob, type BatchResult, type Job } from '@/lib/api'
import { cn } from '@/lib/utils'
import { parseTags } from '../hooks/filters'
import { useImportUrls, useLibraryChanged, useStartSync } from '../hooks/images'
import { useUploadQueue } from '../hooks/upload-queue'
import { parseUrlLines, urlImportResultOf } from '../hooks/url-import'
import { DatasetImportTab } from '@/features/imports'
import { DropZone, UploadActions, UploadList, UploadSummaryBar } from './upload-zone'

export type ImportTab = 'upload' | 'url' | 'sync' | 'dataset'

function TargetFields({
  idPrefix,
  folder,
  tags,
  onFolder,
  onTags,
}: {
  idPrefix: string
  folder: string
  tags: string
  onFolder: (v: string) => void
  onTags: (v: string) => void
}) {
  return (
    <div className="grid gap-3 sm:grid-cols-2">
      <div className="flex flex-col gap-1.5">
        <Label htmlFor={`${idPrefix}-folder`}>Folder</Label>
        <Input
          id={`${idPrefix}-folder`}
          placeholder="e.g. stores/berlin"
          value={folder}
          onChange={(e) => onFolder(e.target.value)}
        />
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor={`${idPrefix}-tags`}>Tags</Label>
        <Input
          id={`${idPrefix}-tags`}
          placeholder="comma-separated, e.g. promo, aisle 3"
          value={tags}
          onChange={(e) => onTags(e.target.value)}
        />
      </div>
    </div>
  )
}

function UploadTab() {
  const [folder, setFolder] = useState('')
  const [tags, setTags] = useState('')
  const changed = useLibraryChanged()
  const queue = useUploadQueue({
    folder: folder.trim() || null,
    tags: parseTags(tags),
    onSettled: (summary) => {
      changed()
      const rejected = summary.rejected + summary.failed
      const message = `${summary.stored} stored, ${summary.duplicate} duplicate, ${rejected} rejected`
      if (rejected > 0) toast.warning(`Upload finished: ${message}`)
      else toast.success(`Upload finished: ${message}`)
    },
  })
  const { summary } = queue

  return (
    <div className="flex flex-col gap-4">
      <TargetFields idPrefix="upload" folder={folder} tags={tags} onFolder={setFolder} onTags={setTags} />
      <DropZone onFiles={queue.add} />
      {queue.items.length > 0 ? (
        <div className="flex flex-col gap-3">
          <UploadSummaryBar summary={summary} />
          <UploadList items={queue.items} />
          <div className="flex justify-end">
            <UploadActions busy={queue.busy} onCancel={queue.cancel} onClear={queue.clear} />
          </div>
        </div>
      ) : null}
    </div>
  )
}

function BatchResultList({ result }: { result: BatchResult }) {
  return (
    <div className="flex flex-col gap-2" data-testid="url-import-result">
      <div className="flex gap-1.5">
        <Badge variant="success">{result.stored} stored</Badge>
        <Badge variant="warning">{result.duplicate} duplicate</Badge>
        <Badge variant="destructive">{result.rejected} rejected</Badge>
      </div>
      <ul className="max-h-48 divide-y overflow-y-auto rounded-md border text-sm">
        {result.results.map((item, i) => (
          <li key={`${item.url ?? item.filename}-${i}`} className="flex flex-col gap-0.5 px-3 py-2">
            <div className="flex items-center gap-2">
              <span className="min-w-0 flex-1 truncate">{item.url ?? item.filename}</span>
              <Badge
                variant={item.status === 'stored' ? 'success' : item.status === 'duplicate' ? 'warning' : 'destructive'}
              >
                {item.status}
              </Badge>
            </div>
            {item.error ? <span className="text-xs text-destructive">{item.error.detail}</span> : null}
          </li>
        ))}
      </ul>
    </div>
  )
}

function UrlTab() {
  const [urls, setUrls] = useState('')
  const [folder, setFolder] = useState('')
  const [tags, setTags] = useState('')
  const [jobId, setJobId] = useState<number | null>(null)
  const importUrls = useImportUrls()
  const changed = useLibraryChanged()
  const { job } = useLiveJob(jobId)
  const toasted = useRef<number | null>(null)
  const list = parseUrlLines(urls)
  const result = job.data ? urlImportResultOf(job.data) : null
  const running = importUrls.isPending || (job.data ? isActiveJob(job.data) : jobId !== null)

  // When the job ends: refresh the library and say how it went, once.
  useEffect(() => {
    const data = job.data
    if (!data || isActiveJob(data) || toasted.current === data.id) return
    toasted.current = data.id
    changed()
    const done = urlImportResultOf(data)
    const message = done ? `${done.stored} stored, ${done.duplicate} duplicate, ${done.rejected} rejected` : ''
    if (done && done.rejected > 0) toast.warning(`URL import: ${message}`)
    else if (done) toast.success(`URL import: ${message}`)
    else if (data.status === 'cancelled') toast.warning(`URL import job #${data.id} cancelled`)
    else toast.error(`URL import failed: ${data.error ?? 'see the job for details'}`)
  }, [job.data, changed])

  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (list.length === 0) return
    importUrls.mutate(
      { urls: list, folder: folder.trim() || null, tags: parseTags(tags) },
      {
        onSuccess: ({ job: started }) => setJobId(started.id),
        onError: (error) => toast.error(errorMessage(error)),
      },
    )
  }

  return (
    <form className="flex flex-col gap-4" onSubmit={submit}>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="import-urls">Image URLs</Label>
        <Textarea
          id="import-urls"
          rows={5}
          placeholder={'https://example.com/shelf-1.jpg\nhttps://example.com/shelf-2.jpg'}
          value={urls}
          onChange={(e) => setUrls(e.target.value)}
        />
        <p className="text-xs text-muted-foreground">
          One per line, up to 100. The server fetches them in a background job with size and time limits; addresses
          on its own network are refused.
        </p>
      </div>
      <TargetFields idPrefix="url" folder={folder} tags={tags} onFolder={setFolder} onTags={setTags} />
      <div className="flex items-center justify-between gap-2">
        {jobId !== null ? (
          <Link to={`/jobs/${jobId}`} className="text-sm text-primary hover:underline">
            Job #{jobId}
          </Link>
        ) : (
          <span />
        )}
        <Button type="submit" disabled={running || list.length === 0 || list.length > 100}>
          {running ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
          Import {list.length > 0 ? list.length : ''} URL{list.length === 1 ? '' : 's'}
        </Button>
      </div>
      {job.data && isActiveJob(job.data) ? <JobProgress job={job.data} /> : null}
      {result ? <BatchResultList result={result} /> : null}
    </form>
  )
}

function SyncTab() {
  const [form, setForm] = useState({ dateFrom: '', dateTo: '', store: '', merchant: '', folder: '', tags: '' })
  const [job, setJob] = useState<Job | null>(null)
  const sync = useStartSync()
  const set = (key: keyof typeof form) => (value: string) => setForm((f) => ({ ...f, [key]: value }))

  const submit = (event: FormEvent) => {
    event.preventDefault()
    sync.mutate(
      {
        date_from: form.dateFrom ? new Date(`${form.dateFrom}T00:00:00Z`).toISOString() : null,
        date_to: form.dateTo ? new Date(`${form.dateTo}T23:59:59Z`).toISOString() : null,
        store_id: form.store.trim() || null,
        merchant_id: form.merchant.trim() || null,
        folder: form.folder.trim() || null,
        tags: parseTags(form.tags),
      },
      {
        onSuccess: ({ job }) => {
          setJob(job)
          toast.success(`Sync started (job #${job.id})`)
        },
        onError: (error) => toast.error(errorMessage(error)),
      },
    )
  }

  return (
    <form className="flex flex-col gap-4" onSubmit={submit}>
      <p className="text-sm text-muted-foreground">
        Pull new shelf photos from the configured image source (BuyBuddy). Images already synced are skipped. Runs as a
        background job; admins only.
      </p>
      <p className="rounded-md border bg-muted/40 px-3 py-2 text-xs text-muted-foreground" data-testid="sync-setup">
        To configure sync, set <code className="font-mono">SHELFSCOPE_SYNC_BASE_URL</code> (the source&apos;s address) and{' '}
        <code className="font-mono">SHELFSCOPE_SYNC_TOKEN</code> (its access token) on the server and restart it; the
        README&apos;s Configuration table lists them. Without them a sync is refused.
      </p>
      <div className="grid gap-3 sm:grid-cols-2">
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="sync-from">From date</Label>
          <Input id="sync-from" type="date" value={form.dateFrom} onChange={(e) => set('dateFrom')(e.target.value)} />
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="sync-to">To date</Label>
          <Input id="sync-to" type="date" value={form.dateTo} onChange={(e) => set('dateTo')(e.target.value)} />
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="sync-store">Store ID</Label>
          <Input id="sync-store" value={form.store} onChange={(e) => set('store')(e.target.value)} />
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="sync-merchant">Merchant ID</Label>
          <Input id="sync-merchant" value={form.merchant} onChange={(e) => set('merchant')(e.target.value)} />
        </div>
      </div>
      <TargetFields idPrefix="sync" folder={form.folder} tags={form.tags} onFolder={set('folder')} onTags={set('tags')} />
      <div className="flex items-center justify-between gap-2">
        {job ? (
          <Link to={`/jobs/${job.id}`} className="text-sm text-primary hover:underline">
            Follow job #{job.id}
          </Link>
        ) : (
          <span />
        )}
        <Button type="submit" disabled={sync.isPending}>
          {sync.isPending ? <Loader2Icon className="animate-spin" aria-hidden /> : <RefreshCwIcon aria-hidden />}
          Start sync
        </Button>
      </div>
    </form>
  )
}

export function ImportDialog({
  open,
  onOpenChange,
  initialTab = 'upload',
}: {
  open: boolean
  onOpenChange: (open: boolean) => void
  initialTab?: ImportTab
}) {
  const [tab, setTab] = useState<string>(initialTab)
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent
        className={cn('max-h-[calc(100vh-2rem)] overflow-y-auto', tab === 'dataset' ? 'sm:max-w-4xl' : 'sm:max-w-2xl')}
        data-testid="import-dialog"
      >
        <DialogHeader>
          <DialogTitle>Add images</DialogTitle>
          <DialogDescription>
            Upload files, fetch them from URLs, sync from the image source, or import a labelled COCO, YOLO or VOC dataset.
          </DialogDescription>
        </DialogHeader>
        <Tabs value={tab} onValueChange={setTab}>
          <TabsList>
            <TabsTrigger value="upload">Upload</TabsTrigger>
            <TabsTrigger value="url">From URL</TabsTrigger>
            <TabsTrigger value="sync">Sync</TabsTrigger>
            <TabsTrigger value="dataset">Import dataset</TabsTrigger>
          </TabsList>
          <TabsContent value="upload" forceMount className="data-[state=inactive]:hidden">
            <UploadTab />
          </TabsContent>
          <TabsContent value="url">
            <UrlTab />
          </TabsContent>
          <TabsContent value="sync">
            <SyncTab />
          </TabsContent>
          <TabsContent value="dataset" forceMount className="data-[state=inactive]:hidden">
            <DatasetImportTab />
          </TabsContent>
        </Tabs>
      </DialogContent>
    </Dialog>
  )
}
