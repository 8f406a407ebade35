import { useEffect, useState } from 'react'
import { QueryClientProvider, useQueryClient } from '@tanstack/react-query'
import { BrowserRouter, useNavigate } from 'react-router'
import { Toaster } from '@/components/ui/sonner'
import { TooltipProvider } from '@/components/ui/tooltip'
import { loginUrl, queryKeys, setUnauthorizedHandler } from '@/lib/api'
import { createQueryClient } from './query-client'
import { AppRoutes } from './routes'

/** Send a 401 anywhere in the app to /login?next=<here>, through the router (no reload). */
function UnauthorizedRedirect() {
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  useEffect(() => {
    setUnauthorizedHandler((next) => {
      queryClient.removeQueries({ queryKey: queryKeys.auth.me() })
      void navigate(loginUrl(next), { replace: true })
    })
    return () => setUnauthorizedHandler(null)
  }, [navigate, queryClient])
  return null
}

export function App() {
  const [queryClient] = useState(createQueryClient)
  return (
    <QueryClientProvider client={queryClient}>
      <TooltipProvider delayDuration={300}>
        <BrowserRouter>
          <UnauthorizedRedirect />
          <AppRoutes />
        </BrowserRouter>
        <Toaster />
      </TooltipProvider>
    </QueryClientProvider>
  )
}
