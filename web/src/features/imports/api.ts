/** The dataset archive import endpoint. */
import { postForm, type DatasetFormat, type DatasetImportTarget, type JobEnvelope, type UploadOptions } from '@/lib/api'

export const importsApi = {
  /**
   * POST /od/images/import/{format} (multipart `file` = a zip, `dataset_id` | `dataset_name`, `on_invalid`):
   * 202 with the `od.imports.run` job. Unsafe archives are refused at once (422, `kind: "unsafe_archive"`),
   * files that are not zips with 415.
   */
  uploadArchive: (format: DatasetFormat, file: File, options: DatasetImportTarget & UploadOptions = {}) => {
    const form = new FormData()
    form.append('file', file, file.name)
    if (options.dataset_id) form.append('dataset_id', String(options.dataset_id))
    else if (options.dataset_name?.trim()) form.append('dataset_name', options.dataset_name.trim())
    if (options.on_invalid) form.append('on_invalid', options.on_invalid)
    return postForm<JobEnvelope>(`/od/images/import/${format}`, form, [202], options)
  },
}
