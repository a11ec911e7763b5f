/**
 * The no-op forwarder: the least a bridge can do, to measure the harness's own share of the
 * latency and a floor for CPU. Twilio media → input_audio_buffer.append, output_audio.delta →
 * Twilio media, the model socket opened at the webhook (pre-warm) as Switchboard does; no marks,
 * no playback tracking, no barge-in, no signatures, no logging. Same env as the server (HOST,
 * PORT, PUBLIC_URL, OPENAI_REALTIME_URL, OPENAI_API_KEY).
 */
import { createServer } from 'node:http';
import WebSocket, { WebSocketServer } from 'ws';

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 8080);
const publicHost = new URL(process.env.PUBLIC_URL ?? 'https://localhost').host;
const modelUrl = process.env.OPENAI_REALTIME_URL ?? 'ws://127.0.0.1:1';
const apiKey = process.env.OPENAI_API_KEY ?? '';

const PAYLOAD_KEY = '"payload":"';
const DELTA_TYPE = '"type":"response.output_audio.delta"';
const DELTA_KEY = '"delta":"';

/** The JSON string value that starts right after `key` in `text` (no escapes in base64). */
function valueAfter(text: string, key: string): string | undefined {
  const at = text.indexOf(key);
  if (at < 0) return undefined;
  const start = at + key.length;
  return text.slice(start, text.indexOf('"', start));
}

/**
 * Model sockets opened at the voice webhook, by CallSid, as Switchboard pre-warms: the relay's
 * greeting then measures the same path (start → response.create → first audio), so its figure is
 * the harness's own share of Switchboard's.
 */
const prewarmed = new Map<string, WebSocket>();

function openUpstream(): WebSocket {
  const ws = new WebSocket(modelUrl, {
    headers: { Authorization: `Bearer ${apiKey}` },
    perMessageDeflate: false,
  });
  ws.on('error', () => ws.terminate());
  return ws;
}

function bridge(twilio: WebSocket): void {
  let upstream: WebSocket | undefined;
  let streamSid = '';
  const early: string[] = [];
  twilio.on('message', (data) => {
    const text = String(data);
    if (text.startsWith('{"event":"media"')) {
      const payload = valueAfter(text, PAYLOAD_KEY);
      if (payload === undefined) return;
      const msg = `{"type":"input_audio_buffer.append","audio":"${payload}"}`;
      if (upstream?.readyState === WebSocket.OPEN) upstream.send(msg);
      else early.push(msg);
      return;
    }
    const event = JSON.parse(text) as {
      event?: string;
      start?: { streamSid?: string; callSid?: string };
    };
    if (event.event === 'start') {
      streamSid = event.start?.streamSid ?? '';
      const callSid = event.start?.callSid ?? '';
      const warm = prewarmed.get(callSid);
      prewarmed.delete(callSid);
      upstream = warm ?? openUpstream();
      const greet = () => {
        upstream!.send('{"type":"response.create"}');
        for (const m of early.splice(0)) upstream!.send(m);
      };
      if (upstream.readyState === WebSocket.OPEN) greet();
      else upstream.once('open', greet);
      upstream.on('message', (raw) => {
        const t = String(raw);
        if (!t.includes(DELTA_TYPE)) return;
        const delta = valueAfter(t, DELTA_KEY);
        if (delta !== undefined && twilio.readyState === WebSocket.OPEN) {
          twilio.send(
            `{"event":"media","streamSid":"${streamSid}","media":{"payload":"${delta}"}}`,
          );
        }
      });
      upstream.on('error', () => twilio.close());
    } else if (event.event === 'stop') {
      upstream?.close();
    }
  });
  twilio.on('close', () => upstream?.close());
  twilio.on('error', () => upstream?.terminate());
}

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') {
    res.writeHead(200).end('ok');
  } else if (req.method === 'POST' && req.url === '/twilio/voice') {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const callSid = new URLSearchParams(body).get('CallSid');
      if (callSid) prewarmed.set(callSid, openUpstream());
    });
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="wss://${publicHost}/twilio/media"/></Connect></Response>`,
    );
  } else {
    res.writeHead(404).end();
  }
});
server.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => bridge(ws));
});
server.listen(port, host);
process.on('SIGTERM', () => {
  for (const c of wss.clients) c.terminate();
  server.close(() => process.exit(0));
});
