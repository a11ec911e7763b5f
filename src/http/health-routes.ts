/** Liveness and readiness for orchestrators and load balancers. */
import express, { type Router } from 'express';
import type { CallRegistry } from '../call/call-registry.js';

export function healthRoutes(registry: CallRegistry): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Not ready while draining: the load balancer sends new calls elsewhere; calls in progress
  // continue on this instance. Still ready at MAX_CONCURRENT_CALLS: the webhook answers busy
  // itself, where a fleet all at capacity and all unready would give Twilio a balancer error
  // (an "application error" message to the caller) instead of a busy signal.
  router.get('/readyz', (_req, res) => {
    const body = { ready: !registry.isDraining, activeCalls: registry.activeCount };
    res.status(registry.isDraining ? 503 : 200).json(body);
  });
  return router;
}
