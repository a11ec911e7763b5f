/**
 * Built-in call control as the model sees it: `end_call` and `transfer_call`. Only their
 * definitions and the destination lookup live here; the call performs them.
 */
import type { BUILTIN_TOOL_NAMES, ToolsConfig } from '../config/tools-config.js';
import type { ToolDefinition } from '../realtime/realtime.js';

/** The model's name for hanging up. */
export const END_CALL_TOOL = 'end_call' satisfies (typeof BUILTIN_TOOL_NAMES)[number];
/** The model's name for transferring the caller. */
export const TRANSFER_CALL_TOOL = 'transfer_call' satisfies (typeof BUILTIN_TOOL_NAMES)[number];

/** Definitions of the enabled built-ins, to offer next to the HTTP tools. */
export function builtinToolDefinitions(config: ToolsConfig): ToolDefinition[] {
  const { endCall, transferCall } = config.builtins;
  const definitions: ToolDefinition[] = [];
  if (endCall.enabled) {
    definitions.push({
      name: END_CALL_TOOL,
      description: endCall.description,
      parameters: {
        type: 'object',
        properties: {
          reason: { type: 'string', description: 'Why the call is ending, in a few words.' },
        },
        required: ['reason'],
        additionalProperties: false,
      },
    });
  }
  if (transferCall.enabled && transferCall.destinations.length > 0) {
    // The model picks a name from a closed list; it never sees (or invents) a number.
    const names = transferCall.destinations.map((d) => d.name);
    const guide = transferCall.destinations
      .map((d) => (d.description ? `"${d.name}": ${d.description}` : `"${d.name}"`))
      .join('; ');
    definitions.push({
      name: TRANSFER_CALL_TOOL,
      description: transferCall.description,
      parameters: {
        type: 'object',
        properties: {
          destination: { type: 'string', enum: names, description: `Where to: ${guide}.` },
          reason: { type: 'string', description: 'Why the caller is transferred, in a few words.' },
        },
        required: ['destination'],
        additionalProperties: false,
      },
    });
  }
  return definitions;
}

/** The E.164 number of a configured destination, or undefined if transfer is off or it is unknown. */
export function resolveTransferDestination(config: ToolsConfig, name: unknown): string | undefined {
  const { transferCall } = config.builtins;
  if (!transferCall.enabled || typeof name !== 'string') return undefined;
  return transferCall.destinations.find((d) => d.name === name)?.number;
}
