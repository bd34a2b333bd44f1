// The filters of the sessions and traces lists (seed 002's session search): agent, user,
// model and the group's total cost, with the sort and the range as one query string.
import { currentRange } from '../range';

export interface Filters { agent: string; user_id: string; model: string; min_cost: string; max_cost: string }
export const NO_FILTERS: Filters = { agent: '', user_id: '', model: '', min_cost: '', max_cost: '' };

export function FilterBar({ filters, onChange }: { filters: Filters; onChange: (filters: Filters) => void }) {
  const field = (name: keyof Filters, placeholder: string, numeric = false) => (
    <input placeholder={placeholder} aria-label={placeholder} value={filters[name]} inputMode={numeric ? 'decimal' : undefined}
      onChange={(event) => onChange({ ...filters, [name]: event.target.value })} />
  );
  return <div className="filters">{field('agent', 'Agent')}{field('user_id', 'User')}{field('model', 'Model')}{field('min_cost', 'Min cost ($)', true)}{field('max_cost', 'Max cost ($)', true)}</div>;
}

/** The list's query: the page's range, the filters given, the sort and 100 a page. */
export function listParams(filters: Filters, sort: string): URLSearchParams {
  const params = new URLSearchParams(currentRange().query);
  for (const [name, value] of Object.entries(filters)) if (value.trim()) params.set(name, value.trim());
  params.set('sort', sort);
  params.set('limit', '100');
  return params;
}

export function SortPicker({ label, sort, onChange }: { label: string; sort: string; onChange: (sort: string) => void }) {
  return (
    <select value={sort} onChange={(event) => onChange(event.target.value)} aria-label={label}>
      <option value="start">newest</option><option value="cost">cost</option><option value="duration">duration</option><option value="calls">calls</option><option value="tokens">tokens</option>
    </select>
  );
}
