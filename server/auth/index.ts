export * from './Authenticator.ts';
export * from './oidc.ts';
export * from './settings.ts';
export * from './tokensFile.ts';
export * from './newToken.ts';
