export * from './errors.ts';
export * from './EventBus.ts';
export * from './events.ts';
export * from './InMemoryEventBus.ts';
export * from './types.ts';
