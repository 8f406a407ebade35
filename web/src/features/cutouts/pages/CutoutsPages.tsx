/** The cutouts page, one module for the router's code split. */
export { CutoutsPage } from './CutoutsPage'
