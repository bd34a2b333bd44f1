// The empty state for a new project: copyable snippets that send the first call through the
// gateway (curl, OpenAI client), record one the application already makes, or export
// OpenTelemetry spans.
import { useState } from 'react';
import { Panel } from './panel';

function Snippet({ text }: { text: string }) {
  const [copied, setCopied] = useState(false);
  const copy = () => {
    void navigator.clipboard?.writeText(text).then(() => setCopied(true), () => setCopied(false));
  };
  return (
    <div className="snippet">
      <button className="copy" onClick={copy}>{copied ? 'Copied' : 'Copy'}</button>
      <pre>{text}</pre>
    </div>
  );
}

export function FirstCall({ title = 'No calls yet' }: { title?: string }) {
  const base = location.origin;
  const curl = `curl ${base}/v1/chat/completions \\\n  -H "Authorization: Bearer $LOUPE_KEY" -H "Content-Type: application/json" \\\n  -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}'`;
  const python = `from openai import OpenAI\nclient = OpenAI(base_url="${base}/v1", api_key="<your lp_ key>")\nclient.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hello"}])`;
  const node = `import OpenAI from 'openai';\nconst client = new OpenAI({ baseURL: '${base}/v1', apiKey: process.env.LOUPE_KEY });\nawait client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] });`;
  const record = `curl -X POST ${base}/api/v1/calls -H "Authorization: Bearer $LOUPE_KEY" -H "Content-Type: application/json" \\\n  -d '{"provider":"openai","model":"gpt-4o","prompt_tokens":120,"completion_tokens":40,"latency_ms":850}'`;
  const otel = `OTEL_EXPORTER_OTLP_ENDPOINT=${base} OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer $LOUPE_KEY" python app.py`;
  return (
    <Panel title={title}>
      <div className="first-call">
        <p>Send a call through the gateway with a key that has the <code>gateway</code> scope (the provider key, such as <code>OPENAI_API_KEY</code>, is set on the server):</p>
        <Snippet text={curl} />
        <p>or point the OpenAI client at Loupe (Python, then Node):</p>
        <Snippet text={python} />
        <Snippet text={node} />
        <p>or record calls your application already makes (<code>ingest</code> scope):</p>
        <Snippet text={record} />
        <p>or export the spans of an application instrumented with OpenTelemetry (GenAI conventions, OpenLLMetry); each model-call span becomes a call:</p>
        <Snippet text={otel} />
        <p className="muted">Or fill Loupe with demo data: <code>npm run demo</code>. New calls appear here as they arrive.</p>
      </div>
    </Panel>
  );
}
