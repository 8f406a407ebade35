export { trainingApi } from './api'
export { FieldError, FormField } from './components/form-field'
export { epochLabel, formatMetric, hasValues } from './hooks/charts'
export { apiFieldErrors, type FieldErrors } from './hooks/wizard-form'
