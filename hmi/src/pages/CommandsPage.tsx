import { useContext, useMemo } from 'react';
import { CommandsContext, CommandsPanel } from '../components/Commands';
import { commandMessage, lastState } from '../lib/commands';
import { deviceCommands } from '../lib/contract';
import { navigate, useSite } from '../lib/hooks';

/** Every commandable device in one place, and everything sent from this screen in the session. */
export function CommandsPage({ device }: { device?: string }) {
  const { view } = useSite();
  const { records } = useContext(CommandsContext);
  const devices = useMemo(
    () => Object.values(view!.devices).filter((d) => deviceCommands(view!, d.device_id).length > 0)
      .sort((a, b) => a.device_id.localeCompare(b.device_id, 'en', { numeric: true })),
    [view],
  );
  const selected = device && view!.devices[device] ? device : devices[0]?.device_id;
  return (
    <div className="page commands">
      <h1>Commands</h1>
      <label>Device{' '}
        <select value={selected ?? ''} onChange={(e) => navigate(`#/commands/${e.target.value}`)} aria-label="Device to command">
          {devices.map((d) => <option key={d.device_id} value={d.device_id}>{d.display_name} ({d.device_id})</option>)}
        </select>
      </label>
      {selected && <p><a href={`#/device/${selected}`}>Open the device page</a></p>}
      <div className="columns">
        {selected ? <CommandsPanel key={selected} device={selected} /> : <p className="muted">No device of this site takes commands.</p>}
        <section className="panel" aria-labelledby="session-h">
          <h2 id="session-h">Sent in this session</h2>
          {records.length === 0 ? <p className="muted">Nothing sent yet.</p> : (
            <ol className="command-log">
              {records.map((r) => (
                <li key={r.command_id} className={`ack ack-${lastState(r) ?? 'pending'}`} data-command-id={r.command_id}>
                  <span><a href={`#/device/${r.device}`}>{view!.devices[r.device]?.display_name ?? r.device}</a>: {commandMessage(r)}</span>
                </li>
              ))}
            </ol>
          )}
        </section>
      </div>
    </div>
  );
}
