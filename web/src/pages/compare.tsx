// Compare: one prompt (or a stored call's messages) sent to several models at once, each answer
// with its latency, tokens and cost, the fastest and the cheapest named; and the comparisons
// made before, read back from their recorded calls.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { activates } from '../activate';
import { api, formatCount, formatMs, formatUsd } from '../api';
import { conversation } from '../components/call-detail';
import { Panel } from '../components/panel';
import { canReplay, REASONING_EFFORTS, targetOf, useReplayModels, type ReplayAnswer } from '../replay';

const MAX_TARGETS = 8;

interface Target { provider: string | null; model: string; reasoning_effort?: string | null }

/** A model with the reasoning effort it was asked for, when one was. */
const withEffort = (name: string, pick: Target) => (pick.reasoning_effort ? `${name} · ${pick.reasoning_effort} effort` : name);
interface Summary {
  answered: number; failed: number; fastest: (Target & { latency_ms: number }) | null; cheapest: (Target & { cost_usd: number }) | null;
  average_latency_ms: number | null; total_cost_usd: number | null; unpriced_results: number;
}
interface Comparison {
  comparison_id: string; name: string | null; created_at?: string; messages?: unknown;
  results: (ReplayAnswer & { target: Target; response?: string | null })[]; summary: Summary;
}

function Results({ comparison }: { comparison: Comparison }) {
  const { summary } = comparison;
  // The summary names the provider and model that answered (a route's target, or a fallback's).
  const answeredBy = (result: Comparison['results'][number]) => `${result.provider ?? result.target.provider ?? ''}/${result.model ?? result.target.model}`;
  const same = (pick: Target | null, result: Comparison['results'][number]) => pick !== null && `${pick.provider}/${pick.model}` === answeredBy(result) && (pick.reasoning_effort ?? null) === (result.target.reasoning_effort ?? null);
  // A route asked for by name shows its name before the model that answered.
  const asked = (result: Comparison['results'][number]) => (result.target.provider === null && result.model !== null && result.model !== result.target.model ? `${result.target.model} → ` : '');
  return (
    <>
      <p className="small comparison-summary">
        {summary.answered} answered, {summary.failed} failed · fastest <strong>{summary.fastest ? withEffort(`${summary.fastest.provider}/${summary.fastest.model}`, summary.fastest) : '—'}</strong>
        {' '}· cheapest <strong>{summary.cheapest ? withEffort(`${summary.cheapest.provider}/${summary.cheapest.model}`, summary.cheapest) : '—'}</strong>
        {' '}· mean latency {formatMs(summary.average_latency_ms)} · total {formatUsd(summary.total_cost_usd)}{summary.unpriced_results > 0 ? ` (${summary.unpriced_results} unpriced)` : ''}
      </p>
      <table className="comparison">
        <thead><tr><th>Model</th><th>Status</th><th>Latency</th><th>Tokens in / out (reasoning)</th><th>Cost</th><th>Answer</th></tr></thead>
        <tbody>{comparison.results.map((result, index) => (
          <tr key={result.call_id ?? index}>
            <td>{asked(result)}{withEffort(answeredBy(result), result.target)}{same(summary.fastest, result) ? <span className="badge"> fastest</span> : null}{same(summary.cheapest, result) ? <span className="badge"> cheapest</span> : null}</td>
            <td className={`status ${result.status}`}>{result.status}</td>
            <td>{formatMs(result.latency_ms)}</td>
            <td>{formatCount(result.usage?.prompt_tokens)} / {formatCount(result.usage?.completion_tokens)}{result.usage?.reasoning_tokens ? ` (${formatCount(result.usage.reasoning_tokens)})` : ''}</td>
            <td>{result.price_source === 'unpriced' ? 'unpriced' : formatUsd(result.cost_usd)}</td>
            <td><pre className="answer">{result.error ? result.error.message : result.response ?? ''}</pre></td>
          </tr>
        ))}</tbody>
      </table>
    </>
  );
}

function NewComparison({ callId, onDone }: { callId: string | null; onDone: (comparison: Comparison) => void }) {
  const models = useReplayModels();
  const [chosen, setChosen] = useState<string[]>([]);
  const [form, setForm] = useState({ name: '', prompt: '', system: '', maxTokens: '', temperature: '', effort: '' });
  const client = useQueryClient();
  const compare = useMutation({
    mutationFn: () => api<Comparison>('/api/v1/replay/compare', {
      method: 'POST',
      body: JSON.stringify({
        ...(form.name.trim() ? { name: form.name.trim() } : {}),
        ...(callId ? { call_id: callId } : { prompt: form.prompt, ...(form.system.trim() ? { system: form.system } : {}) }),
        ...(form.maxTokens.trim() ? { max_tokens: Number(form.maxTokens) } : {}),
        ...(form.temperature.trim() ? { temperature: Number(form.temperature) } : {}),
        ...(form.effort ? { reasoning_effort: form.effort } : {}),
        targets: chosen.map((value) => (models.data ?? []).find((option) => option.value === value)?.target ?? targetOf(value)),
      }),
    }),
    onSuccess: (comparison) => {
      onDone(comparison);
      void client.invalidateQueries({ queryKey: ['comparisons'] });
    },
  });
  const toggle = (model: string) => setChosen(chosen.includes(model) ? chosen.filter((item) => item !== model) : [...chosen, model]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    compare.mutate();
  };
  return (
    <Panel title={callId ? 'Compare models on a recorded call' : 'Compare models'} loading={models.isLoading} error={models.error}>
      <form className="compare-form" onSubmit={submit}>
        {callId ? <p className="small">Sends the messages and parameters of call <code>{callId}</code> to each model chosen.</p> : (
          <>
            <textarea placeholder="System message (optional)" aria-label="System message" rows={2} value={form.system} onChange={(event) => setForm({ ...form, system: event.target.value })} />
            <textarea placeholder="Prompt" aria-label="Prompt" rows={4} value={form.prompt} onChange={(event) => setForm({ ...form, prompt: event.target.value })} required />
          </>
        )}
        <fieldset className="targets">
          <legend className="small muted">Models ({chosen.length} of 2 to {MAX_TARGETS})</legend>
          {(models.data ?? []).map((option) => (
            <label key={option.value} className="small"><input type="checkbox" checked={chosen.includes(option.value)} disabled={!chosen.includes(option.value) && chosen.length >= MAX_TARGETS} onChange={() => toggle(option.value)} />{option.label}</label>
          ))}
          {models.data?.length === 0 ? <p className="muted">No enabled provider lists its models; add models to a provider first.</p> : null}
        </fieldset>
        <div className="filters">
          <input placeholder="Name (optional)" aria-label="Comparison name" value={form.name} onChange={(event) => setForm({ ...form, name: event.target.value })} />
          <input placeholder="Max tokens" aria-label="Max tokens" inputMode="numeric" value={form.maxTokens} onChange={(event) => setForm({ ...form, maxTokens: event.target.value })} />
          <input placeholder="Temperature" aria-label="Temperature" inputMode="decimal" value={form.temperature} onChange={(event) => setForm({ ...form, temperature: event.target.value })} />
          <select aria-label="Reasoning effort" value={form.effort} onChange={(event) => setForm({ ...form, effort: event.target.value })}>
            <option value="">{callId ? 'Reasoning effort as recorded' : 'No reasoning effort'}</option>
            {REASONING_EFFORTS.map((effort) => <option key={effort} value={effort}>{effort} effort</option>)}
          </select>
          <button type="submit" disabled={compare.isPending || chosen.length < 2}>{compare.isPending ? 'Comparing…' : 'Compare'}</button>
        </div>
      </form>
      {compare.error ? <p className="error">{compare.error.message}</p> : null}
    </Panel>
  );
}

function Shown({ id }: { id: string }) {
  const comparison = useQuery({ queryKey: ['comparison', id], queryFn: () => api<Comparison>(`/api/v1/replay/comparisons/${encodeURIComponent(id)}`) });
  const data = comparison.data;
  return (
    <Panel title={data?.name ?? 'Comparison'} loading={comparison.isLoading} error={comparison.error}>
      {data ? (
        <>
          {conversation(data.messages, null).map((bubble, index) => <div key={index} className={`bubble ${bubble.role === 'system' ? 'system' : 'user'}`}><div className="role">{bubble.role}</div><pre>{bubble.text}</pre></div>)}
          <Results comparison={data} />
        </>
      ) : null}
    </Panel>
  );
}

export function Compare() {
  const callId = new URLSearchParams(location.search).get('call_id');
  const [fresh, setFresh] = useState<Comparison | null>(null);
  const [shown, setShown] = useState<string | null>(null);
  const history = useQuery({ queryKey: ['comparisons'], queryFn: () => api<{ comparisons: Comparison[] }>('/api/v1/replay/comparisons?days=30&limit=20') });
  return (
    <>
      {canReplay() ? <NewComparison callId={callId} onDone={(comparison) => { setFresh(comparison); setShown(null); }} /> : <p className="muted">Comparing models calls the providers: it needs a key with the gateway or admin scope.</p>}
      {fresh && shown === null ? <Panel title={fresh.name ?? 'Results'}><Results comparison={fresh} /></Panel> : null}
      {shown ? <Shown id={shown} /> : null}
      <Panel title="Past comparisons (30 days)" loading={history.isLoading} error={history.error}>
        {history.data?.comparisons.length === 0 ? <p className="muted">No comparisons yet.</p> : (
          <table className="pick comparisons">
            <thead><tr><th>When</th><th>Name</th><th>Models</th><th>Fastest</th><th>Cheapest</th><th>Total</th></tr></thead>
            <tbody>{(history.data?.comparisons ?? []).map((comparison) => (
              <tr key={comparison.comparison_id} {...activates(() => setShown(comparison.comparison_id))}>
                <td className="small">{comparison.created_at ? new Date(comparison.created_at).toLocaleString() : ''}</td>
                <td>{comparison.name ?? ''}</td>
                <td>{comparison.results.map((result) => result.target.model).join(', ')}</td>
                <td>{comparison.summary.fastest?.model ?? '—'}</td>
                <td>{comparison.summary.cheapest?.model ?? '—'}</td>
                <td>{formatUsd(comparison.summary.total_cost_usd)}</td>
              </tr>
            ))}</tbody>
          </table>
        )}
      </Panel>
    </>
  );
}
