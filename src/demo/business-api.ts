/**
 * A small stand-in for an operator's business API (orders, opening hours, callbacks), so the
 * demo and the tests can exercise `config/tools.example.json` over real HTTP.
 */
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';

/** The token the demo uses when ACME_API_TOKEN is not set. */
export const DEMO_API_TOKEN = 'demo-token';

/** Options of the demo API. */
export interface BusinessApiOptions {
  /** Bearer token required on every request (default: ACME_API_TOKEN, else "demo-token"). */
  token?: string;
  /** Clock for "today"/"tomorrow" (tests pin it). */
  now?: () => Date;
}

const ORDERS: Record<string, unknown> = {
  '4217': {
    id: '4217',
    status: 'shipped',
    items: [{ sku: 'KETTLE-2', name: 'Electric kettle', quantity: 1 }],
    delivery: { carrier: 'UPS', expected: 'Thursday' },
  },
  '1001': {
    id: '1001',
    status: 'processing',
    items: [{ sku: 'MUG-6', name: 'Mug set', quantity: 2 }],
    delivery: { carrier: null, expected: 'next week' },
  },
  '3050': {
    id: '3050',
    status: 'delivered',
    items: [{ sku: 'TEA-50', name: 'Green tea', quantity: 5 }],
    delivery: { carrier: 'USPS', expected: 'Monday' },
  },
};

const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const HOURS: Record<string, { open: string; close: string } | null> = {
  sunday: null,
  saturday: { open: '10:00', close: '14:00' },
};

/** Builds the app (no listen), so tests can drive it directly. */
export function createBusinessApi(options: BusinessApiOptions = {}): express.Express {
  const token = options.token ?? process.env['ACME_API_TOKEN'] ?? DEMO_API_TOKEN;
  const now = options.now ?? (() => new Date());
  let nextCallbackId = 1;
  const app = express();
  app.use(requireBearer(token));
  app.use(express.json({ limit: '16kb' }));

  app.get('/orders/:orderId', (req, res) => {
    const order = ORDERS[req.params['orderId'] ?? ''];
    if (order) res.json(order);
    else res.status(404).json({ error: 'not_found', message: 'No order with that number.' });
  });

  app.get('/hours', (req, res) => {
    const asked = typeof req.query['day'] === 'string' ? req.query['day'].toLowerCase() : 'today';
    const offset = asked === 'today' ? 0 : asked === 'tomorrow' ? 1 : undefined;
    const day = offset === undefined ? asked : DAYS[(now().getDay() + offset) % 7];
    if (day === undefined || !DAYS.includes(day)) {
      res.status(400).json({ error: 'bad_day', message: 'Ask for today, tomorrow or a weekday.' });
      return;
    }
    const hours = day in HOURS ? HOURS[day] : { open: '09:00', close: '17:00' };
    res.json({
      day,
      isOpen: hours !== null,
      opens: hours?.open ?? null,
      closes: hours?.close ?? null,
    });
  });

  app.post('/callbacks', (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const { phone, reason, preferredTime } = body;
    if (typeof phone !== 'string' || phone === '' || typeof reason !== 'string' || reason === '') {
      res.status(400).json({ error: 'invalid', message: 'phone and reason are required.' });
      return;
    }
    const scheduledFor = typeof preferredTime === 'string' ? preferredTime : 'tomorrow at 10:00';
    res.status(201).json({ id: `cb-${nextCallbackId++}`, scheduledFor });
  });

  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'not_found', message: 'No such route.' });
  });
  app.use((error: { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    res.status(error.status ?? 500).json({ error: 'bad_request', message: 'Unreadable request.' });
  });
  return app;
}

function requireBearer(token: string) {
  const expected = Buffer.from(`Bearer ${token}`);
  return (req: Request, res: Response, next: NextFunction): void => {
    const given = Buffer.from(req.get('authorization') ?? '');
    if (given.length === expected.length && timingSafeEqual(given, expected)) {
      next();
      return;
    }
    res.status(401).json({ error: 'unauthorized', message: 'A valid bearer token is required.' });
  };
}

/** Starts the demo API; `url` has no trailing slash (use it as ACME_API_URL). */
export async function startBusinessApi(
  port = 0,
  host = '127.0.0.1',
  options: BusinessApiOptions = {},
): Promise<{ url: string; close(): Promise<void> }> {
  const app = createBusinessApi(options);
  const server = app.listen(port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
