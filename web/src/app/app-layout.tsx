import { Suspense } from 'react'
import { Outlet, useLocation } from 'react-router'
import { LoadingState } from '@/components/states'
import { RequireAuth } from '@/features/auth'
import { ErrorBoundary } from './error-boundary'
import { Sidebar } from './sidebar'
import { TopBar } from './topbar'

/** Signed-in shell: sidebar, top bar and the current page. */
export function AppLayout() {
  const location = useLocation()
  return (
    <RequireAuth>
      <div className="flex h-full">
        <Sidebar />
        <div className="flex min-w-0 flex-1 flex-col">
          <TopBar />
          <main className="flex-1 overflow-y-auto">
            <div className="mx-auto w-full max-w-7xl px-6 py-6">
              <ErrorBoundary key={location.pathname}>
                <Suspense fallback={<LoadingState />}>
                  <Outlet />
                </Suspense>
              </ErrorBoundary>
            </div>
          </main>
        </div>
      </div>
    </RequireAuth>
  )
}
