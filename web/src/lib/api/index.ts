/** The data layer's shared half: the HTTP client, the one query-key factory and the API's shapes. Endpoints live in each feature's api.ts. */
export * from './client'
export * from './keys'
export * from './types'
export * from './upload'
