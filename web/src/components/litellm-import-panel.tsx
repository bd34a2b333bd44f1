// The import of a LiteLLM proxy's spend logs, when this project receives one: when it last ran,
// the newest row imported, how many, its last error, and a run on request.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, formatCount } from '../api';
import { Panel } from './panel';

interface ImportStatus { enabled: boolean; last_run_at: string | null; last_error: string | null; newest_row_at: string | null; imported_total: number }
interface ImportRun { read: number; created: number; duplicates: number; invalid: number; first_invalid: string | null }

export function LiteLlmImportPanel() {
  const client = useQueryClient();
  const status = useQuery({ queryKey: ['litellm-import'], queryFn: () => api<ImportStatus>('/api/v1/import/litellm') });
  const run = useMutation({ mutationFn: () => api<ImportRun>('/api/v1/import/litellm/run', { method: 'POST' }), onSettled: () => void client.invalidateQueries({ queryKey: ['litellm-import'] }) });
  // Nothing to show for a project that receives no import (the common case).
  if (status.data?.enabled === false) return null;
  const data = status.data;
  return (
    <Panel title="LiteLLM spend logs" loading={status.isLoading} error={status.error} actions={<button className="link" onClick={() => run.mutate()} disabled={run.isPending}>Import now</button>}>
      {data ? (
        <dl className="facts">
          <div><dt>Imported</dt><dd>{formatCount(data.imported_total)} calls since this server started</dd></div>
          <div><dt>Newest row</dt><dd>{data.newest_row_at ? new Date(data.newest_row_at).toLocaleString() : 'none yet'}</dd></div>
          <div><dt>Last run</dt><dd>{data.last_run_at ? new Date(data.last_run_at).toLocaleString() : 'not yet'}</dd></div>
        </dl>
      ) : null}
      {data?.last_error ? <p className="error">{data.last_error}</p> : null}
      {run.data ? <p className="small">Read {formatCount(run.data.read)} rows: {formatCount(run.data.created)} new, {formatCount(run.data.duplicates)} already here{run.data.invalid > 0 ? `, ${run.data.invalid} refused (${run.data.first_invalid})` : ''}.</p> : null}
      {run.error ? <p className="error">{run.error.message}</p> : null}
    </Panel>
  );
}
