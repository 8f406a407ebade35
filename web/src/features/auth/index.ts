export { RequireAuth } from './components/require-auth'
export { UserMenu } from './components/user-menu'
export { useSession } from './hooks/session'
