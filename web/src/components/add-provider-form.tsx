// Adds a provider through the API (seed 004's registry): its base URL must be public or
// allow-listed, which the server checks and names when it refuses. Its key is sealed at rest
// and never shown again.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api';

const TYPES = ['openai', 'azure', 'anthropic', 'gemini', 'bedrock', 'mistral', 'openrouter', 'deepseek', 'groq', 'xai', 'together', 'fireworks', 'ollama', 'ollama-openai', 'vllm', 'lmstudio', 'localai', 'openai-compatible'];
const EMPTY = { name: '', type: 'openai', base_url: '', api_key: '', models: '' };
/** What the base URL field asks for, where a type needs one or a type's models are named differently. */
const HINTS: Readonly<Record<string, { baseUrl?: string; models?: string }>> = {
  azure: { baseUrl: 'https://<resource>.openai.azure.com', models: 'Deployments (comma-separated)' },
  bedrock: { baseUrl: 'https://bedrock-runtime.<region>.amazonaws.com', models: 'Model ids or inference profiles (comma-separated)' },
  'openai-compatible': { baseUrl: 'Base URL (required)' },
};

export function AddProviderForm() {
  const client = useQueryClient();
  const [form, setForm] = useState(EMPTY);
  const add = useMutation({
    mutationFn: () => api('/api/v1/providers', {
      method: 'POST',
      body: JSON.stringify({
        name: form.name.trim(), type: form.type,
        ...(form.base_url.trim() ? { base_url: form.base_url.trim() } : {}),
        ...(form.api_key ? { api_key: form.api_key } : {}),
        ...(form.models.trim() ? { models: form.models.split(',').map((model) => model.trim()).filter(Boolean) } : {}),
      }),
    }),
    onSuccess: () => {
      setForm(EMPTY);
      void client.invalidateQueries({ queryKey: ['providers'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate();
  };
  const hint = HINTS[form.type] ?? {};
  const field = (name: keyof typeof EMPTY, label: string, type = 'text', placeholder = label) => (
    <input placeholder={placeholder} aria-label={label} type={type} value={form[name]} onChange={(event) => setForm({ ...form, [name]: event.target.value })} required={name === 'name' || (name === 'base_url' && hint.baseUrl !== undefined)} />
  );
  return (
    <>
      <form className="inline add-provider" onSubmit={submit}>
        {field('name', 'Provider name')}
        <select aria-label="Provider type" value={form.type} onChange={(event) => setForm({ ...form, type: event.target.value })}>{TYPES.map((type) => <option key={type}>{type}</option>)}</select>
        {field('base_url', 'Base URL', 'text', hint.baseUrl ?? 'Base URL (default for the type)')}{field('api_key', 'API key', 'password')}{field('models', 'Models (comma-separated)', 'text', hint.models ?? 'Models (comma-separated)')}
        <button type="submit" disabled={add.isPending}>Add provider</button>
      </form>
      {add.error ? <p className="error">{add.error.message}</p> : null}
    </>
  );
}
