export * from './GitReader.ts';
export * from './IsomorphicGitReader.ts';
export * from './NativeGitReader.ts';
export * from './openRepo.ts';
export * from './RepoMirror.ts';
