import { formatSchemaVer } from '../schemaver.js';
import type { SchemaFamily } from './schema-family.js';
import { html, page } from './html.js';

/** Filters the table rows by every word typed (name, vendor, owner, purpose, fields, description); `?q=` pre-fills it. */
const SEARCH_SCRIPT = `
(function () {
  var input = document.getElementById('search');
  var rows = Array.prototype.slice.call(document.querySelectorAll('#schemas tbody tr'));
  var count = document.getElementById('count');
  var none = document.getElementById('none');
  function apply() {
    var words = input.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row) {
      var text = row.getAttribute('data-search');
      var match = words.every(function (w) { return text.indexOf(w) >= 0; });
      row.hidden = !match;
      if (match) shown++;
    });
    count.textContent = shown + ' of ' + rows.length + ' schemas';
    none.hidden = shown !== 0;
  }
  var q = new URLSearchParams(location.search).get('q');
  if (q) input.value = q;
  input.addEventListener('input', apply);
  apply();
})();
`;

/** The catalog's index: every schema with kind, owner, consent purpose, latest version, and a search box. */
export function renderIndex(families: readonly SchemaFamily[]): string {
  const rows = families.map((f) => {
    const latest = f.versions[f.versions.length - 1]!;
    const meta = latest.meta;
    const search = [f.vendor, f.name, f.typeName, meta.kind, meta.owner, meta.consent, latest.schema.description, ...Object.keys(latest.schema.properties ?? {})].filter(Boolean).join(' ').toLowerCase();
    return html`<tr data-search="${search}">
<td><a href="${f.href}">${f.name}</a>${meta.deprecated ? html` <span class="chip deprecated">deprecated</span>` : ''}<div class="muted">${f.vendor}</div></td>
<td>${meta.kind ?? 'event + entity'}</td>
<td>${meta.owner ?? '—'}</td>
<td>${meta.consent ?? (meta.kind === 'entity' ? '—' : 'default')}</td>
<td><code>${formatSchemaVer(latest.version)}</code>${f.versions.length > 1 ? html` <span class="muted">(${f.versions.length} versions)</span>` : ''}</td>
<td>${latest.schema.description ?? ''}</td>
</tr>`;
  });
  const body = html`<h1>Schemas</h1>
<p class="muted">Every event and entity of the tracking plan, from the schema files. <a href="registry.json">registry.json</a></p>
<input id="search" type="search" placeholder="Search events, entities, owners, fields…" aria-label="Search schemas" autofocus>
<p id="count" class="muted"></p>
<table id="schemas">
<thead><tr><th>Schema</th><th>Kind</th><th>Owner</th><th>Consent</th><th>Latest</th><th>Description</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<p id="none" class="muted" hidden>No schema matches.</p>`;
  return page('Tracklane schema catalog', '', body, SEARCH_SCRIPT);
}
