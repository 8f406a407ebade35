import { act, renderHook, waitFor } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { useCatalogueForm } from './catalogue-form'

describe('catalogue import form', () => {
  it('reads the chosen CSV header and needs the SKU column named before it is ready', async () => {
    const { result } = renderHook(() => useCatalogueForm())
    expect(result.current.ready).toBe(false)
    act(() => result.current.setCatalogue(new File(['product_id,name,upc\ngsd_a,A,\n'], 'products.csv', { type: 'text/csv' })))
    await waitFor(() => expect(result.current.columns).toEqual(['product_id', 'name', 'upc']))
    expect(result.current.missing).toEqual(['sku'])
    expect(result.current.ready).toBe(false)

    act(() => result.current.setColumn('sku', 'product_id'))
    act(() => result.current.setRows([{ folder: 'studio', domain: 'synthetic' }]))
    expect(result.current.ready).toBe(true)
    expect(result.current.options).toEqual({ columns: { sku: 'product_id' }, domain_map: { studio: 'synthetic' }, on_existing: 'fail' })
  })
})
