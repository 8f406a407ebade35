import { useState } from 'react'
import { describe, expect, it } from 'vitest'
import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { ColorField, normalizeHex } from './color-field'

function Harness() {
  const [color, setColor] = useState('#3b82f6')
  return (
    <>
      <ColorField id="c" value={color} onChange={setColor} />
      <output data-testid="value">{color}</output>
    </>
  )
}

function AutoHarness() {
  const [color, setColor] = useState<string | null>(null)
  return (
    <>
      <ColorField id="c" value={color} onChange={setColor} onAuto={() => setColor(null)} />
      <output data-testid="value">{color ?? 'auto'}</output>
    </>
  )
}

describe('ColorField', () => {
  it('offers "Automatic" for a new class: no colour is sent and the server picks an unused one', async () => {
    const user = userEvent.setup()
    render(<AutoHarness />)
    const auto = screen.getByRole('button', { name: 'Automatic' })
    expect(auto).toHaveAttribute('aria-pressed', 'true')
    expect(screen.getByRole('textbox')).toHaveAttribute('placeholder', 'automatic')
    await user.click(screen.getByRole('button', { name: 'Use #2563eb' }))
    expect(screen.getByTestId('value')).toHaveTextContent('#2563eb')
    expect(auto).toHaveAttribute('aria-pressed', 'false')
    await user.click(auto)
    expect(screen.getByTestId('value')).toHaveTextContent('auto')
  })

  it('offers the palette without greys', () => {
    render(<Harness />)
    expect(screen.getAllByRole('button', { name: /^Use #/ })).toHaveLength(24)
    expect(screen.queryByRole('button', { name: 'Use #78716c' })).toBeNull()
    expect(screen.queryByRole('button', { name: 'Automatic' })).toBeNull()
  })

  it('accepts a typed hex colour in short or long form', () => {
    expect(normalizeHex('ABC')).toBe('#aabbcc')
    expect(normalizeHex('#1A2b3C')).toBe('#1a2b3c')
    expect(normalizeHex('#12345')).toBeNull()
    expect(normalizeHex('red')).toBeNull()
  })

  it('takes a colour from the palette or the hex field, and flags a bad hex without changing the value', async () => {
    const user = userEvent.setup()
    render(<Harness />)
    await user.click(screen.getByRole('button', { name: 'Use #ef4444' }))
    expect(screen.getByTestId('value')).toHaveTextContent('#ef4444')
    const hex = screen.getByRole('textbox')
    await user.clear(hex)
    await user.type(hex, '#10b981')
    expect(screen.getByTestId('value')).toHaveTextContent('#10b981')
    await user.clear(hex)
    await user.type(hex, '#zz')
    expect(hex).toHaveAttribute('aria-invalid', 'true')
    expect(screen.getByTestId('value')).toHaveTextContent('#10b981')
  })
})
