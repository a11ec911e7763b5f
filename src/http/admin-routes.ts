/** Call records for QA replay and operators, behind a bearer token (off when none is set). */
import { timingSafeEqual } from 'node:crypto';
import express, { type Router } from 'express';
import type { CallRegistry } from '../call/call-registry.js';

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function adminRoutes(registry: CallRegistry, adminToken: string): Router {
  const router = express.Router();
  router.get('/calls/:callSid', (req, res) => {
    const auth = req.header('authorization') ?? '';
    if (!auth.startsWith('Bearer ') || !sameSecret(auth.slice(7), adminToken)) {
      res.status(401).json({ error: 'unauthorized' });
      return;
    }
    const record = registry.record(req.params.callSid);
    if (!record) {
      res.status(404).json({ error: 'no such call' });
      return;
    }
    res.json(record);
  });
  return router;
}
