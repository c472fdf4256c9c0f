import { humanize } from '../lib/labels.js';

/** Any JSON as nested definition lists (text only): readable without reading JSON. */
export function JsonTree({ value }: { value: unknown }) {
  if (Array.isArray(value)) {
    if (value.length === 0) return <span class="muted">none</span>;
    return (
      <ol class="tree">
        {value.map((v, i) => (
          <li key={i}>
            <JsonTree value={v} />
          </li>
        ))}
      </ol>
    );
  }
  if (typeof value === 'object' && value !== null) {
    return (
      <dl class="tree">
        {Object.entries(value).map(([k, v]) => (
          <div key={k}>
            <dt title={k}>{humanize(k)}</dt>
            <dd>
              <JsonTree value={v} />
            </dd>
          </div>
        ))}
      </dl>
    );
  }
  return <span class="lit">{value === null ? '—' : String(value)}</span>;
}
