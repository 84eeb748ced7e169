export * from './JsonReporter.ts';
export * from './MarkdownReporter.ts';
export * from './Reporter.ts';
export * from './TextReporter.ts';
