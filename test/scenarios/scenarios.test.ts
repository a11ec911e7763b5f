import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CallRecord, CallRecordEvent } from '../../src/call/call-record.js';
import { FRAME_TOLERANCE_MS, greetingItem, heardAtClear } from '../../src/demo/demo-checks.js';
import { discoverScenarios, runScenario, type ScenarioRun } from './scenario.js';

const SCENARIO_DIR = fileURLToPath(new URL('.', import.meta.url));
const scenarios = await discoverScenarios(SCENARIO_DIR);
/** A whole replayed call at 4× takes 6–8 s of wall time; this leaves room on a slow CI box. */
const RUN_TIMEOUT_MS = 30_000;

type EventOf<T extends CallRecordEvent['type']> = Extract<CallRecordEvent, { type: T }>;
function eventsOf<T extends CallRecordEvent['type']>(record: CallRecord, type: T): EventOf<T>[] {
  return record.events.filter((e): e is EventOf<T> => e.type === type);
}

/** The barge-ins that cut bot audio, with the caller turn that caused each and what it cut. */
function truncatingBargeIns(record: CallRecord) {
  const speechStarts = eventsOf(record, 'caller_speech_started');
  const finished = eventsOf(record, 'bot_item_finished');
  return eventsOf(record, 'barge_in')
    .filter((b) => b.truncated.length > 0)
    .map((b) => ({
      callerTurn: speechStarts.filter((s) => s.t <= b.t).length,
      interrupted: finished.find((f) => f.itemId === b.truncated[0]?.itemId)?.transcript ?? '',
      truncated: b.truncated,
    }));
}

describe('QA scenarios', () => {
  it('finds the scenario files', () => {
    expect(scenarios.map((s) => s.name)).toEqual(
      expect.arrayContaining(['order-lookup', 'noisy-line', 'quiet-caller', 'interrupting-caller']),
    );
  });
});

for (const scenario of scenarios) {
  const { expect: want } = scenario;
  describe(`scenario ${scenario.name}: ${scenario.description}`, () => {
    let run: ScenarioRun;
    let record: CallRecord;
    beforeAll(async () => {
      run = await runScenario(scenario);
      if (!run.result.callRecord) throw new Error(`no call record: ${run.result.callRecordError}`);
      record = run.result.callRecord;
    }, RUN_TIMEOUT_MS);

    if (want.greetingHeardInFull) {
      it('plays the greeting to the caller in full', () => {
        const greeting = greetingItem(record);
        expect(greeting?.interrupted).toBe(false);
        expect(greeting?.sentMs).toBeGreaterThan(0);
        expect(greeting?.heardMs).toBe(greeting?.sentMs);
      });
    }

    if (want.toolCalls) {
      it('calls the expected tools with the expected arguments', () => {
        const calls = eventsOf(record, 'tool_call').map((c) => ({
          name: c.name,
          arguments: JSON.parse(c.arguments) as unknown,
          status: c.status,
        }));
        expect(calls).toHaveLength(want.toolCalls?.length ?? 0);
        for (const [index, call] of (want.toolCalls ?? []).entries()) {
          expect(calls[index]).toMatchObject(call);
        }
      });
    }

    if (want.bargeIns) {
      it('has exactly the expected barge-ins, at the expected caller turns', () => {
        const seen = truncatingBargeIns(record).map((b) => ({
          callerTurn: b.callerTurn,
          interrupted: b.interrupted,
        }));
        expect(seen).toHaveLength(want.bargeIns?.length ?? 0);
        for (const [index, bargeIn] of (want.bargeIns ?? []).entries()) {
          expect(seen[index]?.callerTurn).toBe(bargeIn.callerTurn);
          expect(seen[index]?.interrupted.startsWith(bargeIn.interrupted ?? '')).toBe(true);
        }
      });
    }

    it('truncates every interrupted item within one frame of what the caller heard', () => {
      const cuts = truncatingBargeIns(record).flatMap((b) => b.truncated);
      for (const cut of cuts) {
        const heard = heardAtClear(run.result, cut.itemId);
        expect(heard, `no Twilio clear cut ${cut.itemId}`).toBeDefined();
        expect(Math.abs((heard ?? Infinity) - cut.audioEndMs)).toBeLessThanOrEqual(
          FRAME_TOLERANCE_MS,
        );
      }
      expect(cuts.length).toBe(want.bargeIns?.length ?? cuts.length);
    });

    if (want.outcome) {
      it(`ends the call with outcome ${want.outcome}`, () => {
        expect(record.outcome?.kind).toBe(want.outcome);
        expect(run.result.endReason).toBe('server_closed');
      });
    }

    if (want.noErrors) {
      it('logs no error in the call record and gets none from the model', () => {
        expect(eventsOf(record, 'error')).toEqual([]);
        expect(run.simulator.flatMap((s) => s.errors)).toEqual([]);
      });
    }
  });
}
