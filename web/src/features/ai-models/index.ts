export { useAiModels, useFetchAiModel } from './hooks/ai-models'
export { Capabilities, CAPABILITY_LABELS } from './components/capabilities'
