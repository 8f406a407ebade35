/** AI model weights (`/ml/models`): the catalogue and what is installed on the server. */
import type { Job } from './jobs'

/** embedder: a backbone product-recognition training fine-tunes (DINOv2, DINOv3). */
export type AiModelTask = 'detector' | 'segmenter' | 'embedder'

export type AiModelCapability =
  | 'text_prompt'
  | 'open_vocabulary'
  | 'image_query'
  | 'point_prompt'
  | 'box_prompt'
  | 'auto_masks'
  | 'image_embedding'
  /** A trained registry model: it finds the classes it was trained on, without prompts. */
  | 'fixed_classes'

export interface AiModel {
  key: string
  title: string
  task: AiModelTask
  family: string
  hub_id: string
  /** Approximate download size in MB (from the catalogue). */
  size_mb: number
  licence: string
  capabilities: AiModelCapability[]
  note: string
  /** The hub serves it only with an access token (SHELFSCOPE_ML_HUB_TOKEN). */
  gated?: boolean
  /** config.json and weights are in its folder. */
  present: boolean
  /** Bytes of everything in its folder (0 when there is none). */
  size_on_disk: number
  /** Where its save_pretrained folder lives on the server. */
  folder: string
  /** The queued or running download of this model, if any. */
  fetch_job: Job | null
  /** `trained`: a registry model (key `trained:<id>`). */
  source?: 'catalogue' | 'trained'
  /** The registry's default for AI annotation (listed first). */
  is_default?: boolean
  /** A trained model's class names, in its class index order. */
  classes?: string[]
}

export interface AiModelList {
  items: AiModel[]
}
