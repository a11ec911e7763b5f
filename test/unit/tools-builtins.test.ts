import { describe, expect, it } from 'vitest';
import { parseToolsConfig, type ToolsConfig } from '../../src/config/tools-config.js';
import {
  builtinToolDefinitions,
  resolveTransferDestination,
} from '../../src/tools/builtin-tools.js';

function configWith(builtins: unknown): ToolsConfig {
  const { config, problems } = parseToolsConfig({ tools: [], builtins }, 'tools.json', {});
  if (!config) throw new Error(JSON.stringify(problems));
  return config;
}

const both = configWith({
  endCall: { enabled: true },
  transferCall: {
    enabled: true,
    destinations: [
      { name: 'billing', number: '+15005550006', description: 'invoices' },
      { name: 'sales', number: '+15005550007' },
    ],
  },
});

describe('builtinToolDefinitions', () => {
  it('offers nothing when no built-in is configured', () => {
    expect(builtinToolDefinitions(configWith(undefined))).toEqual([]);
  });

  it('offers end_call with a required reason', () => {
    const endCall = builtinToolDefinitions(both).find((d) => d.name === 'end_call');
    expect(endCall?.parameters).toMatchObject({ required: ['reason'] });
  });

  it('lets the model pick a transfer destination only by name, never seeing a number', () => {
    const transfer = builtinToolDefinitions(both).find((d) => d.name === 'transfer_call');
    expect(transfer?.parameters).toMatchObject({
      properties: { destination: { enum: ['billing', 'sales'] } },
      required: ['destination'],
    });
    expect(JSON.stringify(transfer)).not.toContain('+1500555');
  });

  it('uses the configured description', () => {
    const config = configWith({ endCall: { enabled: true, description: 'Hang up politely.' } });
    expect(builtinToolDefinitions(config)[0]?.description).toBe('Hang up politely.');
  });
});

describe('resolveTransferDestination', () => {
  it('returns the number of a configured destination', () => {
    expect(resolveTransferDestination(both, 'sales')).toBe('+15005550007');
  });

  it('returns undefined for a destination the model made up', () => {
    expect(resolveTransferDestination(both, '+15551234567')).toBeUndefined();
  });

  it('returns undefined when transfer is disabled', () => {
    const config = configWith({
      transferCall: { enabled: false, destinations: [{ name: 'a', number: '+15005550006' }] },
    });
    expect(resolveTransferDestination(config, 'a')).toBeUndefined();
  });
});
