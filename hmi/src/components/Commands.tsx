// Commanding a device safely: value checked against bounds before anything can be sent, a second
// step showing the current and the new value, one command_id per command, live ack states.
import { createContext, useContext, useEffect, useMemo, useState } from 'react';
import { fetchCommandHistory, type HistoricCommand } from '../lib/api';
import { ackTopic, commandTargetMeasurement, commandTopic, deviceCommands, encodeCommand, isUnit, type CommandView } from '../lib/contract';
import {
  checkCommandValue, commandMessage, isTerminal, lastState, newCommandId, type CommandRecord, type CommandsAction,
} from '../lib/commands';
import { mTopic } from '../lib/site';
import { useLive, useSite, useWatch } from '../lib/hooks';
import { formatValue } from '../lib/tone';

export const CommandsContext = createContext<{ records: readonly CommandRecord[]; dispatch: (a: CommandsAction) => void }>({
  records: [], dispatch: () => {},
});

function CommandForm({ device, name, cmd }: { device: string; name: string; cmd: CommandView }) {
  const { view, bus } = useSite();
  const { dispatch } = useContext(CommandsContext);
  const target = view ? commandTargetMeasurement(view, device, cmd.target) : undefined;
  const current = useLive(view && target ? mTopic(view, device, cmd.target, target).topic : undefined);
  const [input, setInput] = useState(cmd.payload === 'enum' ? target?.enum_values?.[0] ?? '' : '');
  const [confirming, setConfirming] = useState(false);
  const checked = checkCommandValue(input, cmd, target);
  const id = `cmd-${device}-${name}`;
  const needsInput = cmd.payload === 'float' || cmd.payload === 'enum' || (cmd.payload === 'bool' && cmd.verb === 'set');

  const send = () => {
    if (!view || !checked.ok) return;
    const command_id = newCommandId();
    const record: CommandRecord = {
      command_id, device, name: cmd.display_name, verb: cmd.verb, target: cmd.target, unit: cmd.unit,
      value: checked.value, previous: current?.value, sent_at: Date.now(), acks: [],
    };
    dispatch({ type: 'sent', record });
    setConfirming(false);
    bus.publish(commandTopic(view.site_id, device, cmd.verb, cmd.target, cmd.unit), encodeCommand(checked.value, command_id, new Date()))
      .catch((e: Error) => dispatch({ type: 'send_failed', command_id, error: e.message }));
  };

  const bounds = target?.bounds;
  return (
    <form className="command" data-command={name} onSubmit={(e) => { e.preventDefault(); if (checked.ok) setConfirming(true); }}>
      <label htmlFor={id}>{cmd.display_name}</label>
      {needsInput && cmd.payload === 'enum' ? (
        <select id={id} value={input} onChange={(e) => { setInput(e.target.value); setConfirming(false); }}>
          {(target?.enum_values ?? []).map((l) => <option key={l}>{l}</option>)}
        </select>
      ) : needsInput && cmd.payload === 'bool' ? (
        <select id={id} value={input} onChange={(e) => { setInput(e.target.value); setConfirming(false); }}>
          <option value="">choose…</option><option>true</option><option>false</option>
        </select>
      ) : needsInput ? (
        <input id={id} inputMode="decimal" value={input} aria-describedby={`${id}-help`}
          onChange={(e) => { setInput(e.target.value); setConfirming(false); }}
          placeholder={bounds ? `${bounds.min ?? '−∞'} … ${bounds.max ?? '+∞'}` : 'value'} />
      ) : null}
      <span id={`${id}-help`} className={checked.ok || input === '' ? 'muted' : 'error'} role={checked.ok ? undefined : 'alert'} data-check={checked.ok ? 'ok' : 'error'}>
        {checked.ok ? (bounds && cmd.payload === 'float' ? `allowed ${formatValue(bounds.min ?? null, cmd.unit)} … ${formatValue(bounds.max ?? null, cmd.unit)}` : '') : input === '' && cmd.payload === 'float' ? 'Enter a value.' : checked.error}
      </span>
      {!confirming && <button type="submit" disabled={!checked.ok}>Review…</button>}
      {confirming && checked.ok && (
        <div className="confirm" role="dialog" aria-label={`Confirm ${cmd.display_name}`}>
          <p>
            {cmd.display_name} on <b>{view?.devices[device]?.display_name ?? device}</b>: current{' '}
            <b data-confirm="current">{formatValue(current?.value ?? null, cmd.unit)}</b> → new{' '}
            <b data-confirm="new">{formatValue(checked.value ?? null, cmd.unit)}</b>
          </p>
          <button type="button" className="primary" onClick={send} autoFocus>Confirm and send</button>
          <button type="button" onClick={() => setConfirming(false)}>Cancel</button>
        </div>
      )}
    </form>
  );
}

export function CommandsPanel({ device }: { device: string }) {
  const { view, config } = useSite();
  const { records } = useContext(CommandsContext);
  const cmds = useMemo(() => (view ? deviceCommands(view, device) : []), [view, device]);
  const ackTopics = useMemo(
    () => (view ? cmds.map((c) => ({ topic: ackTopic(view.site_id, device, c.view.verb, c.view.target, c.view.unit) })) : []),
    [view, device, cmds],
  );
  useWatch(ackTopics);
  const mine = records.filter((r) => r.device === device);
  const [history, setHistory] = useState<{ rows: HistoricCommand[]; error?: string } | null>(null);
  const lastTerminal = mine.filter((r) => isTerminal(lastState(r))).length;
  useEffect(() => {
    if (!cmds.length) return;
    const ac = new AbortController();
    fetchCommandHistory(config, device, ac.signal)
      .then((rows) => setHistory({ rows }))
      .catch((e: Error) => { if (!ac.signal.aborted) setHistory({ rows: [], error: e.message }); });
    return () => ac.abort();
  }, [config, device, cmds.length, lastTerminal]);
  if (!cmds.length) return null;
  return (
    <section className="panel" aria-labelledby="commands-h">
      <h2 id="commands-h">Commands</h2>
      {cmds.map((c) => <CommandForm key={c.name} device={device} name={c.name} cmd={c.view} />)}
      {mine.length > 0 && (
        <ol className="command-log" aria-live="polite" aria-label="Commands sent from this screen">
          {mine.map((r) => (
            <li key={r.command_id} data-command-id={r.command_id} data-state={lastState(r) ?? (r.send_error ? 'error' : 'sent')}
              className={`ack ack-${lastState(r) ?? 'pending'}`}>
              <span className="ack-states">{['sent', ...r.acks.map((a) => a.state)].join(' → ')}</span>
              <span>{commandMessage(r)}</span>
              <code className="muted">{r.command_id}</code>
            </li>
          ))}
        </ol>
      )}
      <h3>Command history</h3>
      {history === null ? <p className="muted">Loading…</p> : history.error ? (
        <p className="error">Command history unavailable: {history.error}</p>
      ) : history.rows.length === 0 ? <p className="muted">No commands recorded.</p> : (
        <table className="history">
          <thead><tr><th>time</th><th>command</th><th>value</th><th>state</th></tr></thead>
          <tbody>
            {history.rows.slice(0, 50).map((c) => (
              <tr key={c.command_id} data-command-id={c.command_id}>
                <td>{new Date(c.ts).toLocaleString()}</td>
                <td>{c.verb} {c.target}</td>
                <td>{formatValue(c.value, (isUnit(c.unit) ? c.unit : 'none'))}</td>
                <td title={c.acks.map((a) => `${a.state}${a.reason ? `: ${a.reason}` : ''}`).join(', ')}>{c.state ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
