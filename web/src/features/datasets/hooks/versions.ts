import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useTrackJob } from '@/features/jobs'
import {
  queryKeys,
  type DatasetFormat,
  type DatasetVersion,
  type ExportRequest,
  type Page,
  type VersionCreate,
} from '@/lib/api'
import { exportsApi, versionsApi } from '../api'

/** Poll while a version builds, so its status, counts and progress stay current. */
export function versionsPollInterval(versions: readonly Pick<DatasetVersion, 'status'>[] | undefined): number | false {
  return versions?.some((v) => v.status === 'building') ? 1500 : false
}

export function useVersions(datasetId: number) {
  return useQuery({
    queryKey: queryKeys.datasets.versions(datasetId),
    queryFn: ({ signal }) => versionsApi.list(datasetId, { limit: 100 }, signal),
    refetchInterval: (query) => versionsPollInterval(query.state.data?.items),
  })
}

export function useVersion(datasetId: number, number: number | null) {
  return useQuery({
    queryKey: queryKeys.datasets.version(datasetId, number ?? -1),
    queryFn: ({ signal }) => versionsApi.get(datasetId, number ?? -1, signal),
    enabled: number !== null,
    refetchInterval: (query) => (query.state.data?.status === 'building' ? 1500 : false),
  })
}

export function useCreateVersion(datasetId: number) {
  const queryClient = useQueryClient()
  const trackJob = useTrackJob()
  return useMutation({
    mutationFn: (body: VersionCreate) => versionsApi.create(datasetId, body),
    onSuccess: ({ job, version }) => {
      trackJob(job)
      // Show the new version as building at once (and let the list see it finish).
      queryClient.setQueryData<Page<DatasetVersion>>(queryKeys.datasets.versions(datasetId), (old) =>
        old ? { ...old, items: [version, ...old.items.filter((v) => v.number !== version.number)] } : old,
      )
      void queryClient.invalidateQueries({ queryKey: queryKeys.datasets.versions(datasetId), exact: true })
    },
  })
}

export type StartExport =
  | { kind: 'dataset'; format: DatasetFormat; body: ExportRequest }
  | { kind: 'version'; format: DatasetFormat; version: number }

export function useStartExport(datasetId: number) {
  const trackJob = useTrackJob()
  return useMutation({
    mutationFn: (input: StartExport) =>
      input.kind === 'dataset'
        ? exportsApi.start(datasetId, input.format, input.body)
        : exportsApi.startVersion(datasetId, input.version, input.format),
    onSuccess: ({ job }) => trackJob(job),
  })
}
