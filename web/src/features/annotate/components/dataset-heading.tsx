/** The editor's heading: the dataset's name (a link back to it) and the image's file name. */
import { ChevronRightIcon } from 'lucide-react'
import { Link } from 'react-router'
import { useDataset } from '@/features/datasets'

export function DatasetHeading({ datasetId, filename }: { datasetId: number; filename: string | null }) {
  // The same query (and cache entry) as the dataset page, so going back shows it at once.
  const dataset = useDataset(datasetId)
  const name = dataset.data?.name ?? (dataset.isError ? `Dataset ${datasetId}` : '…')
  return (
    <h1 className="flex min-w-0 items-center gap-1 text-sm">
      <span className="sr-only">Annotation editor: </span>
      <Link
        to={`/od/datasets/${datasetId}`}
        className="min-w-0 max-w-72 truncate font-semibold hover:underline"
        title={`Open the dataset ${dataset.data?.name ?? ''}`.trim()}
        data-testid="editor-dataset-link"
      >
        {name}
      </Link>
      {filename ? (
        <>
          <ChevronRightIcon className="size-3.5 shrink-0 text-muted-foreground" aria-hidden />
          <span className="min-w-0 truncate font-normal text-muted-foreground">{filename}</span>
        </>
      ) : null}
    </h1>
  )
}
