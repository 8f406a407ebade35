import { render, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import type { ExportResult } from '@/lib/api'
import { ExportSummary } from './export-job'

const result: ExportResult = {
  format: 'yolo',
  dataset_id: 3,
  version: null,
  key: 'exports/x.zip',
  filename: 'shelves-yolo.zip',
  size_bytes: 2048,
  images: 3,
  augmented_images: 0,
  annotations: 7,
  classes: ['cola'],
  splits: { train: 3 },
  seconds: 0.4,
  skipped_images: 1,
  warnings: ['Left out 1 image deleted while the export ran, with its annotations: a.jpg (image 9).'],
}

describe('ExportSummary', () => {
  it('shows the images an export left out because they were deleted while it ran', () => {
    render(<ExportSummary result={result} />)
    expect(screen.getByTestId('export-warning').textContent).toContain('a.jpg (image 9)')
  })

  it('shows no warning when nothing was left out', () => {
    render(<ExportSummary result={{ ...result, skipped_images: 0, warnings: [] }} />)
    expect(screen.queryByTestId('export-warning')).toBeNull()
  })
})
