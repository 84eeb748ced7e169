import { createServer, type Server } from 'node:http';
import { entity } from '../helpers/gitRepo.ts';

/** An HTTP endpoint on 127.0.0.1 whose answer the test sets, counting the probes it gets. */
export class Endpoint {
  status = 500;
  probes = 0;
  private readonly server: Server;
  url = '';

  constructor() {
    this.server = createServer((_req, res) => {
      this.probes++;
      res.writeHead(this.status).end();
    });
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/health`;
    return this;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A catalog whose `api` component observes `url`, probed every 50 ms, reported on the first failure, cleared on the first success. */
export function observedCatalog(url: string): Record<string, string> {
  return {
    'team.yaml': entity('Group', 'team', { type: 'team' }),
    'api.yaml': entity('Component', 'api', {
      type: 'service',
      lifecycle: 'production',
      owner: 'team',
      observe: [{ http: { url, intervalSeconds: 0.05, timeoutSeconds: 1, failureThreshold: 1, successThreshold: 1 } }],
    }),
  };
}

export const findingKeyOf = (url: string): string => `http component:default/api ${url} unhealthy`;

export { waitFor } from '../helpers/waitFor.ts';
