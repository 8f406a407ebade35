export { MatchingPage } from './MatchingPage'
export { ShelfImagePage } from './ShelfImagePage'
