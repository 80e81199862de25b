// Ask the analyst: the answer streams in (SSE), its sources become links (device pages, device
// charts, forecasts, documents) and the series it read are drawn small.
import { useContext, useEffect, useMemo, useRef, useState } from 'react';
import { ForecastPanel } from '../components/Forecast';
import { SeriesSource } from '../components/SeriesSource';
import {
  askAnalyst, ChatContext, chunkTitles, NO_LLM_PREFIX, requestMessages, splitSources, sourceForecasts, sourceLinks, sourceSeries,
  type ChatMessage,
} from '../lib/chat';
import { useSite } from '../lib/hooks';

const ERROR_TITLE = { unreachable: 'Analyst unreachable', not_configured: 'Analyst not configured', http: 'The analyst refused', protocol: 'Broken answer' } as const;

function Answer({ m }: { m: ChatMessage }) {
  const { view } = useSite();
  const titles = useMemo(() => chunkTitles(m.content), [m.content]);
  const series = useMemo(() => sourceSeries(m.sources), [m.sources]);
  const forecasts = useMemo(() => sourceForecasts(m.sources), [m.sources]);
  const noLlm = m.mode === 'no_llm' || m.content.startsWith(NO_LLM_PREFIX);
  const text = useMemo(() => splitSources(m.content), [m.content]);
  return (
    <li className={`msg assistant status-${m.status}`} data-role="assistant" data-status={m.status} data-mode={m.mode ?? ''} aria-busy={m.status === 'waiting' || m.status === 'streaming'}>
      {noLlm && m.status !== 'waiting' && <p className="badge no-llm small" data-note="no-llm" title="EMS_LLM_URL is unset on the analyst">no language model: composed from the site's tools</p>}
      {m.status === 'waiting' && <p className="muted">The analyst is working on it…</p>}
      {m.content && <div className="answer-text" data-answer>{text.body}</div>}
      {text.sources && <details className="small"><summary>Sources as text</summary><pre className="sources-text">{text.sources}</pre></details>}
      {m.error && (
        <p className="error" role="alert" data-error={m.error.kind}><strong>{ERROR_TITLE[m.error.kind]}</strong>: {m.error.message}</p>
      )}
      {m.sources.length > 0 && (
        <div className="sources">
          <h3 className="small">Sources</h3>
          <ul>
            {m.sources.map((s, i) => (
              <li key={i} data-source-tool={s.tool} data-ok={s.ok !== false}>
                <code>{s.tool}</code>{s.ok === false && <span className="error small"> failed: {s.error}</span>}{' '}
                {sourceLinks(s, view, titles).map((l, j) => (
                  <span key={j} className={`source-link kind-${l.kind}`} data-link-kind={l.kind}>
                    {l.href ? <a href={l.href} {...(l.kind === 'url' ? { target: '_blank', rel: 'noreferrer' } : {})}>{l.label}</a> : l.label}
                  </span>
                ))}
              </li>
            ))}
          </ul>
        </div>
      )}
      {(series.length > 0 || forecasts.length > 0) && (
        <div className="source-charts">
          {series.map((s) => <SeriesSource key={`${s.device}/${s.measurement}`} {...s} />)}
          {forecasts.map((t) => <ForecastPanel key={t} target={t} />)}
        </div>
      )}
    </li>
  );
}

export function Chat() {
  const { config } = useSite();
  const { state, dispatch } = useContext(ChatContext)!;
  const [question, setQuestion] = useState('');
  const end = useRef<HTMLDivElement>(null);
  const busy = state.messages.some((m) => m.status === 'waiting' || m.status === 'streaming');
  useEffect(() => { end.current?.scrollIntoView?.({ block: 'nearest' }); }, [state.messages]);
  const ask = (q: string) => {
    const text = q.trim();
    if (!text || busy) return;
    const messages = requestMessages(state, text);
    dispatch({ type: 'ask', question: text });
    setQuestion('');
    // not aborted when the page is left: the answer lands in the app's conversation
    void askAnalyst(config.analyst_url, messages, state.conversation_id, dispatch);
  };
  return (
    <div className="page chat">
      <h1>Ask the analyst</h1>
      <p className="muted small">Questions about the site's devices, their values and history, the forecasts and the documents. Answers name their sources.</p>
      <ol className="messages" aria-live="polite" aria-label="Conversation">
        {state.messages.length === 0 && <li className="muted">Try: “what is the battery's state of charge?”, “what will the PV produce tomorrow?”, “what did the datacenter load do yesterday?”</li>}
        {state.messages.map((m, i) => m.role === 'user'
          ? <li key={i} className="msg user" data-role="user">{m.content}</li>
          : <Answer key={i} m={m} />)}
      </ol>
      <div ref={end} />
      <form className="ask" onSubmit={(e) => { e.preventDefault(); ask(question); }}>
        <label htmlFor="chat-q" className="sr-only">Question</label>
        <textarea id="chat-q" name="question" rows={2} value={question} placeholder="Ask about the site…" onChange={(e) => setQuestion(e.target.value)}
          onKeyDown={(e) => { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); ask(question); } }} />
        <button type="submit" disabled={busy || !question.trim()}>{busy ? 'Answering…' : 'Ask'}</button>
        {state.messages.length > 0 && <button type="button" disabled={busy} onClick={() => dispatch({ type: 'clear' })}>New conversation</button>}
      </form>
    </div>
  );
}
