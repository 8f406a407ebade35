/** The catalogue import dialog's state: the files, the columns read from the file's header, both maps and the on-existing rule. */
import { useEffect, useState } from 'react'
import type { CatalogueImportOptions, OnExisting } from '@/lib/api'
import {
  columnsMapping,
  csvHeader,
  defaultColumns,
  domainMapOf,
  isJsonCatalogue,
  jsonColumns,
  missingFields,
  type CatalogueField,
  type DomainRow,
} from './catalogue'

/** Enough of a CSV to hold its header line; JSON catalogues are read whole up to this size. */
const HEADER_BYTES = 64 * 1024
const JSON_MAX_BYTES = 8 * 1024 * 1024

async function readColumns(file: File): Promise<string[]> {
  if (isJsonCatalogue(file)) return file.size <= JSON_MAX_BYTES ? jsonColumns(await file.text()) : []
  return csvHeader(await file.slice(0, HEADER_BYTES).text())
}

export function useCatalogueForm() {
  const [catalogue, setCatalogue] = useState<File | null>(null)
  const [images, setImages] = useState<File | null>(null)
  const [columns, setColumns] = useState<string[]>([])
  const [chosen, setChosen] = useState<Partial<Record<CatalogueField, string>>>({})
  const [rows, setRows] = useState<DomainRow[]>([])
  const [onExisting, setOnExisting] = useState<OnExisting>('fail')

  useEffect(() => {
    let live = true
    if (!catalogue) {
      setColumns([])
      setChosen({})
      return
    }
    void readColumns(catalogue).then((found) => {
      if (!live) return
      setColumns(found)
      setChosen(defaultColumns(found))
    })
    return () => {
      live = false
    }
  }, [catalogue])

  const domainMap = domainMapOf(rows)
  const missing = missingFields(columns, chosen)
  const options: CatalogueImportOptions = { columns: columnsMapping(chosen), domain_map: domainMap.map, on_existing: onExisting }
  const setColumn = (field: CatalogueField, column: string | null) =>
    setChosen((c) => {
      const next = { ...c }
      if (column) next[field] = column
      else delete next[field]
      return next
    })
  return {
    catalogue,
    setCatalogue,
    images,
    setImages,
    columns,
    chosen,
    setColumn,
    rows,
    setRows,
    onExisting,
    setOnExisting,
    options,
    mapError: domainMap.error,
    missing,
    ready: catalogue !== null && domainMap.error === null && missing.length === 0,
  }
}
