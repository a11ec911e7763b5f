/**
 * The offline realtime simulator (QA tooling; the production server never imports it).
 * See README.md in this folder for what it simulates and how.
 */
export { startRealtimeSimulator } from './realtime-simulator.js';
export type { RealtimeSimulator, RealtimeSimulatorOptions } from './realtime-simulator.js';
export {
  buildSimulatorScript,
  loadSimulatorScript,
  SimulatorScriptError,
  FALLBACK_TEXT,
} from './simulator-script.js';
export type {
  AudioLoader,
  ScriptedReply,
  ScriptedTurn,
  SimulatorScript,
  SimulatorScriptJson,
  SpokenLine,
} from './simulator-script.js';
export { SimulatorSession } from './simulator-session.js';
export { EventLog } from './event-log.js';
export type { LogEntry, WaitOptions, WireEvent } from './event-log.js';
export type * from './session-record.js';
export { EnergyVad } from './vad.js';
export type { VadConfig, VadEvent } from './vad.js';
export {
  noiseUlaw,
  silenceUlaw,
  syntheticSpeechUlaw,
  toneUlaw,
  mixUlaw,
} from './synthetic-audio.js';
