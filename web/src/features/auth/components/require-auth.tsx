import type * as React from 'react'
import { Navigate, useLocation } from 'react-router'
import { ErrorState, LoadingState } from '@/components/states'
import { isApiError, loginUrl } from '@/lib/api'
import { useSession } from '../hooks/session'

/** Renders its children only for a signed-in person; otherwise sends them to /login?next=… */
export function RequireAuth({ children }: { children: React.ReactNode }) {
  const session = useSession()
  const location = useLocation()

  if (session.isPending) return <LoadingState label="Checking your session…" className="min-h-full" />
  if (session.isError) {
    if (isApiError(session.error) && session.error.status === 401) {
      return <Navigate to={loginUrl(`${location.pathname}${location.search}`)} replace />
    }
    return (
      <div className="flex min-h-full items-center justify-center">
        <ErrorState error={session.error} title="Shelfscope is not answering" onRetry={() => void session.refetch()} />
      </div>
    )
  }
  return <>{children}</>
}
