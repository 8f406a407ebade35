import { useMutation, useQueryClient } from '@tanstack/react-query'
import { odApi, queryKeys } from '@/lib/api'

/** Start a storage verification job (202 {job}). */
export function useStartVerify() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: (options: { regenerateThumbnails: boolean }) =>
      odApi.verifyStorage({ regenerate_thumbnails: options.regenerateThumbnails }),
    onSuccess: ({ job }) => {
      queryClient.setQueryData(queryKeys.jobs.detail(job.id), job)
      void queryClient.invalidateQueries({ queryKey: queryKeys.jobs.lists() })
    },
  })
}
