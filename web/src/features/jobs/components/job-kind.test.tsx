import { render, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { JobKind, jobKindLabel } from './job-kind'

describe('jobKindLabel', () => {
  it('names the known kinds in words', () => {
    expect(jobKindLabel('od.imports.run')).toBe('Import')
    expect(jobKindLabel('od.exports.run')).toBe('Export')
    expect(jobKindLabel('od.images.verify')).toBe('Verify storage')
    expect(jobKindLabel('ml.models.fetch')).toBe('Model download')
    expect(jobKindLabel('od.images.build_thumbnails')).toBe('Thumbnails')
  })

  it('drops the domain and the "run" verb of kinds it does not know', () => {
    expect(jobKindLabel('od.training.run')).toBe('Training')
    expect(jobKindLabel('od.autolabel.predict')).toBe('Autolabel predict')
    expect(jobKindLabel('test.steps')).toBe('Test steps')
    expect(jobKindLabel('od.import')).toBe('Import')
  })
})

describe('JobKind', () => {
  it('shows the file or dataset under the kind, and the raw kind only as a tooltip', () => {
    render(<JobKind kind="od.imports.run" label="shelves.zip → Shelves" />)
    expect(screen.getByText('Import')).toBeInTheDocument()
    expect(screen.getByTestId('job-label')).toHaveTextContent('shelves.zip → Shelves')
    expect(screen.queryByText('od.imports.run')).not.toBeInTheDocument()
    expect(screen.getByTitle('od.imports.run')).toBeInTheDocument()
  })
})
