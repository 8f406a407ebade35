import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { configure, render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ChangePasswordDialog } from './change-password-dialog'

// Loaded CI machines: give dialogs and queries time to settle.
configure({ asyncUtilTimeout: 5000 })
vi.setConfig({ testTimeout: 20_000 })

function renderDialog(answer: () => Response) {
  const fetchMock = vi.fn(async () => answer())
  vi.stubGlobal('fetch', fetchMock)
  const onOpenChange = vi.fn()
  render(
    <QueryClientProvider client={new QueryClient()}>
      <ChangePasswordDialog open onOpenChange={onOpenChange} />
    </QueryClientProvider>,
  )
  return { fetchMock, onOpenChange }
}

/** Paste rather than type: typing key by key is slow on a busy machine and proves nothing more here. */
async function put(label: string, text: string) {
  const input = screen.getByLabelText(label)
  await userEvent.clear(input)
  await userEvent.click(input)
  await userEvent.paste(text)
}

async function fill(current: string, next: string, confirm = next) {
  if (current) await put('Current password', current)
  await put('New password', next)
  await put('Confirm new password', confirm)
  await userEvent.click(screen.getByRole('button', { name: 'Change password' }))
}

afterEach(() => vi.unstubAllGlobals())

describe('ChangePasswordDialog', () => {
  it('sends the current and new password with PUT and closes', async () => {
    const { fetchMock, onOpenChange } = renderDialog(() => new Response(null, { status: 204 }))
    await fill('old-password', 'a-new-password')
    await waitFor(() => expect(onOpenChange).toHaveBeenCalledWith(false))
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('/api/v1/auth/me/password')
    expect(init.method).toBe('PUT')
    expect(JSON.parse(String(init.body))).toEqual({ current_password: 'old-password', new_password: 'a-new-password' })
  })

  it('checks length, sameness and confirmation before asking the server', async () => {
    const { fetchMock } = renderDialog(() => new Response(null, { status: 204 }))
    await fill('old-password', 'short')
    expect(screen.getByText('At least 8 characters.')).toHaveClass('text-destructive')
    await fill('', 'long-enough-1', 'long-enough-2')
    expect(screen.getByText('The two new passwords do not match.')).toBeInTheDocument()
    expect(fetchMock).not.toHaveBeenCalled()
  })

  it('marks the current password when the server says it is wrong, and stays open', async () => {
    const body = {
      error: 'ValidationFailed',
      detail: 'current_password: does not match your current password',
      fields: [{ field: 'current_password', message: 'does not match your current password' }],
    }
    const { onOpenChange } = renderDialog(
      () => new Response(JSON.stringify(body), { status: 422, headers: { 'Content-Type': 'application/json' } }),
    )
    await fill('not-it', 'a-new-password')
    expect(await screen.findByText('That is not your current password.')).toBeInTheDocument()
    expect(screen.getByLabelText('Current password')).toHaveAttribute('aria-invalid', 'true')
    expect(onOpenChange).not.toHaveBeenCalled()
  })
})
