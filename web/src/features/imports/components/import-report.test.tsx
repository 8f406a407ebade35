import { render, screen, within } from '@testing-library/react'
import { MemoryRouter } from 'react-router'
import { describe, expect, it } from 'vitest'
import { importReportOf, type ImportReport, type JsonObject } from '@/lib/api'
import { ImportReportView } from './import-report'

function report(overrides: Partial<ImportReport> = {}): ImportReport {
  return {
    outcome: 'imported',
    format: 'coco',
    source: 'shelves.zip',
    on_invalid: 'skip',
    dataset_id: 9,
    dataset_name: 'Shelves',
    dataset_created: true,
    images: { listed: 4, stored: 3, reused: 1, merged: 0, added_to_dataset: 4, already_in_dataset: 0, skipped: 0 },
    annotations: { read: 12, imported: 10, skipped: 2, duplicates: 0, clipped: 1, rescaled: 0 },
    classes: { matched: ['cola'], matched_by_alias: [{ label: 'coke', class_name: 'cola' }], created: ['chips'], unused: [] },
    splits: { val: 1, train: 3 },
    dropped: {},
    issue_counts: { invalid: 2 },
    issues: [
      { severity: 'invalid', kind: 'bad_box', message: 'x2 is left of x1', file: 'annotations.json', line: 14, field: 'bbox' },
      { severity: 'warning', kind: 'clipped', message: 'clipped to the image', file: 'annotations.json', line: 20, field: null },
    ],
    issues_truncated: false,
    seconds: 1.25,
    ...overrides,
  }
}

describe('ImportReportView', () => {
  it('shows the counts, classes, splits and every issue of an import', () => {
    render(
      <MemoryRouter>
        <ImportReportView report={report()} />
      </MemoryRouter>,
    )
    expect(screen.getByTestId('import-report')).toHaveAttribute('data-outcome', 'imported')
    expect(screen.getByTestId('report-annotations-imported')).toHaveTextContent('10')
    expect(screen.getByTestId('report-annotations-skipped')).toHaveTextContent('2')
    expect(screen.getByTestId('report-images-reused')).toHaveTextContent('1')
    expect(screen.getByTestId('report-classes-alias')).toHaveTextContent('coke → cola')
    expect(screen.getByTestId('report-classes-created')).toHaveTextContent('chips')
    expect(screen.getByTestId('report-splits').textContent).toBe('train: 3val: 1')
    expect(screen.getByTestId('import-dataset-link')).toHaveAttribute('href', '/od/datasets/9')
    const rows = screen.getAllByTestId('report-issue')
    expect(rows).toHaveLength(2)
    expect(within(rows[0] as HTMLElement).getByText('x2 is left of x1')).toBeInTheDocument()
    expect(rows[0]).toHaveTextContent('bbox')
    expect(rows[0]).toHaveTextContent('14')
  })

  it('says a rejected import imported nothing and does not link the dataset', () => {
    render(
      <MemoryRouter>
        <ImportReportView report={report({ outcome: 'rejected' })} />
      </MemoryRouter>,
    )
    expect(screen.getByTestId('import-outcome')).toHaveTextContent('Rejected')
    expect(screen.getByTestId('import-rejected-note')).toHaveTextContent('Nothing was imported: 1 invalid entry')
    expect(screen.queryByTestId('import-dataset-link')).toBeNull()
  })
})

describe('ImportReportView in a dialog', () => {
  it('wraps a long message inside the report instead of widening the dialog', () => {
    const long = 'No images were found under ' + 'C:/Users/someone/exports/'.repeat(12)
    render(
      <MemoryRouter>
        <ImportReportView
          report={report({ issues: [{ severity: 'invalid', kind: 'no_images', message: long, file: null, line: null, field: null }] })}
        />
      </MemoryRouter>,
    )
    expect(screen.getByTestId('import-report').className).toContain('min-w-0')
    expect(screen.getByTestId('report-issue-message')).toHaveTextContent(long)
    expect(screen.getByTestId('report-issue-message').className).toContain('[overflow-wrap:anywhere]')
  })
})

describe('importReportOf', () => {
  it('reads a report from a job result and ignores anything else', () => {
    expect(importReportOf({ result: report() as unknown as JsonObject })?.outcome).toBe('imported')
    expect(importReportOf({ result: null })).toBeNull()
    expect(importReportOf({ result: { checked: 3 } })).toBeNull()
  })
})
