// The chat with the analyst (POST {analyst_url}/v1/chat/completions, OpenAI-compatible,
// "stream": true): the server-sent-events parser, the chunk decoder, the conversation reducer,
// and the mapping of an answer's sources to links and charts. Pure except `askAnalyst` (fetch).
import { createContext, type Dispatch } from 'react';
import type { TopologyView } from './contract';

/**
 * Incremental text/event-stream parser: feed it the decoded text as it arrives, in any pieces;
 * it returns the `data` of every event completed so far (several `data:` lines of one event are
 * joined with "\n"; comments, `event:`, `id:` and `retry:` lines are ignored). `end()` flushes
 * an event the stream ended without its blank line.
 */
export class SseParser {
  private buf = '';
  private data: string[] = [];

  push(text: string): string[] {
    this.buf += text;
    const out: string[] = [];
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buf);
      // a lone "\r" at the end may be the first half of "\r\n": wait for more
      if (!m || (m[0] === '\r' && m.index === this.buf.length - 1)) break;
      const line = this.buf.slice(0, m.index);
      this.buf = this.buf.slice(m.index + m[0].length);
      this.line(line, out);
    }
    return out;
  }

  end(): string[] {
    const out: string[] = [];
    if (this.buf) { this.line(this.buf, out); this.buf = ''; }
    this.line('', out);
    return out;
  }

  private line(line: string, out: string[]) {
    if (line === '') {
      if (this.data.length) out.push(this.data.join('\n'));
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
  }
}

/** A source of an answer, as the analyst returns it (services/analyst/src/chat_tools.cpp). */
export interface ChatSource {
  tool: string;
  arguments?: Record<string, unknown>;
  read?: string[];
  ok?: boolean;
  error?: string;
  series?: string;        // "device/measurement" (history) or "forecast/<target>"
  chunk_ids?: unknown[];  // knowledge chunks cited
  model?: { id?: number; name?: string; version?: number };
}

/** What one `data:` payload of the stream means for the answer. */
export type ChunkEvent =
  | { type: 'delta'; content: string }
  | { type: 'final'; finish_reason: string | null; sources: ChatSource[]; mode: string | null; conversation_id: string | null }
  | { type: 'done' };

/** Decodes one `data:` payload: a chat.completion.chunk or `[DONE]`; throws on anything else. */
export function decodeChunk(data: string): ChunkEvent[] {
  if (data.trim() === '[DONE]') return [{ type: 'done' }];
  let j: unknown;
  try { j = JSON.parse(data); } catch { throw new Error(`the stream carried something that is not JSON: ${data.slice(0, 80)}`); }
  const o = j as { object?: string; choices?: { delta?: { content?: unknown }; finish_reason?: unknown }[]; sources?: unknown; mode?: unknown; conversation_id?: unknown; error?: { message?: string } };
  if (o && typeof o === 'object' && o.error) throw new Error(`the analyst reported: ${o.error.message ?? 'an error'}`);
  if (!o || typeof o !== 'object' || !Array.isArray(o.choices)) throw new Error('the stream carried a chunk without choices');
  const out: ChunkEvent[] = [];
  const c = o.choices[0];
  if (c?.delta && typeof c.delta.content === 'string' && c.delta.content) out.push({ type: 'delta', content: c.delta.content });
  if (c && typeof c.finish_reason === 'string') {
    out.push({
      type: 'final', finish_reason: c.finish_reason,
      sources: Array.isArray(o.sources) ? (o.sources as ChatSource[]).filter((s) => s && typeof s === 'object' && typeof s.tool === 'string') : [],
      mode: typeof o.mode === 'string' ? o.mode : null,
      conversation_id: typeof o.conversation_id === 'string' ? o.conversation_id : null,
    });
  }
  return out;
}

export type ErrorKind = 'unreachable' | 'not_configured' | 'http' | 'protocol';

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
  /** assistant: waiting (asked, nothing yet), streaming, done, error */
  status: 'waiting' | 'streaming' | 'done' | 'error';
  sources: ChatSource[];
  mode: string | null;
  error?: { kind: ErrorKind; message: string };
}

export interface ChatState { messages: ChatMessage[]; conversation_id: string | null }
export const initialChat: ChatState = { messages: [], conversation_id: null };

export type ChatAction =
  | { type: 'ask'; question: string }
  | { type: 'event'; event: ChunkEvent }
  | { type: 'error'; kind: ErrorKind; message: string }
  | { type: 'clear' };

/** The conversation lives in the app (App.tsx), so it survives a visit to a source's page. */
export const ChatContext = createContext<{ state: ChatState; dispatch: Dispatch<ChatAction> } | null>(null);

/** The conversation: a question adds the user message and an empty answer the stream fills. */
export function chatReducer(s: ChatState, a: ChatAction): ChatState {
  if (a.type === 'clear') return initialChat;
  if (a.type === 'ask') {
    return {
      ...s,
      messages: [...s.messages,
        { role: 'user', content: a.question, status: 'done', sources: [], mode: null },
        { role: 'assistant', content: '', status: 'waiting', sources: [], mode: null }],
    };
  }
  const last = s.messages[s.messages.length - 1];
  if (!last || last.role !== 'assistant' || last.status === 'done' || last.status === 'error') return s;
  const put = (m: ChatMessage, extra: Partial<ChatState> = {}) => ({ ...s, ...extra, messages: [...s.messages.slice(0, -1), m] });
  if (a.type === 'error') return put({ ...last, status: 'error', error: { kind: a.kind, message: a.message } });
  const e = a.event;
  if (e.type === 'delta') return put({ ...last, status: 'streaming', content: last.content + e.content });
  if (e.type === 'final') {
    return put({ ...last, sources: e.sources, mode: e.mode, status: 'done' }, { conversation_id: e.conversation_id ?? s.conversation_id });
  }
  // [DONE] without a final chunk: the answer is what arrived
  return put({ ...last, status: last.content ? 'done' : 'error', error: last.content ? undefined : { kind: 'protocol', message: 'the stream ended without an answer' } });
}

/** The request's messages: the conversation so far (answered turns) and the new question. */
export function requestMessages(s: ChatState, question: string): { role: string; content: string }[] {
  const out: { role: string; content: string }[] = [];
  for (const m of s.messages) if (m.status === 'done' && m.content) out.push({ role: m.role, content: m.content });
  out.push({ role: 'user', content: question });
  return out;
}

/** The no-LLM mode's answers begin with this (services/analyst/src/chat_router.hpp). */
export const NO_LLM_PREFIX = 'No language model is configured';

export interface SourceLink { kind: 'device' | 'chart' | 'forecast' | 'document' | 'url'; label: string; href?: string; device?: string; measurement?: string; target?: string }

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

/**
 * The answer's text and its trailing "Sources:" block (every analyst answer ends with one; the
 * page shows the sources as links and keeps the text folded away).
 */
export function splitSources(answer: string): { body: string; sources: string } {
  const at = answer.lastIndexOf('\n\nSources:');
  if (at < 0) return answer.startsWith('Sources:') ? { body: '', sources: answer } : { body: answer, sources: '' };
  return { body: answer.slice(0, at), sources: answer.slice(at + 2) };
}

/** Titles of the knowledge chunks an answer quotes ("- [id] title > section: text"). */
export function chunkTitles(answer: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of answer.matchAll(/^- \[("?)([^\]"]+)\1\] ([^:\n]+):/gm)) out.set(m[2], m[3].trim());
  return out;
}

/**
 * The links of one source: the device it is about (its page), the series it read (the device
 * chart, or the overview's forecast), the documents it cites (title and section, from the
 * answer), and the URLs it read.
 */
export function sourceLinks(src: ChatSource, view: TopologyView | null, titles: Map<string, string> = new Map()): SourceLink[] {
  const out: SourceLink[] = [];
  const name = (id: string) => view?.devices[id]?.display_name ?? id;
  const known = (id: string) => !view || !!view.devices[id];
  const args = src.arguments ?? {};
  let series = str(src.series);
  if (!series && src.tool === 'telemetry_history' && str(args.device) && str(args.measurement)) series = `${args.device}/${args.measurement}`;
  if (!series && src.tool === 'forecast' && str(args.target)) series = `forecast/${args.target}`;
  if (series?.startsWith('forecast/')) {
    const target = series.slice('forecast/'.length);
    const model = src.model?.name ? ` (${src.model.name}${src.model.version != null ? ` v${src.model.version}` : ''})` : '';
    // the overview draws the site targets; other targets (ERCOT) only in the answer itself
    out.push({ kind: 'forecast', label: `forecast ${target}${model}`, href: target.startsWith('site_') ? `#/overview/forecast-${target}` : undefined, target });
  } else if (series && series.includes('/')) {
    const [device, measurement] = [series.slice(0, series.indexOf('/')), series.slice(series.indexOf('/') + 1)];
    out.push({ kind: 'chart', label: `chart: ${name(device)} · ${measurement}`, href: known(device) ? `#/device/${encodeURIComponent(device)}/${encodeURIComponent(measurement)}` : undefined, device, measurement });
  }
  for (const k of ['device', 'node', 'entity', 'from', 'to'] as const) {
    const id = str(args[k]);
    if (!id || !view?.devices[id] || out.some((l) => l.kind === 'device' && l.device === id)) continue;
    if (k !== 'device' && src.tool !== 'graph_neighbors' && src.tool !== 'graph_path' && src.tool !== 'entity_chunks') continue;
    out.push({ kind: 'device', label: `device: ${name(id)}`, href: `#/device/${encodeURIComponent(id)}`, device: id });
  }
  for (const c of src.chunk_ids ?? []) {
    const id = typeof c === 'string' || typeof c === 'number' ? String(c) : JSON.stringify(c);
    out.push({ kind: 'document', label: titles.get(id) ? `${titles.get(id)} [${id}]` : `document chunk ${id}` });
  }
  for (const u of src.read ?? []) if (/^https?:\/\//.test(u)) out.push({ kind: 'url', label: u, href: u });
  return out;
}

/** The history series the answer's sources read (each once), for the small charts. */
export function sourceSeries(sources: ChatSource[]): { device: string; measurement: string; from?: string; to?: string }[] {
  const out: { device: string; measurement: string; from?: string; to?: string }[] = [];
  for (const s of sources) {
    if (s.ok === false) continue;
    for (const l of sourceLinks(s, null)) {
      if (l.kind !== 'chart' || out.some((o) => o.device === l.device && o.measurement === l.measurement)) continue;
      out.push({ device: l.device!, measurement: l.measurement!, from: str(s.arguments?.from), to: str(s.arguments?.to) });
    }
  }
  return out;
}

/** Forecast targets the answer's sources read. */
export function sourceForecasts(sources: ChatSource[]): string[] {
  const out = new Set<string>();
  for (const s of sources) if (s.ok !== false) for (const l of sourceLinks(s, null)) if (l.kind === 'forecast') out.add(l.target!);
  return [...out];
}

/**
 * Asks the analyst with `"stream": true` and feeds every event to `on`. Errors are reported
 * through `on` too (never thrown): `unreachable` (no answer at all), `http` (a problem+json
 * answer, e.g. 502 when the language model upstream fails), `protocol` (a stream that does not
 * parse). Abort with `signal`.
 */
export async function askAnalyst(
  analystUrl: string | undefined, messages: { role: string; content: string }[], conversation: string | null,
  on: (a: ChatAction) => void, signal?: AbortSignal,
): Promise<void> {
  if (!analystUrl) { on({ type: 'error', kind: 'not_configured', message: 'config.json has no analyst_url (EMS_ANALYST_URL of ems-hmi)' }); return; }
  const url = `${analystUrl.replace(/\/+$/, '')}/v1/chat/completions`;
  let r: Response;
  try {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
    if (conversation) headers['x-ems-conversation-id'] = conversation;
    r = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ model: 'ems-analyst', messages, stream: true }), signal });
  } catch (e) {
    if (signal?.aborted) return;
    on({ type: 'error', kind: 'unreachable', message: `the analyst at ${analystUrl} cannot be reached (${(e as Error).message})` });
    return;
  }
  if (!r.ok) {
    let detail = '';
    try { const p = await r.json(); detail = p.detail || p.title || ''; } catch { /* not JSON */ }
    on({ type: 'error', kind: 'http', message: `the analyst answered HTTP ${r.status}${detail ? `: ${detail}` : ''}` });
    return;
  }
  if (!r.body) { on({ type: 'error', kind: 'protocol', message: 'the answer has no body' }); return; }
  const parser = new SseParser();
  const reader = r.body.getReader();
  const text = new TextDecoder();
  let done = false;
  const feed = (datas: string[]) => {
    for (const d of datas) for (const ev of decodeChunk(d)) { on({ type: 'event', event: ev }); if (ev.type === 'done') done = true; }
  };
  try {
    for (;;) {
      const { value, done: end } = await reader.read();
      if (end) break;
      feed(parser.push(text.decode(value, { stream: true })));
    }
    feed(parser.push(text.decode()));
    feed(parser.end());
    if (!done) on({ type: 'event', event: { type: 'done' } });
  } catch (e) {
    if (signal?.aborted) return;
    on({ type: 'error', kind: 'protocol', message: (e as Error).message });
  }
}
