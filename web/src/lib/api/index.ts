export * from './client'
export * from './endpoints'
export * from './keys'
export * from './types'
