import { listen, type RunningHttpServer } from '../../server/listen.ts';
import { createRouter, type RequestObserver, type Route } from '../../server/router.ts';

/** The server's router over `routes`, listening on 127.0.0.1 on a free port. */
export function serveRoutes(routes: readonly Route[], observe?: RequestObserver): Promise<RunningHttpServer> {
  return listen({ listener: createRouter({ routes, observe }), port: 0, host: '127.0.0.1' });
}
