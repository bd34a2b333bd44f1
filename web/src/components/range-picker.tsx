// The time range picker in the header: presets, or a custom from/to. The choice goes into
// the URL, which every page reads.
import { useState } from 'react';
import { customRange, presetRange, RANGES, type PresetName, type TimeRange } from '../range';

/** <input type=datetime-local> works in local time without a zone. */
function localInput(iso: string | undefined, fallbackMs: number): string {
  const date = new Date(iso ?? fallbackMs);
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

export function RangePicker({ range, onChange }: { range: TimeRange; onChange: (range: TimeRange) => void }) {
  const [editing, setEditing] = useState(range.name === 'custom');
  const [from, setFrom] = useState(localInput(range.from, Date.now() - 86_400_000));
  const [to, setTo] = useState(localInput(range.to, Date.now()));
  const custom = customRange(Date.parse(from), Date.parse(to));
  return (
    <div className="range-picker">
      <select
        aria-label="Time range"
        value={editing ? 'custom' : range.name}
        onChange={(event) => {
          const value = event.target.value;
          if (value === 'custom') setEditing(true);
          else {
            setEditing(false);
            onChange(presetRange(value as PresetName));
          }
        }}
      >
        {(Object.keys(RANGES) as PresetName[]).map((name) => <option key={name} value={name}>Last {name}</option>)}
        <option value="custom">Custom…</option>
      </select>
      {editing ? (
        <>
          <input type="datetime-local" aria-label="From" value={from} onChange={(event) => setFrom(event.target.value)} />
          <input type="datetime-local" aria-label="To" value={to} onChange={(event) => setTo(event.target.value)} />
          <button disabled={!custom} onClick={() => custom && onChange(custom)}>Apply</button>
        </>
      ) : null}
    </div>
  );
}
