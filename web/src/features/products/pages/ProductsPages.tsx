/** The catalogue pages, one module for the router's code split. */
export { ProductsPage } from './ProductsPage'
export { ProductDetailPage } from './ProductDetailPage'
