import { LinkIcon, Trash2Icon, WaypointsIcon } from 'lucide-react'
import { Link } from 'react-router'
import { toast } from 'sonner'
import { ListTable } from '@/components/list-table'
import { EmptyState } from '@/components/states'
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from '@/components/ui/alert-dialog'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { TableCell, TableRow } from '@/components/ui/table'
import { DomainBadges } from '@/features/products'
import { errorMessage, type EmbeddingCollection } from '@/lib/api'
import { formatBytes, formatCount, formatDateTime, formatRelative } from '@/lib/format'
import { useDeleteCollection } from '../hooks/queries'
import { LastJob } from './last-job'

const HEADINGS = ['Collection', 'Model', 'Vectors', 'Product images by domain', 'Size', 'Last extraction', '']

function DeleteCollection({ collection }: { collection: EmbeddingCollection }) {
  const remove = useDeleteCollection()
  const confirm = () =>
    remove.mutate(collection.id, {
      onSuccess: () => toast.success(`Deleted ${collection.name}`),
      onError: (e) => toast.error(errorMessage(e)),
    })
  return (
    <AlertDialog>
      <AlertDialogTrigger asChild>
        <Button size="icon-sm" variant="ghost" aria-label={`Delete ${collection.name}`} disabled={remove.isPending} data-testid="delete-collection">
          <Trash2Icon aria-hidden />
        </Button>
      </AlertDialogTrigger>
      <AlertDialogContent data-testid="delete-collection-dialog">
        <AlertDialogHeader>
          <AlertDialogTitle>Delete {collection.name}?</AlertDialogTitle>
          <AlertDialogDescription>
            Its {formatCount(collection.vector_count)} vectors and the match candidates they gave are removed. Confirmed matches stay; extract again to rebuild it.
          </AlertDialogDescription>
        </AlertDialogHeader>
        <AlertDialogFooter>
          <AlertDialogCancel>Keep it</AlertDialogCancel>
          <AlertDialogAction variant="destructive" onClick={confirm} data-testid="confirm-delete-collection">
            Delete collection
          </AlertDialogAction>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  )
}

function CollectionRow({ collection: c, canWrite }: { collection: EmbeddingCollection; canWrite: boolean }) {
  return (
    <TableRow data-testid="collection-row" data-collection-id={c.id} data-name={c.name}>
      <TableCell>
        <span className="block font-mono text-sm font-medium">{c.name}</span>
        <span className="text-xs text-muted-foreground" title={formatDateTime(c.updated_at)}>
          updated {formatRelative(c.updated_at)}
        </span>
      </TableCell>
      <TableCell className="max-w-64">
        <div className="flex items-center gap-2">
          {c.trained_model_id !== null ? (
            <Link to={`/models/${c.trained_model_id}`} className="truncate text-primary hover:underline">{c.model_name}</Link>
          ) : (
            <span className="truncate">{c.model_name}</span>
          )}
          <Badge variant={c.model_kind === 'trained' ? 'info' : 'secondary'}>{c.model_kind}</Badge>
        </div>
        <span className="text-xs text-muted-foreground">
          {c.backbone} · {c.dim}-d · {c.metric}
        </span>
      </TableCell>
      <TableCell>
        <span className="block font-medium tabular-nums" data-testid="collection-vectors">{formatCount(c.vector_count)}</span>
        <span className="text-xs whitespace-nowrap text-muted-foreground tabular-nums" data-testid="collection-kinds">
          {formatCount(c.by_kind.product_image ?? 0)} product images · {formatCount(c.by_kind.cutout ?? 0)} cutouts
        </span>
      </TableCell>
      <TableCell>
        <DomainBadges counts={c.by_domain} compact className="flex-nowrap" />
      </TableCell>
      <TableCell className="tabular-nums">{formatBytes(c.size_bytes)}</TableCell>
      <TableCell>{c.last_job_id !== null ? <LastJob jobId={c.last_job_id} /> : null}</TableCell>
      <TableCell className="text-right whitespace-nowrap">
        <Button size="sm" variant="outline" asChild>
          <Link to={`/matching?collection=${c.id}`} data-testid="match-collection">
            <LinkIcon aria-hidden /> Match
          </Link>
        </Button>
        {canWrite ? <DeleteCollection collection={c} /> : null}
      </TableCell>
    </TableRow>
  )
}

/** Every collection with its stats: vectors by kind and domain, model, size. */
export function CollectionsTable({ collections, pending, canWrite }: { collections: EmbeddingCollection[]; pending: boolean; canWrite: boolean }) {
  const empty =
    collections.length === 0 ? (
      <EmptyState icon={<WaypointsIcon aria-hidden />} title="No collections yet" description="Extract embeddings with a model above: its vectors land in a collection here." />
    ) : null
  return (
    <ListTable label="Embedding collections" headings={HEADINGS} pending={pending} empty={empty}>
      {collections.map((c) => (
        <CollectionRow key={c.id} collection={c} canWrite={canWrite} />
      ))}
    </ListTable>
  )
}
