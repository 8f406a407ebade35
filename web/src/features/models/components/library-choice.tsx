import { useState } from 'react'
import { ImagesIcon } from 'lucide-react'
import { EmptyState, ErrorState, LoadingState } from '@/components/states'
import { Button } from '@/components/ui/button'
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle, DialogTrigger } from '@/components/ui/dialog'
import { SearchInput } from '@/components/ui/search-input'
import type { LibraryImage } from '@/lib/api'
import { useDebounced } from '@/lib/use-debounced'
import { useTestImages } from '../hooks/queries'

function ImageChoices({ datasetId, onPick }: { datasetId: number | null; onPick: (image: LibraryImage) => void }) {
  const [q, setQ] = useState('')
  const query = useDebounced(q, 250)
  const images = useTestImages(datasetId, query)
  return (
    <div className="flex flex-col gap-3">
      <SearchInput value={q} onChange={(e) => setQ(e.target.value)} placeholder="Search by file name" aria-label="Search images" />
      {images.isPending ? (
        <LoadingState />
      ) : images.isError ? (
        <ErrorState error={images.error} />
      ) : images.data.items.length === 0 ? (
        <EmptyState title="No images" />
      ) : (
        <ul className="grid max-h-96 grid-cols-[repeat(auto-fill,minmax(6rem,1fr))] gap-2 overflow-auto" aria-label="Library images">
          {images.data.items.map((image) => (
            <li key={image.id}>
              <button type="button" onClick={() => onPick(image)} title={image.filename} aria-label={image.filename} className="block w-full overflow-hidden rounded-md border hover:ring-2 hover:ring-primary" data-testid="library-choice">
                <img src={image.thumbnail_url} alt="" loading="lazy" className="aspect-square w-full bg-muted object-cover" />
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}

/** Pick one library image (the model's own dataset first) to test the model on. */
export function LibraryChoice({ datasetId, onPick }: { datasetId: number | null; onPick: (image: LibraryImage) => void }) {
  const [open, setOpen] = useState(false)
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button variant="outline" size="sm" data-testid="pick-library-image">
          <ImagesIcon aria-hidden /> Pick from the library
        </Button>
      </DialogTrigger>
      <DialogContent className="max-w-3xl">
        <DialogHeader>
          <DialogTitle>Pick an image</DialogTitle>
          <DialogDescription>{datasetId ? 'Images of the dataset this model was trained on.' : 'Images in the library.'}</DialogDescription>
        </DialogHeader>
        <ImageChoices
          datasetId={datasetId}
          onPick={(image) => {
            onPick(image)
            setOpen(false)
          }}
        />
      </DialogContent>
    </Dialog>
  )
}
