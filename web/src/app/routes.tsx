import { lazy, Suspense, type ComponentType } from 'react'
import { Navigate, Route, Routes } from 'react-router'
import { LoadingState } from '@/components/states'
import { AppLayout } from './app-layout'
import { NotFoundPage } from './not-found'

/** Code-split a named page export. */
function page<M, K extends keyof M>(load: () => Promise<M>, name: K) {
  return lazy(async () => ({ default: (await load())[name] as ComponentType }))
}

const LoginPage = page(() => import('@/features/auth/pages/LoginPage'), 'LoginPage')
const SetupPage = page(() => import('@/features/auth/pages/SetupPage'), 'SetupPage')
const DashboardPage = page(() => import('@/features/dashboard/pages/DashboardPage'), 'DashboardPage')
const JobsPage = page(() => import('@/features/jobs/pages/JobsPage'), 'JobsPage')
const JobDetailPage = page(() => import('@/features/jobs/pages/JobDetailPage'), 'JobDetailPage')
const ImagesPage = page(() => import('@/features/images/pages/ImagesPage'), 'ImagesPage')
const MaintenancePage = page(() => import('@/features/images/pages/MaintenancePage'), 'MaintenancePage')
const loadDatasets = () => import('@/features/datasets/pages/DatasetsPages')
const DatasetsPage = page(loadDatasets, 'DatasetsPage')
const DatasetDetailPage = page(loadDatasets, 'DatasetDetailPage')
const ClassesPage = page(() => import('@/features/classes/pages/ClassesPage'), 'ClassesPage')
const loadAnnotate = () => import('@/features/annotate/pages/AnnotatePages')
const AnnotateQueuePage = page(loadAnnotate, 'AnnotateQueuePage')
const AnnotateEditorPage = page(loadAnnotate, 'AnnotateEditorPage')
const loadTraining = () => import('@/features/training/pages/TrainingPages')
const TrainingRunsPage = page(loadTraining, 'TrainingRunsPage')
const NewTrainingPage = page(loadTraining, 'NewTrainingPage')
const TrainingRunPage = page(loadTraining, 'TrainingRunPage')
const loadModels = () => import('@/features/models/pages/ModelsPages')
const ModelsPage = page(loadModels, 'ModelsPage')
const ModelDetailPage = page(loadModels, 'ModelDetailPage')
const ModelsComparePage = page(loadModels, 'ModelsComparePage')
const AiModelsPage = page(() => import('@/features/ai-models/pages/AiModelsPage'), 'AiModelsPage')
const UsersPage = page(() => import('@/features/users/pages/UsersPage'), 'UsersPage')
const loadProducts = () => import('@/features/products/pages/ProductsPages')
const ProductsPage = page(loadProducts, 'ProductsPage')
const ProductDetailPage = page(loadProducts, 'ProductDetailPage')
const loadPrDatasets = () => import('@/features/pr-datasets/pages/PrDatasetsPages')
const PrDatasetsPage = page(loadPrDatasets, 'PrDatasetsPage')
const PrDatasetDetailPage = page(loadPrDatasets, 'PrDatasetDetailPage')
const CutoutsPage = page(() => import('@/features/cutouts/pages/CutoutsPages'), 'CutoutsPage')
const loadPrTraining = () => import('@/features/pr-training/pages/PrTrainingPages')
const PrRunsPage = page(loadPrTraining, 'PrRunsPage')
const PrRunDetailPage = page(loadPrTraining, 'PrRunDetailPage')
const loadPrModels = () => import('@/features/pr-models/pages/PrModelsPages')
const PrModelsPage = page(loadPrModels, 'PrModelsPage')
const PrModelDetailPage = page(loadPrModels, 'PrModelDetailPage')
const PrModelsComparePage = page(loadPrModels, 'PrModelsComparePage')
const EmbeddingsPage = page(() => import('@/features/pr-embeddings/pages/EmbeddingsPage'), 'EmbeddingsPage')
const loadMatching = () => import('@/features/matching/pages/MatchingPages')
const MatchingPage = page(loadMatching, 'MatchingPage')
const ShelfImagePage = page(loadMatching, 'ShelfImagePage')

export function AppRoutes() {
  return (
    <Suspense fallback={<LoadingState className="min-h-full" />}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="/setup" element={<SetupPage />} />
        <Route element={<AppLayout />}>
          <Route index element={<Navigate to="/od" replace />} />
          <Route path="od">
            <Route index element={<DashboardPage />} />
            <Route path="images" element={<ImagesPage />} />
            <Route path="datasets" element={<DatasetsPage />} />
            <Route path="datasets/:id" element={<DatasetDetailPage />} />
            <Route path="annotate" element={<AnnotateQueuePage />} />
            <Route path="annotate/:datasetId/:imageId" element={<AnnotateEditorPage />} />
            <Route path="classes" element={<ClassesPage />} />
            <Route path="training" element={<TrainingRunsPage />} />
            <Route path="training/new" element={<NewTrainingPage />} />
            <Route path="training/:id" element={<TrainingRunPage />} />
            <Route path="models" element={<ModelsPage />} />
            <Route path="models/compare" element={<ModelsComparePage />} />
            <Route path="models/:id" element={<ModelDetailPage />} />
          </Route>
          <Route path="jobs" element={<JobsPage />} />
          <Route path="admin/maintenance" element={<MaintenancePage />} />
          <Route path="jobs/:id" element={<JobDetailPage />} />
          <Route path="products" element={<ProductsPage />} />
          <Route path="products/:id" element={<ProductDetailPage />} />
          <Route path="datasets" element={<PrDatasetsPage />} />
          <Route path="datasets/:id" element={<PrDatasetDetailPage />} />
          <Route path="training" element={<PrRunsPage />} />
          <Route path="training/:id" element={<PrRunDetailPage />} />
          <Route path="models" element={<PrModelsPage />} />
          <Route path="models/compare" element={<PrModelsComparePage />} />
          <Route path="models/:id" element={<PrModelDetailPage />} />
          <Route path="embeddings" element={<EmbeddingsPage />} />
          <Route path="cutouts" element={<CutoutsPage />} />
          <Route path="matching" element={<MatchingPage />} />
          <Route path="matching/images/:imageId" element={<ShelfImagePage />} />
          <Route path="admin/users" element={<UsersPage />} />
          <Route path="settings/models" element={<AiModelsPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </Suspense>
  )
}
