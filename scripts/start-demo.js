// `npm start`: runs scripts/start-demo.ts through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
await import('./start-demo.ts');
