/**
 * OpenAI Realtime GA wire types, taken type-only from the `openai` package so every server event
 * is the vendor's own definition; nothing of the package is loaded at run time.
 */
export type {
  RealtimeServerEvent,
  RealtimeClientEvent,
  RealtimeSessionCreateRequest,
  RealtimeErrorEvent,
} from 'openai/resources/realtime/realtime';
