// A call sent again from its drawer: on its own model or another the providers offer, with the
// temperature or the reasoning effort changed if wanted, shown beside the original's latency and cost. The replay is a
// call of its own (tagged replay); a comparison across several models is one link away.
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, formatCount, formatMs, formatUsd } from '../api';
import { navigate } from '../navigate';
import { REASONING_EFFORTS, targetOf, useReplayModels, type ReplayAnswer } from '../replay';
import { Panel } from './panel';

interface Original { id: string; provider: string; model: string; latency_ms: number | null; cost_usd: number | null; price_source: string }

const cost = (value: number | null, source: string | null) => (source === 'unpriced' ? 'unpriced' : formatUsd(value));

export function ReplayPanel({ call }: { call: Original }) {
  const models = useReplayModels();
  const own = `${call.provider}/${call.model}`;
  const [choice, setChoice] = useState<string | null>(null);
  const [temperature, setTemperature] = useState('');
  // '' keeps the call's own effort; 'unset' sends none (for a model that takes no effort).
  const [effort, setEffort] = useState('');
  const options = models.data ?? [];
  const target = choice ?? (options.some((option) => option.value === own) ? own : options[0]?.value ?? own);
  const replay = useMutation({
    mutationFn: () => api<ReplayAnswer>(`/api/v1/logs/${encodeURIComponent(call.id)}/replay`, {
      method: 'POST',
      body: JSON.stringify({
        ...(options.find((option) => option.value === target)?.target ?? targetOf(target)),
        ...(temperature.trim() ? { temperature: Number(temperature) } : {}),
        ...(effort === 'unset' ? { reasoning_effort: null } : effort ? { reasoning_effort: effort } : {}),
      }),
    }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    replay.mutate();
  };
  const answer = replay.data;
  return (
    <Panel title="Replay" loading={models.isLoading} error={models.error}>
      <form className="filters replay-form" onSubmit={submit}>
        <select aria-label="Replay on model" value={target} onChange={(event) => setChoice(event.target.value)}>
          {options.some((option) => option.value === own) ? null : <option value={own}>{own} (this call)</option>}
          {options.map((option) => <option key={option.value} value={option.value}>{option.label}{option.value === own ? ' (this call)' : ''}</option>)}
        </select>
        <input placeholder="Temperature" aria-label="Replay temperature" inputMode="decimal" value={temperature} onChange={(event) => setTemperature(event.target.value)} />
        <select aria-label="Replay reasoning effort" value={effort} onChange={(event) => setEffort(event.target.value)}>
          <option value="">Reasoning effort as recorded</option>
          {REASONING_EFFORTS.map((level) => <option key={level} value={level}>{level} effort</option>)}
          <option value="unset">No reasoning effort</option>
        </select>
        <button type="submit" disabled={replay.isPending}>{replay.isPending ? 'Replaying…' : 'Replay'}</button>
        <button type="button" className="link" onClick={() => navigate(`/compare?call_id=${encodeURIComponent(call.id)}`)}>Compare models…</button>
      </form>
      {replay.error ? <p className="error">{replay.error.message}</p> : null}
      {answer ? (
        <div className="replay-result" ref={(node) => node?.scrollIntoView({ block: 'nearest' })}>
          <p className="small">
            {answer.provider}/{answer.model}: <strong>{formatMs(answer.latency_ms)}</strong> (this call {formatMs(call.latency_ms)}) ·{' '}
            <strong>{cost(answer.cost_usd, answer.price_source)}</strong> (this call {cost(call.cost_usd, call.price_source)}) ·{' '}
            {formatCount(answer.usage?.prompt_tokens)} in, {formatCount(answer.usage?.completion_tokens)} out
          </p>
          <div className="bubble assistant"><div className="role">replay</div><pre>{answer.response ?? ''}</pre></div>
        </div>
      ) : null}
    </Panel>
  );
}
