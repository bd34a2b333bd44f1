// Pipelines (seed 000): sessions grouped by their set of agents, on both engines, with more
// agents in the range than one 64-bit mask holds, so that the names past the 64th, a set split
// across that edge, and a set made only of them are all checked against names and figures
// computed here from the rows written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTCOME_SESSION_MIGRATION_SQL } from '../src/store/outcome-rows.js';
import { startTestServer, type TestEngine, type TestServer } from './helpers/test-server.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.now();
const START = NOW - 5 * DAY;
const agent = (n: number) => `agent-${String(n).padStart(2, '0')}`;

interface Call { id: string; session_id: string; agent: string; started_at: number; cost_usd: number | null }
interface Outcome { id: string; target: string; target_type: 'call' | 'session'; status: 'win' | 'loss' | 'neutral' | 'open'; value?: number }

/** Session id → the agents of its calls, in the order they are recorded. */
const SESSIONS: Record<string, string[]> = {
  'sess-all': Array.from({ length: 70 }, (_, n) => agent(69 - n)),
  'sess-mixed-a': [agent(3), agent(65)],
  'sess-mixed-b': [agent(65), agent(3), agent(3)],
  'sess-past-mask': [agent(69), agent(66)],
  'sess-low': [agent(1), agent(0)],
  'sess-edge': [agent(64), agent(63)],
  'sess-straddle': [agent(0), agent(1)],
};

const calls: Call[] = Object.entries(SESSIONS).flatMap(([session, agents], s) =>
  agents.map((name, i) => ({
    id: `${session}-${i}`, session_id: session, agent: name, started_at: START + s * HOUR + i * 60_000,
    cost_usd: i % 5 === 4 ? null : (s + 1) * 0.001 + i * 0.0001,
  })),
);
/** Before the range: its agent is not in any pipeline, but an outcome on it counts for its session. */
const oldCall: Call = { id: 'sess-straddle-old', session_id: 'sess-straddle', agent: 'agent-zz', started_at: NOW - 40 * DAY, cost_usd: 0.5 };

const outcomes: Outcome[] = [
  { id: 'o-1', target: 'sess-mixed-a-0', target_type: 'call', status: 'win', value: 10 },
  { id: 'o-2', target: 'sess-mixed-b', target_type: 'session', status: 'loss', value: -4 },
  { id: 'o-3', target: 'sess-past-mask-1', target_type: 'call', status: 'open' },
  { id: 'o-4', target: 'sess-straddle-old', target_type: 'call', status: 'win', value: 7 },
  { id: 'o-5', target: 'sess-edge-0', target_type: 'call', status: 'neutral', value: 0.5 },
  { id: 'o-6', target: 'sess-edge-1', target_type: 'call', status: 'win', value: 3 },
  { id: 'o-7', target: 'sess-all-69', target_type: 'call', status: 'loss', value: -2 },
  { id: 'o-8', target: 'sess-low-1', target_type: 'call', status: 'open' },
];

const sessionOf = (outcome: Outcome) => (outcome.target_type === 'session' ? outcome.target : [...calls, oldCall].find((call) => call.id === outcome.target)!.session_id);

function expectedPipelines() {
  const byName = new Map<string, string[]>();
  for (const [session, agents] of Object.entries(SESSIONS)) {
    const name = [...new Set(agents)].sort().join(' + ');
    byName.set(name, [...(byName.get(name) ?? []), session]);
  }
  return [...byName].map(([pipeline, sessions]) => {
    const own = outcomes.filter((outcome) => sessions.includes(sessionOf(outcome)));
    const closed = own.filter((outcome) => outcome.status !== 'open');
    const wins = own.filter((outcome) => outcome.status === 'win').length;
    const losses = own.filter((outcome) => outcome.status === 'loss').length;
    const costs = calls.filter((call) => sessions.includes(call.session_id) && call.cost_usd !== null).map((call) => call.cost_usd!);
    return {
      pipeline,
      agents: pipeline.split(' + '),
      sessions: sessions.length,
      sessions_with_outcomes: new Set(own.map(sessionOf)).size,
      total_cost: costs.reduce((sum, cost) => sum + cost, 0),
      outcomes: own.length,
      wins,
      losses,
      open: own.length - closed.length,
      win_rate: wins + losses === 0 ? null : wins / (wins + losses),
      total_value: closed.reduce((sum, outcome) => sum + (outcome.value ?? 0), 0),
      avg_value: closed.length === 0 ? null : closed.reduce((sum, outcome) => sum + (outcome.value ?? 0), 0) / closed.length,
    };
  });
}

describe.each(['duckdb', 'postgres'] as TestEngine[])('pipelines on %s', (engine) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({}, engine);
    const body = [...calls, oldCall].map((call) => ({ ...call, provider: 'openai', model: 'gpt-x', started_at: new Date(call.started_at).toISOString() }));
    const recorded = await server.request('POST', '/api/v1/calls', { body });
    expect(recorded.statusCode, recorded.body).toBe(200);
    const posted = await server.request('POST', '/api/v1/outcomes', { body: outcomes });
    expect(posted.statusCode, posted.body).toBe(201);
  });
  afterAll(async () => {
    await server?.close();
  });

  async function pipelineRows(): Promise<Record<string, unknown>[]> {
    const range = `from=${new Date(NOW - 6 * DAY).toISOString()}&to=${new Date(NOW + HOUR).toISOString()}`;
    const response = await server.request('GET', `/api/v1/analytics/outcomes/pipelines?${range}`);
    expect(response.statusCode, response.body).toBe(200);
    return (response.json() as { data: Record<string, unknown>[] }).data;
  }

  it('names every set of agents in order, past the 64th included, with its figures', async () => {
    const data = await pipelineRows();
    const expected = expectedPipelines();
    expect(data.map((row) => row.pipeline).sort()).toEqual(expected.map((row) => row.pipeline).sort());
    expect(expected.map((row) => row.pipeline)).toContain('agent-03 + agent-65');
    expect(expected.map((row) => row.pipeline)).toContain('agent-66 + agent-69');
    for (const want of expected) {
      const row = data.find((item) => item.pipeline === want.pipeline)!;
      expect(row.agents, want.pipeline).toEqual(want.agents);
      for (const field of ['sessions', 'sessions_with_outcomes', 'outcomes', 'wins', 'losses', 'open'] as const) expect(row[field], `${want.pipeline} ${field}`).toBe(want[field]);
      for (const field of ['total_cost', 'total_value'] as const) expect(row[field] as number, `${want.pipeline} ${field}`).toBeCloseTo(want[field], 12);
      for (const field of ['win_rate', 'avg_value'] as const) {
        if (want[field] === null) expect(row[field], `${want.pipeline} ${field}`).toBeNull();
        else expect(row[field] as number, `${want.pipeline} ${field}`).toBeCloseTo(want[field], 12);
      }
    }
  });

  it('gives outcomes stored before they kept their session the session of their target', async () => {
    const before = await pipelineRows();
    await server.store.sql.query('ALTER TABLE outcomes DROP COLUMN session_id');
    await server.store.sql.query(OUTCOME_SESSION_MIGRATION_SQL);
    const stored = await server.store.sql.query<{ id: string; session_id: string | null }>('SELECT id, session_id FROM outcomes ORDER BY id');
    expect(stored.map((row) => [row.id, row.session_id])).toEqual(outcomes.map((outcome) => [outcome.id, sessionOf(outcome)]).sort());
    expect(await pipelineRows()).toEqual(before);
  });
});
