// askAnalyst against a real HTTP server on loopback (node:http): the stream arrives in pieces
// that split events and UTF-8 characters; a problem+json answer; nothing listening.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askAnalyst, chatReducer, initialChat, type ChatAction, type ChatState } from './chat';

let server: Server;
let url = '';
const seen: { headers: Record<string, unknown>; body: string }[] = [];

const chunk = (o: object) => `data: ${JSON.stringify({ object: 'chat.completion.chunk', ...o })}\n\n`;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', async () => {
      seen.push({ headers: req.headers, body });
      const q = JSON.parse(body).messages.at(-1).content as string;
      if (q === 'fail') {
        res.writeHead(502, { 'content-type': 'application/problem+json' });
        res.end(JSON.stringify({ type: 'about:blank', title: 'Bad Gateway', status: 502, detail: 'the language model at http://llm cannot be reached' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const text = chunk({ choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })
        + chunk({ choices: [{ index: 0, delta: { content: 'SOC is 50 % ✓' }, finish_reason: null }] })
        + chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], sources: [{ tool: 'site_status', arguments: { device: 'bess_module_1' }, ok: true }], mode: 'no_llm', conversation_id: 'conv-7' })
        + 'data: [DONE]\n\n';
      const bytes = Buffer.from(text);
      // 7-byte writes: events and the 3-byte check mark are split across reads
      for (let i = 0; i < bytes.length; i += 7) {
        res.write(bytes.subarray(i, i + 7));
        await new Promise((r) => setTimeout(r, 1));
      }
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function run(question: string, analyst: string | undefined, conversation: string | null = null): Promise<{ state: ChatState; actions: ChatAction[] }> {
  let state = chatReducer(initialChat, { type: 'ask', question });
  const actions: ChatAction[] = [];
  await askAnalyst(analyst, [{ role: 'user', content: question }], conversation, (a) => { actions.push(a); state = chatReducer(state, a); });
  return { state, actions };
}

describe('askAnalyst', () => {
  it('streams the answer in, with its sources, mode and conversation', async () => {
    const { state, actions } = await run('soc?', url, 'conv-6');
    expect(state.messages[1]).toMatchObject({ status: 'done', content: 'SOC is 50 % ✓', mode: 'no_llm', sources: [{ tool: 'site_status' }] });
    expect(state.conversation_id).toBe('conv-7');
    expect(actions.at(-1)).toEqual({ type: 'event', event: { type: 'done' } });
    const req = seen.at(-1)!;
    expect(JSON.parse(req.body)).toMatchObject({ stream: true, messages: [{ role: 'user', content: 'soc?' }] });
    expect(req.headers['x-ems-conversation-id']).toBe('conv-6');
  });
  it('a problem+json answer is an http error with its detail', async () => {
    const { state } = await run('fail', url);
    expect(state.messages[1]).toMatchObject({ status: 'error', error: { kind: 'http' } });
    expect(state.messages[1].error!.message).toMatch(/HTTP 502: the language model at http:\/\/llm cannot be reached/);
  });
  it('nothing listening is unreachable; no URL is not configured', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const { state } = await run('soc?', `http://127.0.0.1:${port}`);
    expect(state.messages[1]).toMatchObject({ status: 'error', error: { kind: 'unreachable' } });
    expect((await run('soc?', undefined)).state.messages[1]).toMatchObject({ status: 'error', error: { kind: 'not_configured' } });
  });
});
