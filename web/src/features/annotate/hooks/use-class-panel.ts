/**
 * The editor's classes for one dataset: its label set (keys 1–9) and the rest of the catalogue, and
 * the class an image opens with (the last one used in this dataset on this device).
 */
import { useQuery } from '@tanstack/react-query'
import { useEffect, useMemo, useRef } from 'react'
import type { Editor } from '@/editor/engine'
import { datasetsApi } from '@/features/datasets'
import { queryKeys } from '@/lib/api'
import { buildPanel, initialClass, recallClass, rememberClass, type CatalogueClass, type ClassPanel } from './class-panel'

export function useClassPanel(datasetId: number, catalogue: readonly CatalogueClass[] | undefined): ClassPanel {
  const labelSet = useQuery({
    queryKey: queryKeys.datasets.labelSet(datasetId),
    queryFn: ({ signal }) => datasetsApi.labelSet(datasetId, signal),
    // Keys should not move under the person's fingers while they label: read once per minute at most.
    staleTime: 60_000,
    refetchOnWindowFocus: false,
  })
  const items = labelSet.data?.items
  // A label set that cannot be read leaves the catalogue keyed, as before label sets.
  const settled = labelSet.isSuccess || labelSet.isError
  return useMemo(() => buildPanel(items ?? [], catalogue, settled && catalogue !== undefined), [items, catalogue, settled])
}

/** Opens each image with the last class used in this dataset, and remembers every class picked after that. */
export function useRememberedClass(editor: Editor, datasetId: number, panel: ClassPanel): void {
  const applied = useRef(false)
  useEffect(() => {
    if (!panel.ready || applied.current) return
    const wanted = initialClass(panel, recallClass(datasetId))
    if (wanted !== null) editor.setCurrentClass(wanted)
    applied.current = true
  }, [editor, datasetId, panel])
  useEffect(
    () =>
      editor.events.on('classchange', ({ currentClassId }) => {
        if (applied.current && currentClassId !== null) rememberClass(datasetId, currentClassId)
      }),
    [editor, datasetId],
  )
}
