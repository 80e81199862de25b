import { describe, expect, it } from 'vitest';
import type { CommandView, MeasurementView } from './contract';
import { checkCommandValue, commandMessage, commandsReducer, lastState, type CommandRecord } from './commands';

const setP: CommandView = { verb: 'set', target: 'active_power', unit: 'watts', payload: 'float', display_name: 'Set active power' };
const p: MeasurementView = { unit: 'watts', type: 'float', display_name: 'Active power', bounds: { min: -500_000, max: 500_000 } };

describe('checkCommandValue', () => {
  it('accepts values inside the bounds, inclusive', () => {
    expect(checkCommandValue('250000', setP, p)).toEqual({ ok: true, value: 250000 });
    expect(checkCommandValue('-500000', setP, p)).toEqual({ ok: true, value: -500000 });
  });
  it('refuses out-of-bounds, empty and non-numeric input with a reason', () => {
    const hi = checkCommandValue('500001', setP, p);
    expect(hi.ok).toBe(false);
    if (!hi.ok) expect(hi.error).toMatch(/maximum 500 kW/);
    expect(checkCommandValue('-600000', setP, p).ok).toBe(false);
    expect(checkCommandValue('', setP, p).ok).toBe(false);
    expect(checkCommandValue('12abc', setP, p).ok).toBe(false);
    expect(checkCommandValue('Infinity', setP, p).ok).toBe(false);
  });
  it('implies the value of enable/disable and checks enum labels', () => {
    expect(checkCommandValue('', { ...setP, verb: 'enable', payload: 'bool' }, undefined)).toEqual({ ok: true, value: true });
    expect(checkCommandValue('', { ...setP, verb: 'disable', payload: 'bool' }, undefined)).toEqual({ ok: true, value: false });
    const mode: MeasurementView = { unit: 'none', type: 'enum', display_name: 'Mode', enum_values: ['AUTO', 'MANUAL'] };
    expect(checkCommandValue('AUTO', { ...setP, payload: 'enum' }, mode).ok).toBe(true);
    expect(checkCommandValue('OFF', { ...setP, payload: 'enum' }, mode).ok).toBe(false);
  });
});

describe('commandsReducer', () => {
  const rec: CommandRecord = {
    command_id: 'c1', device: 'r1', name: 'Set active power', verb: 'set', target: 'active_power', unit: 'watts',
    value: 1000, previous: 0, sent_at: 0, acks: [],
  };
  const ack = (state: 'received' | 'accepted' | 'done' | 'rejected', reason?: string) =>
    ({ type: 'ack', ack: { ts: '2026-12-04T08:00:00.000Z', command_id: 'c1', state, reason } }) as const;
  it('walks received -> accepted -> done and ignores repeats and unknown ids', () => {
    let s = commandsReducer([], { type: 'sent', record: rec });
    s = commandsReducer(s, ack('received'));
    s = commandsReducer(s, ack('received'));
    s = commandsReducer(s, ack('accepted'));
    s = commandsReducer(s, { type: 'ack', ack: { ts: 'x', command_id: 'other', state: 'done' } });
    s = commandsReducer(s, ack('done'));
    expect(s[0].acks.map((a) => a.state)).toEqual(['received', 'accepted', 'done']);
    expect(commandMessage(s[0])).toMatch(/done - the device confirmed/);
    // nothing after a terminal state
    expect(commandsReducer(s, ack('rejected'))).toBe(s);
  });
  it('says why a command was rejected', () => {
    let s = commandsReducer([], { type: 'sent', record: rec });
    s = commandsReducer(s, ack('rejected', 'value above the maximum'));
    expect(lastState(s[0])).toBe('rejected');
    expect(commandMessage(s[0])).toBe('Set active power = 1 kW: rejected, nothing was written - value above the maximum.');
  });
  it('expires commands without a final ack and records send failures', () => {
    let s = commandsReducer([], { type: 'sent', record: rec });
    s = commandsReducer(s, { type: 'expire', now: 31_000, after_ms: 30_000 });
    expect(commandMessage(s[0])).toMatch(/not confirmed - no final acknowledgement within 30 s/);
    s = commandsReducer([], { type: 'sent', record: rec });
    s = commandsReducer(s, { type: 'send_failed', command_id: 'c1', error: 'not connected to the broker' });
    expect(commandMessage(s[0])).toMatch(/not connected/);
  });
});
