import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { useState } from 'react'
import { MemoryRouter } from 'react-router'
import { describe, expect, it } from 'vitest'
import { buildPanel, type CatalogueClass } from '../hooks/class-panel'
import type { LabelSetClass } from '@/lib/api'
import { ClassPicker } from './class-picker'

const cat = (id: number, name: string): CatalogueClass => ({ id, name, display_name: '', color: '#ef4444' })
const CATALOGUE = [cat(1, 'apple'), cat(2, 'bottle'), cat(3, 'can'), cat(4, 'candy'), cat(5, 'raccoon')]
const member = (c: CatalogueClass): LabelSetClass => ({ ...c, category: null, key: null, listed: true, annotation_count: 0 })

function Harness({ labelSet }: { labelSet: LabelSetClass[] }) {
  const [current, setCurrent] = useState<number | null>(null)
  return (
    <MemoryRouter>
      <ClassPicker panel={buildPanel(labelSet, CATALOGUE)} datasetId={7} currentClassId={current} counts={new Map([[3, 2]])} onPick={setCurrent} />
      <output data-testid="current">{current ?? 'none'}</output>
    </MemoryRouter>
  )
}

const rows = () => screen.getAllByTestId('class-option').map((r) => r.textContent)

describe('ClassPicker', () => {
  it('lists the label set in order with its keys and keeps the rest of the catalogue behind the search', async () => {
    const user = userEvent.setup()
    render(<Harness labelSet={[member(CATALOGUE[2]!), member(CATALOGUE[1]!)]} />)
    expect(rows()).toEqual(['can21', 'bottle02'])
    expect(screen.getByTestId('other-classes-hint')).toHaveTextContent('3 more classes in the catalogue')
    expect(screen.getByRole('link', { name: 'Edit label set' })).toHaveAttribute('href', '/od/datasets/7?tab=classes')

    await user.type(screen.getByRole('textbox', { name: 'Search classes' }), 'c')
    expect(screen.getByText('This dataset')).toBeInTheDocument()
    expect(screen.getByText('Other classes')).toBeInTheDocument()
    expect(rows()).toEqual(['can21', 'candy0', 'raccoon0'])

    await user.click(within(screen.getByRole('radiogroup')).getByText('raccoon'))
    expect(screen.getByTestId('current')).toHaveTextContent('5')
  })

  it('picks the best match on Enter, clears the search and leaves the field so number keys work again', async () => {
    const user = userEvent.setup()
    render(<Harness labelSet={[member(CATALOGUE[1]!)]} />)
    const search = screen.getByRole('textbox', { name: 'Search classes' })
    await user.type(search, 'CAN{Enter}')
    expect(screen.getByTestId('current')).toHaveTextContent('3')
    expect(search).toHaveValue('')
    expect(search).not.toHaveFocus()

    await user.type(search, 'cand{Enter}')
    expect(screen.getByTestId('current')).toHaveTextContent('4')
    await user.type(search, 'zzz{Enter}')
    expect(screen.getByTestId('current')).toHaveTextContent('4')
    expect(screen.getByText('No class matches “zzz”.')).toBeInTheDocument()
  })

  it('keys the whole catalogue while the dataset has no label set, and says so', () => {
    render(<Harness labelSet={[]} />)
    expect(screen.getByText('All classes')).toBeInTheDocument()
    expect(rows()).toEqual(['apple01', 'bottle02', 'can23', 'candy04', 'raccoon05'])
    expect(screen.getByText(/no label set yet/)).toBeInTheDocument()
    expect(screen.getByRole('link', { name: 'Set up label set' })).toBeInTheDocument()
  })
})
