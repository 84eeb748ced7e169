/**
 * The GraphQL client: POST /graphql on the same origin with the token. A
 * GraphQL error is thrown as ApiError (shown by the page); a lost connection
 * (fetch fails, or the server answers 502-504) sets `connection` to offline,
 * which shows a banner, and the request is retried with back-off until the
 * server answers again.
 */
import { useEffect, useState } from 'preact/hooks';
import { token } from './auth.ts';
import { Store, useStore } from './store.ts';

export interface GraphqlErrorEntry {
  message: string;
  extensions?: { code?: string };
}

export class ApiError extends Error {
  constructor(
    readonly errors: GraphqlErrorEntry[],
    readonly status: number,
  ) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'ApiError';
  }
  get code(): string | undefined {
    return this.errors[0]?.extensions?.code;
  }
}

export type Connection = { online: true } | { online: false; retryInSeconds: number; attempts: number };
export const connection = new Store<Connection>({ online: true });

const RETRY_MS = [1000, 2000, 4000, 8000, 15000];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One operation; resolves with `data`, rejects with ApiError. Retries for as long as the server cannot be reached. */
export async function request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    let res: Response;
    try {
      const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
      const t = token.get();
      if (t) headers.authorization = `Bearer ${t}`;
      res = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      if (res.status >= 502 && res.status <= 504) throw new Error(`HTTP ${res.status}`);
    } catch {
      const wait = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)];
      connection.set({ online: false, retryInSeconds: wait / 1000, attempts: attempt + 1 });
      await sleep(wait);
      continue;
    }
    if (!connection.get().online) connection.set({ online: true });
    let body: { data?: T | null; errors?: GraphqlErrorEntry[] };
    try {
      body = await res.json();
    } catch {
      throw new ApiError([{ message: `The server answered HTTP ${res.status} without a GraphQL answer.` }], res.status);
    }
    if (body.errors?.length) throw new ApiError(body.errors, res.status);
    if (body.data == null) throw new ApiError([{ message: `The server answered HTTP ${res.status} without data.` }], res.status);
    return body.data;
  }
}

export type QueryState<T> = { loading: true; data?: undefined; error?: undefined } | { loading: false; data: T; error?: undefined } | { loading: false; data?: undefined; error: Error };

/** Runs `query` whenever `key` changes (a string of what it depends on); the last answer wins, an answer for another key is never returned. */
export function useQuery<T>(query: string | undefined, variables: Record<string, unknown>, key: string): QueryState<T> {
  const signedIn = useStore(token);
  const full = `${query}|${key}|${signedIn ?? ''}`;
  const [state, setState] = useState<{ key: string; state: QueryState<T> }>({ key: full, state: { loading: true } });
  useEffect(() => {
    if (query === undefined) return;
    let current = true;
    setState({ key: full, state: { loading: true } });
    request<T>(query, variables).then(
      (data) => current && setState({ key: full, state: { loading: false, data } }),
      (error: Error) => current && setState({ key: full, state: { loading: false, error } }),
    );
    return () => {
      current = false;
    };
  }, [full]);
  return state.key === full ? state.state : { loading: true };
}
