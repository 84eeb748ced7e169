export * from './CatalogViolation.ts';
export * from './Entity.ts';
export * from './EntityConnection.ts';
export * from './enums.ts';
export * from './Impact.ts';
export * from './Label.ts';
export * from './Neighbour.ts';
export * from './Query.ts';
