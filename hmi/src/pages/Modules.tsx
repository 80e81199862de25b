import { memo, useMemo, useState } from 'react';
import { CommBadge, Value } from '../components/Value';
import type { CommStatus } from '../lib/contract';
import { useLive, useNow, useSite, useWatch } from '../lib/hooks';
import { commTopic, deviceTree, moduleRollups, mTopic, type TreeNode } from '../lib/site';

const Node = memo(function Node({ node, now }: { node: TreeNode; now: number }) {
  const { view } = useSite();
  const [open, setOpen] = useState(node.depth < 1);
  const d = view!.devices[node.id];
  const t = view!.templates_used[d.template];
  const comm = useLive(commTopic(view!, node.id).topic)?.value as CommStatus | undefined;
  const rollups = moduleRollups(view!, node.id);
  return (
    <li role="treeitem" aria-expanded={node.children.length ? open : undefined} data-device={node.id}>
      <div className="tree-row">
        {node.children.length > 0 ? (
          <button type="button" className="twisty" aria-label={`${open ? 'Collapse' : 'Expand'} ${d.display_name}`} onClick={() => setOpen(!open)}>{open ? '▾' : '▸'}</button>
        ) : <span className="twisty" />}
        <a href={`#/device/${node.id}`}>{d.display_name}</a>
        <span className="muted small">{d.template}</span>
        {t?.kind !== 'module' && <CommBadge status={comm} />}
        {rollups.map((m) => (
          <span key={m.name} className="rollup"><span className="muted small">{m.view.display_name}</span>{' '}
            <Value topic={mTopic(view!, node.id, m.name, m.view).topic} m={m.view} now={now} /></span>
        ))}
      </div>
      {open && node.children.length > 0 && (
        <ul role="group">{node.children.map((c) => <Node key={c.id} node={c} now={now} />)}</ul>
      )}
    </li>
  );
});

export function Modules() {
  const { view } = useSite();
  const now = useNow(2000);
  const tree = useMemo(() => deviceTree(view!), [view]);
  const topics = useMemo(() => {
    const out = [];
    for (const id of Object.keys(view!.devices)) {
      const d = view!.devices[id];
      if (view!.templates_used[d.template]?.kind === 'module') {
        for (const m of moduleRollups(view!, id)) out.push(mTopic(view!, id, m.name, m.view));
      } else out.push(commTopic(view!, id));
    }
    return out;
  }, [view]);
  useWatch(topics);
  return (
    <div className="page modules">
      <h1>Modules</h1>
      <p className="muted">{Object.keys(view!.devices).length} devices; modules show their roll-ups, devices their communication status.</p>
      <ul className="tree" role="tree" aria-label="Device tree">
        {tree.map((n) => <Node key={n.id} node={n} now={now} />)}
      </ul>
    </div>
  );
}
