import { describe, expect, it } from 'vitest';
import {
  ackTopic, commandTopic, decodeAck, decodeServiceStatus, decodeSample, decodeTopologyChanged, decodeView, deviceMeasurements,
  encodeCommand, measurementTopic, parseTopic,
} from './contract';

describe('topics', () => {
  it('parses the five topic shapes of the contract', () => {
    expect(parseTopic('sites/demo_site/devices/bess_rack_1/measurements/active_power/watts')).toEqual({
      family: 'measurements', site: 'demo_site', device: 'bess_rack_1', measurement: 'active_power', unit: 'watts',
    });
    expect(parseTopic('sites/demo_site/devices/bess_rack_1/commands/set/active_power/watts')).toMatchObject({ family: 'commands', verb: 'set' });
    expect(parseTopic('sites/demo_site/devices/bess_rack_1/acks/set/active_power/watts')).toMatchObject({ family: 'acks', target: 'active_power' });
    expect(parseTopic('system/topology_changed')).toEqual({ family: 'system', event: 'topology_changed' });
    expect(parseTopic('services/gateway-1-of-2/status')).toEqual({ family: 'services', service: 'gateway-1-of-2' });
  });
  it('rejects other depths, families, units, verbs and slugs', () => {
    for (const t of [
      'sites/demo_site/devices/d1/measurements/p', // depth 6
      'sites/demo_site/devices/d1/measurements/p/kilowatts', // unit
      'sites/demo_site/devices/d1/telemetry/p/watts', // family
      'sites/demo_site/devices/d1/commands/toggle/p/watts', // verb
      'sites/demo_site/devices/D1/measurements/p/watts', // slug
      'sites/demo_site/devices/d1/measurements/p/watts/x',
      'system/Topology', 'services/Gateway/status', '#', '',
    ]) expect(parseTopic(t), t).toBeNull();
  });
  it('builds topics that parse back', () => {
    const m = measurementTopic('s1', 'bess_rack_1', 'active_power', 'watts');
    expect(parseTopic(m)).toMatchObject({ device: 'bess_rack_1' });
    expect(commandTopic('s1', 'r1', 'set', 'active_power', 'watts')).toBe('sites/s1/devices/r1/commands/set/active_power/watts');
    expect(ackTopic('s1', 'r1', 'set', 'active_power', 'watts')).toBe('sites/s1/devices/r1/acks/set/active_power/watts');
  });
});

describe('payloads', () => {
  const ts = '2026-11-26T07:05:11.123Z';
  it('decodes samples by the value type of the measurement', () => {
    expect(decodeSample(JSON.stringify({ ts, value: 1.5 }), 'float')).toEqual({ ok: true, value: { ts, value: 1.5 } });
    expect(decodeSample(JSON.stringify({ ts, value: true }), 'bool').ok).toBe(true);
    expect(decodeSample(JSON.stringify({ ts, value: 'CHARGING' }), 'enum').ok).toBe(true);
  });
  it('refuses payloads that do not fit, with a reason', () => {
    expect(decodeSample('nope', 'float')).toEqual({ ok: false, error: 'not JSON' });
    expect(decodeSample('[1]', 'float')).toEqual({ ok: false, error: 'not a JSON object' });
    expect(decodeSample(JSON.stringify({ ts, value: '1' }), 'float').ok).toBe(false);
    expect(decodeSample(JSON.stringify({ ts, value: null }), 'float').ok).toBe(false);
    expect(decodeSample(JSON.stringify({ ts: '2026-11-26 07:05', value: 1 }), 'float').ok).toBe(false);
    expect(decodeSample(JSON.stringify({ ts: '2026-11-26T07:05:11+01:00', value: 1 }), 'float').ok).toBe(false);
    expect(decodeSample(JSON.stringify({ value: 1 }), 'float').ok).toBe(false);
    expect(decodeSample(JSON.stringify({ ts, value: 1 }), 'bool').ok).toBe(false);
  });
  it('decodes acks and topology events', () => {
    expect(decodeAck(JSON.stringify({ ts, command_id: 'a', state: 'rejected', reason: 'above max' }))).toEqual({
      ok: true, value: { ts, command_id: 'a', state: 'rejected', reason: 'above max' },
    });
    expect(decodeAck(JSON.stringify({ ts, command_id: 'a', state: 'finished' })).ok).toBe(false);
    expect(decodeAck(JSON.stringify({ ts, state: 'done' })).ok).toBe(false);
    expect(decodeTopologyChanged(JSON.stringify({ ts, version: '1.2.3' })).ok).toBe(true);
    expect(decodeTopologyChanged(JSON.stringify({ ts, version: 'v1' })).ok).toBe(false);
    expect(decodeServiceStatus(JSON.stringify({ ts, value: 'OFFLINE' }))).toEqual({ ok: true, value: { ts, value: 'OFFLINE' } });
    expect(decodeServiceStatus(JSON.stringify({ ts, value: 'DOWN' })).ok).toBe(false);
  });
  it('encodes commands with a command_id and millisecond UTC time', () => {
    const now = new Date(Date.UTC(2026, 11, 4, 8, 0, 0, 7));
    expect(JSON.parse(encodeCommand(2500, 'id-1', now))).toEqual({ ts: '2026-12-04T08:00:00.007Z', command_id: 'id-1', value: 2500 });
    expect(JSON.parse(encodeCommand(undefined, 'id-2', now))).toEqual({ ts: '2026-12-04T08:00:00.007Z', command_id: 'id-2' });
  });
});

describe('view', () => {
  const view = {
    site_id: 's', version: '1.0.0', roots: ['m'], buses: [],
    devices: {
      m: { device_id: 'm', template: 'mod', parent: null, display_name: 'M', children: ['r'] },
      r: { device_id: 'r', template: 'rack', parent: 'm', display_name: 'R', children: [],
        extra_measurements: { extra_t: { unit: 'celsius', type: 'float', display_name: 'Extra' } } },
    },
    templates_used: {
      mod: { template: 'mod', kind: 'module', measurements: {}, commands: {} },
      rack: { template: 'rack', kind: 'leaf', measurements: { p: { unit: 'watts', type: 'float', display_name: 'P' } }, commands: {} },
    },
  };
  it('accepts a view and lists template then extra measurements', () => {
    const d = decodeView(view);
    expect(d.ok).toBe(true);
    if (d.ok) expect(deviceMeasurements(d.value, 'r').map((m) => m.name)).toEqual(['p', 'extra_t']);
  });
  it('names what is missing', () => {
    expect(decodeView(null)).toEqual({ ok: false, error: 'view is not an object' });
    expect(decodeView({ ...view, devices: { x: { template: 'nope' } } })).toEqual({ ok: false, error: 'view.devices.x: template nope not in templates_used' });
  });
});
