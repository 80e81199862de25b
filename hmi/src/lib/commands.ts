// Commands as the operator sees them: checking a new value against the target's bounds before
// anything is sent, the record of each command (one command_id each) and the reducer that moves
// it through its acks, and a sentence for every outcome. Pure functions.
import {
  TERMINAL_ACK_STATES, type Ack, type AckState, type CommandView, type MeasurementView, type SampleValue,
  type Unit, type Verb,
} from './contract';
import { formatValue } from './tone';

export type Checked = { ok: true; value: SampleValue | undefined } | { ok: false; error: string };

/**
 * The value an operator typed for a command, checked as the gateway will: a finite number inside
 * the target measurement's bounds for float payloads, true/false for bool, one of the enum labels
 * for enum, nothing for trigger. Verbs start/stop/enable/disable carry their implied boolean.
 */
export function checkCommandValue(input: string, cmd: CommandView, target: MeasurementView | undefined): Checked {
  if (cmd.payload === 'trigger') return { ok: true, value: undefined };
  if (cmd.payload === 'bool') {
    if (cmd.verb === 'enable' || cmd.verb === 'start') return { ok: true, value: true };
    if (cmd.verb === 'disable' || cmd.verb === 'stop') return { ok: true, value: false };
    const t = input.trim().toLowerCase();
    if (t === 'true' || t === 'false') return { ok: true, value: t === 'true' };
    return { ok: false, error: 'Choose true or false.' };
  }
  if (cmd.payload === 'enum') {
    const labels = target?.enum_values ?? [];
    if (!labels.includes(input)) return { ok: false, error: `Choose one of: ${labels.join(', ') || '(no labels known)'}.` };
    return { ok: true, value: input };
  }
  const t = input.trim();
  if (t === '') return { ok: false, error: 'Enter a value.' };
  const v = Number(t);
  if (!Number.isFinite(v)) return { ok: false, error: `"${input}" is not a number.` };
  const min = target?.bounds?.min;
  const max = target?.bounds?.max;
  if (typeof min === 'number' && v < min)
    return { ok: false, error: `Below the minimum ${formatValue(min, cmd.unit)} (${min}).` };
  if (typeof max === 'number' && v > max)
    return { ok: false, error: `Above the maximum ${formatValue(max, cmd.unit)} (${max}).` };
  return { ok: true, value: v };
}

export interface AckStep { state: AckState; ts: string; reason?: string }

export interface CommandRecord {
  command_id: string;
  device: string;
  name: string;
  verb: Verb;
  target: string;
  unit: Unit;
  value: SampleValue | undefined;
  previous: SampleValue | undefined;
  sent_at: number;
  acks: AckStep[];
  /** publish failed locally (not connected, broker refused): the command never left the HMI */
  send_error?: string;
}

export const lastState = (r: CommandRecord): AckState | undefined => r.acks.at(-1)?.state;
export const isTerminal = (s: AckState | undefined | null): boolean =>
  s !== undefined && s !== null && TERMINAL_ACK_STATES.includes(s);

export type CommandsState = readonly CommandRecord[];

export type CommandsAction =
  | { type: 'sent'; record: CommandRecord }
  | { type: 'send_failed'; command_id: string; error: string }
  | { type: 'ack'; ack: Ack }
  | { type: 'expire'; now: number; after_ms: number };

/** Newest first. An ack for an unknown command is ignored; a repeated ack is kept once. */
export function commandsReducer(state: CommandsState, action: CommandsAction): CommandsState {
  switch (action.type) {
    case 'sent':
      return [action.record, ...state.filter((r) => r.command_id !== action.record.command_id)];
    case 'send_failed':
      return state.map((r) => (r.command_id === action.command_id ? { ...r, send_error: action.error } : r));
    case 'ack': {
      const a = action.ack;
      const i = state.findIndex((r) => r.command_id === a.command_id);
      if (i < 0) return state;
      const r = state[i];
      if (r.acks.some((s) => s.state === a.state)) return state;
      if (isTerminal(lastState(r))) return state;
      const step: AckStep = { state: a.state, ts: a.ts };
      if (a.reason !== undefined) step.reason = a.reason;
      const next = [...state];
      next[i] = { ...r, acks: [...r.acks, step] };
      return next;
    }
    case 'expire':
      // No terminal ack long after sending: the gateway is gone or the ack was lost. Shown as a
      // local timeout so the operator is never left with a spinner.
      return state.map((r) =>
        !r.send_error && !isTerminal(lastState(r)) && action.now - r.sent_at > action.after_ms
          ? { ...r, send_error: `no final acknowledgement within ${Math.round(action.after_ms / 1000)} s` }
          : r,
      );
  }
}

/** One clear sentence for where a command is. */
export function commandMessage(r: CommandRecord): string {
  const what = `${r.name} = ${formatValue(r.value ?? null, r.unit)}`;
  const s = lastState(r);
  const reason = r.acks.at(-1)?.reason;
  if (r.send_error && !isTerminal(s)) return `${what}: not confirmed - ${r.send_error}.`;
  switch (s) {
    case undefined: return `${what}: sent, waiting for the gateway to receive it.`;
    case 'received': return `${what}: received by the gateway, checking bounds and reachability.`;
    case 'accepted': return `${what}: accepted, writing to the device.`;
    case 'done': return `${what}: done - the device confirmed the new value.`;
    case 'rejected': return `${what}: rejected, nothing was written${reason ? ` - ${reason}` : ''}.`;
    case 'failed': return `${what}: failed, the device did not take it${reason ? ` - ${reason}` : ''}.`;
    case 'timeout': return `${what}: timed out, the device did not confirm in time${reason ? ` - ${reason}` : ''}.`;
  }
}

export function newCommandId(): string {
  return crypto.randomUUID();
}
