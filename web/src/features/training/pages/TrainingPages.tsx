/** The training pages, one module for the router's code split. */
export { TrainingRunsPage } from './RunsPage'
export { NewTrainingPage } from './NewTrainingPage'
export { TrainingRunPage } from './RunDetailPage'
