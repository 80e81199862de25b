// The live values the HMI holds: the latest sample per topic, short histories for sparklines,
// and the counters of the diagnostics panel. Messages are decoded on arrival; the UI is told what
// changed at most once per animation frame, per topic, so a 1,000 msg/s stream costs one render
// of the cells that changed per frame instead of one per message.
import { decodeSample, parseTopic, type SampleValue } from './contract';

export interface LiveValue { value: SampleValue; ts: string; receivedAt: number }
export type ValueType = 'float' | 'bool' | 'enum';

export interface Diagnostics {
  messages: number;
  rejected: number;
  last_errors: { topic: string; error: string; at: number }[];
}

const HISTORY_MS = 15 * 60_000;
const HISTORY_MAX = 2000;

export interface Series { t: number[]; v: number[] }

export class LiveStore {
  private values = new Map<string, LiveValue>();
  private types = new Map<string, ValueType>();
  private histories = new Map<string, Series>();
  private listeners = new Map<string, Set<() => void>>();
  private dirty = new Set<string>();
  private flushScheduled = false;
  private diagListeners = new Set<() => void>();
  private diag: Diagnostics = { messages: 0, rejected: 0, last_errors: [] };
  private readonly schedule: (f: () => void) => void;

  constructor(schedule?: (f: () => void) => void) {
    this.schedule = schedule ?? ((f) => (typeof requestAnimationFrame === 'function' ? requestAnimationFrame(() => f()) : setTimeout(f, 16)));
  }

  /** The value type a measurement topic carries (from the view); set before subscribing. */
  setType(topic: string, type: ValueType): void { this.types.set(topic, type); }

  /** Decodes one message; a payload that does not fit the contract is counted and dropped. */
  ingest(topic: string, payload: string, now = Date.now()): boolean {
    this.diag.messages++;
    const t = parseTopic(topic);
    if (!t || t.family !== 'measurements') return this.reject(topic, 'not a measurement topic', now);
    // An empty payload clears a retained value (a removed device or measurement): no value now.
    if (payload === '') { this.forget(topic); return true; }
    const type = this.types.get(topic) ?? 'float';
    const d = decodeSample(payload, type);
    if (!d.ok) return this.reject(topic, d.error, now);
    this.values.set(topic, { value: d.value.value, ts: d.value.ts, receivedAt: now });
    if (typeof d.value.value === 'number') this.append(topic, Date.parse(d.value.ts), d.value.value);
    this.markDirty(topic);
    return true;
  }

  reject(topic: string, error: string, now = Date.now()): false {
    this.diag.rejected++;
    this.diag.last_errors = [{ topic, error, at: now }, ...this.diag.last_errors].slice(0, 20);
    this.diag = { ...this.diag };
    this.diagListeners.forEach((l) => l());
    return false;
  }

  get(topic: string): LiveValue | undefined { return this.values.get(topic); }
  history(topic: string): Series | undefined { return this.histories.get(topic); }
  diagnostics(): Diagnostics { return this.diag; }

  /** Seeds a history (e.g. from the historian) without touching the latest value. */
  seedHistory(topic: string, t: number[], v: number[]): void {
    const h = this.histories.get(topic) ?? { t: [], v: [] };
    const first = h.t[0] ?? Infinity;
    const keep = t.map((x, i) => [x, v[i]] as const).filter(([x]) => x < first);
    this.histories.set(topic, { t: [...keep.map((k) => k[0]), ...h.t], v: [...keep.map((k) => k[1]), ...h.v] });
    this.markDirty(topic);
  }

  forget(topic: string): void {
    this.values.delete(topic);
    this.histories.delete(topic);
    this.markDirty(topic);
  }

  subscribe(topic: string, listener: () => void): () => void {
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    set.add(listener);
    return () => {
      set!.delete(listener);
      if (set!.size === 0) this.listeners.delete(topic);
    };
  }

  subscribeDiagnostics(listener: () => void): () => void {
    this.diagListeners.add(listener);
    return () => this.diagListeners.delete(listener);
  }

  /** Runs the pending notifications now (tests, and the scheduler's callback). */
  flush(): void {
    this.flushScheduled = false;
    const keys = [...this.dirty];
    this.dirty.clear();
    for (const k of keys) this.listeners.get(k)?.forEach((l) => l());
    this.diag = { ...this.diag };
    this.diagListeners.forEach((l) => l());
  }

  private append(topic: string, t: number, v: number): void {
    let h = this.histories.get(topic);
    if (!h) this.histories.set(topic, (h = { t: [], v: [] }));
    if (h.t.length && t < h.t[h.t.length - 1]) return; // a retained replay of an older sample
    if (h.t.length && t === h.t[h.t.length - 1]) { h.v[h.v.length - 1] = v; return; }
    h.t.push(t);
    h.v.push(v);
    let drop = 0;
    while (drop < h.t.length && (h.t[drop] < t - HISTORY_MS || h.t.length - drop > HISTORY_MAX)) drop++;
    if (drop) { h.t.splice(0, drop); h.v.splice(0, drop); }
    // a new array identity so memoised readers see the change
    this.histories.set(topic, { t: h.t, v: h.v });
  }

  private markDirty(topic: string): void {
    this.dirty.add(topic);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.schedule(() => this.flush());
    }
  }
}

/**
 * Reference-counted topic subscriptions: the broker sees one SUBSCRIBE when the first view asks
 * for a topic and one UNSUBSCRIBE when the last one lets go. Returns the topics to (un)subscribe.
 */
export class SubscriptionCounter {
  private counts = new Map<string, number>();
  add(topics: readonly string[]): string[] {
    const fresh: string[] = [];
    for (const t of topics) {
      const n = this.counts.get(t) ?? 0;
      this.counts.set(t, n + 1);
      if (n === 0) fresh.push(t);
    }
    return fresh;
  }
  remove(topics: readonly string[]): string[] {
    const gone: string[] = [];
    for (const t of topics) {
      const n = this.counts.get(t) ?? 0;
      if (n <= 1) { this.counts.delete(t); if (n === 1) gone.push(t); }
      else this.counts.set(t, n - 1);
    }
    return gone;
  }
  active(): string[] { return [...this.counts.keys()]; }
}
