/**
 * The harness process: fake Twilio callers and the fake OpenAI Realtime model in ONE process
 * (one clock for one-way latency), separate from the server under test. Driven over IPC by
 * bench/run.ts: reports the model's URL, plays one scenario, sends the result and exits.
 */
import { ScaledClock } from '../../src/replay/twilio/clock.js';
import { FakeModelServer } from './fake-model-server.js';
import type { FromHarness, ToHarness } from './protocol.js';
import { runScenario } from './run-scenario.js';
import { Ticker } from './ticker.js';

function tell(message: FromHarness): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

async function main(): Promise<void> {
  if (!process.send) {
    console.error('bench/harness/main.ts is started by bench/run.ts (it needs an IPC channel)');
    process.exitCode = 2;
    return;
  }
  // One clock for both fakes: the stamps' send times and the receive times are comparable.
  const clock = new ScaledClock(1);
  const ticker = new Ticker(() => clock.now());
  const model = await FakeModelServer.start(ticker);
  process.once('message', (raw) => {
    const msg = raw as ToHarness;
    void runScenario(msg.scenario, msg, model, ticker, clock, (phase) => void tell({ type: phase }))
      .then((result) => tell({ type: 'result', result }))
      .catch((err: unknown) => tell({ type: 'failed', error: String((err as Error).stack ?? err) }))
      .finally(async () => {
        await model.close();
        process.disconnect();
      });
  });
  await tell({ type: 'ready', modelUrl: model.url });
}

void main();
