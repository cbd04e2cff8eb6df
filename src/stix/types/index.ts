/** The typed STIX 2.1 model; the validator's tables live in ../spec. */
export type * from './common.js'
export type * from './meta.js'
export type * from './sco.js'
export type * from './sdo.js'
export type * from './sro.js'
