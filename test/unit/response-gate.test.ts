import { describe, expect, it } from 'vitest';
import { ResponseGate } from '../../src/call/response-gate.js';

function setup() {
  const created: (string | undefined)[] = [];
  const gate = new ResponseGate((instructions) => created.push(instructions));
  return { gate, created };
}

describe('ResponseGate', () => {
  it('creates a response at once when none is active', () => {
    const { gate, created } = setup();
    gate.request('hello');
    expect(created).toEqual(['hello']);
  });

  it('holds a request while a response is active and sends it after response.done', () => {
    const { gate, created } = setup();
    gate.onCreated('resp_1');
    gate.request();
    expect(created).toEqual([]);
    gate.onDone('resp_1');
    expect(created).toEqual([undefined]);
  });

  it('collapses several held requests into one response', () => {
    const { gate, created } = setup();
    gate.onCreated('resp_1');
    gate.request();
    gate.request();
    gate.onDone('resp_1');
    expect(created).toHaveLength(1);
  });

  it('does not send a second create before the first one is acknowledged', () => {
    const { gate, created } = setup();
    gate.request();
    gate.request();
    expect(created).toHaveLength(1);
    gate.onCreated('resp_1');
    gate.onDone('resp_1');
    expect(created).toHaveLength(2);
  });

  it('retries a refused create after the service-started response is done', () => {
    const { gate, created } = setup();
    gate.request();
    gate.onCreateRefused();
    expect(created).toHaveLength(1);
    gate.onCreated('resp_server');
    gate.onDone('resp_server');
    expect(created).toHaveLength(2);
  });

  it('replays the refused create with its own instructions', () => {
    const { gate, created } = setup();
    gate.request('Say only this: "one moment"');
    gate.onCreateRefused();
    gate.onCreated('resp_server');
    gate.onDone('resp_server');
    expect(created).toEqual(['Say only this: "one moment"', 'Say only this: "one moment"']);
  });
});
