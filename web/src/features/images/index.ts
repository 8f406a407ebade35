export { imagesApi } from './api'
export { LibraryPicker, type LibraryPickerProps } from './components/library-picker'
