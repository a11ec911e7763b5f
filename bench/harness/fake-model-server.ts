/** The fake OpenAI Realtime endpoint: a `ws` server on 127.0.0.1 with one ModelSession per socket. */
import { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { ModelSession, type ModelContext } from './model-session.js';
import type { Ticker } from './ticker.js';

export class FakeModelServer {
  private readonly wss: WebSocketServer;
  private readonly sessions = new Set<ModelSession>();
  private sessionCounter = 0;
  /** Set per scenario; sessions read it when they open. */
  context: ModelContext | undefined;

  private constructor(
    wss: WebSocketServer,
    private readonly ticker: Ticker,
  ) {
    this.wss = wss;
    wss.on('connection', (ws, req) => {
      const ctx = this.context;
      if (!ctx || !req.headers.authorization?.startsWith('Bearer ')) {
        ws.close(1008, 'no scenario or no key');
        return;
      }
      const session = new ModelSession(++this.sessionCounter, ws, ctx);
      const tick = (now: number) => session.tick(now);
      this.sessions.add(session);
      this.ticker.add(tick);
      ws.on('message', (data, isBinary) => {
        if (!isBinary) session.onMessage(String(data));
      });
      ws.on('close', () => {
        session.close();
        this.sessions.delete(session);
        this.ticker.delete(tick);
      });
      ws.on('error', () => ws.terminate());
    });
  }

  /** Listens on an ephemeral port of 127.0.0.1. */
  static async start(ticker: Ticker): Promise<FakeModelServer> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    await new Promise<void>((resolve) => wss.once('listening', resolve));
    return new FakeModelServer(wss, ticker);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/v1/realtime`;
  }

  /** Sockets still open (the server closes each when its call ends). */
  get openSessions(): number {
    return this.sessions.size;
  }

  close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }
}
