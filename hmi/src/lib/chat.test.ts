import { describe, expect, it } from 'vitest';
import {
  chatReducer, chunkTitles, splitSources, decodeChunk, initialChat, requestMessages, SseParser, sourceForecasts, sourceLinks, sourceSeries,
  type ChatSource, type ChatState,
} from './chat';
import type { TopologyView } from './contract';

const chunk = (delta: object, finish: string | null = null, extra: object = {}) =>
  JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }], ...extra });

describe('SseParser', () => {
  it('returns each event once it is complete, however the text is split', () => {
    const text = `data: ${chunk({ role: 'assistant', content: '' })}\n\ndata: ${chunk({ content: 'Hé' })}\n\ndata: [DONE]\n\n`;
    for (const step of [1, 3, 7, text.length]) {
      const p = new SseParser();
      const out: string[] = [];
      for (let i = 0; i < text.length; i += step) out.push(...p.push(text.slice(i, i + step)));
      out.push(...p.end());
      expect(out).toHaveLength(3);
      expect(out[2]).toBe('[DONE]');
      expect(JSON.parse(out[1]).choices[0].delta.content).toBe('Hé');
    }
  });
  it('handles CRLF and CR line ends, joins multi-line data, ignores comments and other fields', () => {
    const p = new SseParser();
    expect(p.push(': keep-alive\r\nevent: x\r\nid: 3\r\ndata: a\r\ndata:b\r')).toEqual([]);
    expect(p.push('\n\r\n')).toEqual(['a\nb']);
    expect(p.push('data: c\r\rdata: d')).toEqual(['c']);
    expect(p.end()).toEqual(['d']);
  });
  it('drops an event without data', () => {
    const p = new SseParser();
    expect(p.push('event: ping\n\n')).toEqual([]);
  });
});

describe('decodeChunk', () => {
  it('decodes deltas, the final chunk with sources and mode, and [DONE]', () => {
    expect(decodeChunk(chunk({ role: 'assistant', content: '' }))).toEqual([]);
    expect(decodeChunk(chunk({ content: 'x' }))).toEqual([{ type: 'delta', content: 'x' }]);
    const src = { tool: 'site_status', arguments: { device: 'bess_module_1' }, read: ['http://h/latest'], ok: true };
    expect(decodeChunk(chunk({}, 'stop', { sources: [src, 'junk'], mode: 'no_llm', conversation_id: 'conv-1' }))).toEqual([
      { type: 'final', finish_reason: 'stop', sources: [src], mode: 'no_llm', conversation_id: 'conv-1' },
    ]);
    expect(decodeChunk(' [DONE]')).toEqual([{ type: 'done' }]);
  });
  it('refuses what is not a chunk, naming it', () => {
    expect(() => decodeChunk('nope')).toThrow(/not JSON/);
    expect(() => decodeChunk('{"object":"x"}')).toThrow(/without choices/);
    expect(() => decodeChunk('{"error":{"message":"upstream down"}}')).toThrow(/upstream down/);
  });
});

describe('chatReducer', () => {
  const asked = chatReducer(initialChat, { type: 'ask', question: 'soc?' });
  it('a question adds the user message and a waiting answer', () => {
    expect(asked.messages.map((m) => [m.role, m.status])).toEqual([['user', 'done'], ['assistant', 'waiting']]);
  });
  it('deltas stream into the answer; the final chunk brings sources, mode and the conversation', () => {
    let s: ChatState = chatReducer(asked, { type: 'event', event: { type: 'delta', content: 'No language ' } });
    expect(s.messages[1].status).toBe('streaming');
    s = chatReducer(s, { type: 'event', event: { type: 'delta', content: 'model' } });
    s = chatReducer(s, { type: 'event', event: { type: 'final', finish_reason: 'stop', sources: [{ tool: 'site_status' }], mode: 'no_llm', conversation_id: 'conv-9' } });
    s = chatReducer(s, { type: 'event', event: { type: 'done' } });
    expect(s.messages[1]).toMatchObject({ content: 'No language model', status: 'done', mode: 'no_llm', sources: [{ tool: 'site_status' }] });
    expect(s.conversation_id).toBe('conv-9');
    expect(requestMessages(s, 'and now?')).toEqual([
      { role: 'user', content: 'soc?' }, { role: 'assistant', content: 'No language model' }, { role: 'user', content: 'and now?' },
    ]);
  });
  it('an error ends the answer with its kind; later events change nothing', () => {
    const s = chatReducer(asked, { type: 'error', kind: 'unreachable', message: 'connection refused' });
    expect(s.messages[1]).toMatchObject({ status: 'error', error: { kind: 'unreachable', message: 'connection refused' } });
    expect(chatReducer(s, { type: 'event', event: { type: 'delta', content: 'late' } })).toBe(s);
    expect(requestMessages(s, 'again')).toEqual([{ role: 'user', content: 'soc?' }, { role: 'user', content: 'again' }]);
  });
  it('[DONE] without any text is a protocol error, never an empty answer', () => {
    const s = chatReducer(asked, { type: 'event', event: { type: 'done' } });
    expect(s.messages[1]).toMatchObject({ status: 'error', error: { kind: 'protocol' } });
  });
  it('clear starts a new conversation', () => {
    expect(chatReducer(asked, { type: 'clear' })).toBe(initialChat);
  });
});

const view = {
  devices: {
    bess_module_1: { device_id: 'bess_module_1', display_name: 'BESS Module 1' },
    pv_inverter_1: { device_id: 'pv_inverter_1', display_name: 'PV Inverter 1' },
  },
} as unknown as TopologyView;

describe('sourceLinks', () => {
  it('a device source links to its device page, and its URLs are listed', () => {
    const s: ChatSource = { tool: 'site_status', arguments: { device: 'bess_module_1' }, read: ['http://127.0.0.1:8410/latest?device=bess_module_1', 'analyst.champions'], ok: true };
    expect(sourceLinks(s, view)).toEqual([
      { kind: 'device', label: 'device: BESS Module 1', href: '#/device/bess_module_1', device: 'bess_module_1' },
      { kind: 'url', label: 'http://127.0.0.1:8410/latest?device=bess_module_1', href: 'http://127.0.0.1:8410/latest?device=bess_module_1' },
    ]);
  });
  it('a series source links to the device chart; an unknown device gets no link', () => {
    const s: ChatSource = { tool: 'site_history', arguments: { device: 'pv_inverter_1', measurement: 'active_power' }, series: 'pv_inverter_1/active_power' };
    expect(sourceLinks(s, view)[0]).toEqual({ kind: 'chart', label: 'chart: PV Inverter 1 · active_power', href: '#/device/pv_inverter_1/active_power', device: 'pv_inverter_1', measurement: 'active_power' });
    expect(sourceLinks({ tool: 'telemetry_history', arguments: { device: 'gone', measurement: 'x' } }, view)[0].href).toBeUndefined();
  });
  it('a forecast source links to the forecast with its model', () => {
    const s: ChatSource = { tool: 'site_forecast', arguments: { target: 'site_pv' }, series: 'forecast/site_pv', model: { id: 4, name: 'gbt', version: 2 } };
    expect(sourceLinks(s, view)).toEqual([{ kind: 'forecast', label: 'forecast site_pv (gbt v2)', href: '#/overview/forecast-site_pv', target: 'site_pv' }]);
    expect(sourceForecasts([s, { ...s, ok: false }])).toEqual(['site_pv']);
    expect(sourceLinks({ tool: 'forecast', arguments: { target: 'system_load' } }, view)).toEqual([{ kind: 'forecast', label: 'forecast system_load', href: undefined, target: 'system_load' }]);
  });
  it('a document source shows the title and section the answer quotes', () => {
    const answer = 'From the documents:\n- ["runbook-3"] BESS runbook > Thermal events: text here\n- [17] IEEE 738: more';
    const titles = chunkTitles(answer);
    expect(titles.get('runbook-3')).toBe('BESS runbook > Thermal events');
    expect(titles.get('17')).toBe('IEEE 738');
    const links = sourceLinks({ tool: 'search_knowledge', arguments: { query: 'q' }, chunk_ids: ['runbook-3', 99] }, view, titles);
    expect(links).toEqual([
      { kind: 'document', label: 'BESS runbook > Thermal events [runbook-3]' },
      { kind: 'document', label: 'document chunk 99' },
    ]);
  });
  it('sourceSeries lists each history series once, with the tool range, skipping failed calls', () => {
    const a: ChatSource = { tool: 'site_history', arguments: { device: 'pv_inverter_1', measurement: 'active_power', from: '2026-01-01T00:00:00Z' }, series: 'pv_inverter_1/active_power' };
    expect(sourceSeries([a, a, { ...a, series: 'x/y', ok: false }, { tool: 'site_forecast', series: 'forecast/site_pv' }])).toEqual([
      { device: 'pv_inverter_1', measurement: 'active_power', from: '2026-01-01T00:00:00Z', to: undefined },
    ]);
  });
});

describe('splitSources', () => {
  it('separates the trailing Sources block from the answer', () => {
    expect(splitSources('A.\n\nB.\n\nSources:\n- site_status {}')).toEqual({ body: 'A.\n\nB.', sources: 'Sources:\n- site_status {}' });
    expect(splitSources('no sources yet')).toEqual({ body: 'no sources yet', sources: '' });
    expect(splitSources('Sources: none (no tool was called).')).toEqual({ body: '', sources: 'Sources: none (no tool was called).' });
  });
});
