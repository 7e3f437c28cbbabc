import { MethodNotAllowedError, NotFoundError } from '../errors';
import { commitLate, generateChanges, resetSimulator, setFaults, showFaults, showState } from './admin-routes';
import { serveCdcPage } from './cdc-route';
import type { RouteHandler } from './reply';

export interface Route {
  method: 'GET' | 'POST';
  path: string;
  /** Open routes answer without the bearer token (health checks). */
  open?: boolean;
  handle: RouteHandler;
}

export const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/health', open: true, handle: () => ({ status: 200, body: { status: 'ok' } }) },
  { method: 'GET', path: '/cdc', handle: serveCdcPage },
  { method: 'POST', path: '/admin/generate', handle: generateChanges },
  { method: 'GET', path: '/admin/faults', handle: showFaults },
  { method: 'POST', path: '/admin/faults', handle: setFaults },
  { method: 'POST', path: '/admin/reset', handle: resetSimulator },
  { method: 'POST', path: '/admin/commit-late', handle: commitLate },
  { method: 'GET', path: '/admin/state', handle: showState },
];

export function findRoute(method: string, path: string): Route {
  const candidates = ROUTES.filter((route) => route.path === path);
  if (candidates.length === 0) throw new NotFoundError(path);
  const route = candidates.find((candidate) => candidate.method === method);
  if (route === undefined)
    throw new MethodNotAllowedError(
      method,
      path,
      candidates.map((candidate) => candidate.method),
    );
  return route;
}
