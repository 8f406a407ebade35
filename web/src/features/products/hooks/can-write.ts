import { useSession } from '@/features/auth'

/** Annotators and admins write; viewers read (the server refuses their writes too). */
export function useCanWrite(): boolean {
  const role = useSession().data?.user.role
  return role === 'admin' || role === 'annotator'
}
