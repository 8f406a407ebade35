import { describe, expect, it } from 'vitest'
import type { Job } from '@/lib/api'
import { catalogueResultOf, columnsMapping, csvHeader, defaultColumns, domainMapOf, issueWhere, jsonColumns, missingFields, splitCsvLine } from './catalogue'

describe('catalogue header', () => {
  it('reads the header of the shared products set, without a byte-order mark', () => {
    const text = '\uFEFFproduct_id,source_dataset,name,upc,coarse_class\r\ngsd_A,GSD,Arla milk,,Milk\r\n'
    expect(csvHeader(text)).toEqual(['product_id', 'source_dataset', 'name', 'upc', 'coarse_class'])
  })

  it('splits quoted cells with commas and doubled quotes', () => {
    expect(splitCsvLine('sku,"name, long","say ""hi""",  brand ')).toEqual(['sku', 'name, long', 'say "hi"', 'brand'])
  })

  it('lists the keys of a JSON catalogue, as a list or under "products"', () => {
    expect(jsonColumns('[{"sku":"a","name":"A"},{"sku":"b","brand":"X"}]')).toEqual(['sku', 'name', 'brand'])
    expect(jsonColumns('{"products":[{"code":"a"}]}')).toEqual(['code'])
    expect(jsonColumns('not json')).toEqual([])
  })
})

describe('column mapping', () => {
  it('defaults each field to the column of its name and sends only renamed ones', () => {
    const columns = ['product_id', 'Name', 'Brand', 'upc']
    const chosen = { ...defaultColumns(columns), sku: 'product_id', barcode: 'upc' }
    expect(chosen).toEqual({ name: 'Name', brand: 'Brand', sku: 'product_id', barcode: 'upc' })
    expect(columnsMapping(chosen)).toEqual({ sku: 'product_id', name: 'Name', barcode: 'upc', brand: 'Brand' })
    expect(columnsMapping({ sku: 'sku', name: 'name' })).toEqual({})
  })

  it('names the required fields no column feeds, once the header is known', () => {
    expect(missingFields(['product_id', 'name'], defaultColumns(['product_id', 'name']))).toEqual(['sku'])
    expect(missingFields(['product_id', 'name'], { sku: 'product_id', name: 'name' })).toEqual([])
    expect(missingFields([], {})).toEqual([])
  })
})

describe('domain map', () => {
  it('maps the shared set folders and skips empty rows', () => {
    const rows = [
      { folder: 'studio', domain: 'synthetic' as const },
      { folder: ' store ', domain: 'real' as const },
      { folder: 'shelf', domain: 'cutout' as const },
      { folder: '', domain: 'real' as const },
    ]
    expect(domainMapOf(rows)).toEqual({ map: { studio: 'synthetic', store: 'real', shelf: 'cutout' }, error: null })
  })

  it('refuses a folder mapped twice or a path', () => {
    expect(domainMapOf([{ folder: 'a', domain: 'real' }, { folder: 'a', domain: 'cutout' }]).error).toMatch(/mapped twice/)
    expect(domainMapOf([{ folder: 'a/b', domain: 'real' }]).error).toMatch(/one folder name/)
  })
})

describe('import report', () => {
  const job = (result: Job['result']) => ({ result })

  it('reads the counts of a finished import', () => {
    const r = catalogueResultOf(job({ products_created: 54, products_updated: 0, images_stored: 720, images_duplicate: 0, issues: [] }))
    expect(r).toEqual({ products_created: 54, products_updated: 0, products_skipped: 0, images_stored: 720, images_duplicate: 0, issues: [] })
  })

  it('reads the rows and files that failed an import, also under "report"', () => {
    const r = catalogueResultOf(job({ report: { issues: [{ row: 3, field: 'sku', detail: 'duplicate SKU' }, { file: 'x/studio/a.txt', detail: 'not an image' }] } }))
    expect(r?.issues.map(issueWhere)).toEqual(['row 3 · sku', 'file x/studio/a.txt'])
    expect(r?.products_created).toBe(0)
  })

  it('is null for a job without a report', () => {
    expect(catalogueResultOf(job(null))).toBeNull()
    expect(catalogueResultOf(job({ something: 1 }))).toBeNull()
  })
})
