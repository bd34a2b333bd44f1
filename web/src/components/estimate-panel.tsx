// What a call would cost before it is made: the prompt counted with the model's tokenizer and
// priced as the gateway would price it (the project's cost settings first, then the catalog),
// its output at most max_tokens.
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, formatCount, formatUsd } from '../api';
import { Panel } from './panel';

interface Estimate {
  provider: string; model: string; prompt_tokens: number; max_output_tokens: number; tokenizer: string; tokenizer_exact: boolean;
  price_source: string; input_cost_usd: number | null; output_cost_usd: number | null; estimated_cost_usd: number | null; note: string;
}

export function EstimatePanel() {
  const [form, setForm] = useState({ provider: 'openai', model: 'gpt-4o-mini', prompt: '', maxTokens: '500' });
  const estimate = useMutation({
    mutationFn: () => api<Estimate>('/api/v1/estimate', {
      method: 'POST',
      body: JSON.stringify({ provider: form.provider.trim(), model: form.model.trim(), prompt: form.prompt, ...(form.maxTokens.trim() ? { max_tokens: Number(form.maxTokens) } : {}) }),
    }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    estimate.mutate();
  };
  const result = estimate.data;
  return (
    <Panel title="Estimate a call">
      <form className="estimate-form" onSubmit={submit}>
        <div className="filters">
          <input placeholder="Provider" aria-label="Provider to estimate" value={form.provider} onChange={(event) => setForm({ ...form, provider: event.target.value })} required />
          <input placeholder="Model" aria-label="Model to estimate" value={form.model} onChange={(event) => setForm({ ...form, model: event.target.value })} required />
          <input placeholder="Max output tokens" aria-label="Max output tokens" inputMode="numeric" value={form.maxTokens} onChange={(event) => setForm({ ...form, maxTokens: event.target.value })} />
          <button type="submit" disabled={estimate.isPending}>Estimate</button>
        </div>
        <textarea placeholder="Prompt" aria-label="Prompt" rows={4} value={form.prompt} onChange={(event) => setForm({ ...form, prompt: event.target.value })} />
      </form>
      {estimate.error ? <p className="error">{estimate.error.message}</p> : null}
      {result ? (
        <p className="estimate">
          <strong>{result.estimated_cost_usd === null ? 'unpriced' : formatUsd(result.estimated_cost_usd)}</strong>
          {' '}for {formatCount(result.prompt_tokens)} prompt tokens ({result.tokenizer}{result.tokenizer_exact ? '' : ', approximate'}) and up to {formatCount(result.max_output_tokens)} output tokens
          {result.input_cost_usd !== null && result.output_cost_usd !== null ? ` (input ${formatUsd(result.input_cost_usd)}, output ${formatUsd(result.output_cost_usd)}; ${result.price_source})` : ''}.
          <span className="muted small"> {result.note}</span>
        </p>
      ) : null}
    </Panel>
  );
}
