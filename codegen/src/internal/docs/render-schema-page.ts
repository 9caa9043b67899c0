import type { VersionStep } from '../check/check-versions.js';
import type { SchemaContext } from '../emit/schema-context.js';
import { formatSchemaVer } from '../schemaver.js';
import { fieldRows } from './field-rows.js';
import { html, page, type Raw } from './html.js';
import type { SchemaFamily } from './schema-family.js';

/** One schema's page: metadata, fields of each version (latest first) and what changed between versions. */
export function renderSchemaPage(family: SchemaFamily, steps: readonly VersionStep[], igluTypes: ReadonlyMap<string, string>): string {
  const latest = family.versions[family.versions.length - 1]!;
  const meta = latest.meta;
  const versions = [...family.versions].reverse().map((v, i) => {
    const ctx: SchemaContext = { root: v.schema, igluTypes };
    const step = steps.find((s) => s.to.uri === v.uri);
    const fields = fieldTable(fieldRows(v.schema, ctx));
    const changes = step ? html`<p>Changes from <code>${formatSchemaVer(step.from.version)}</code>: declared <span class="chip ${step.declared}">${step.declared}</span> real <span class="chip ${step.real}">${step.real}</span></p>
<ul>${step.changes.map((c) => html`<li><span class="chip ${c.kind}">${c.kind}</span> <code>${c.pointer || '/'}</code> ${c.message}</li>`)}</ul>` : '';
    const content = html`<p><code>${v.uri}</code></p>${changes}${fields}`;
    return i === 0
      ? html`<section class="version" id="v${formatSchemaVer(v.version)}"><h2>Version ${formatSchemaVer(v.version)} (latest)</h2>${content}</section>`
      : html`<section class="version" id="v${formatSchemaVer(v.version)}"><details><summary><h2 style="display:inline">Version ${formatSchemaVer(v.version)}</h2></summary>${content}</details></section>`;
  });
  const body = html`<h1>${family.name}${meta.deprecated ? html` <span class="chip deprecated">deprecated</span>` : ''}</h1>
<p class="muted">${family.vendor}</p>
<p>${latest.schema.description ?? ''}</p>
${meta.deprecated ? html`<p><strong>Deprecated:</strong> ${meta.deprecated}</p>` : ''}
<dl>
<dt>Kind</dt><dd>${meta.kind ?? 'not declared (event and entity)'}</dd>
<dt>Owner</dt><dd>${meta.owner ?? 'not declared'}</dd>
<dt>Consent purpose</dt><dd>${meta.consent ?? (meta.kind === 'entity' ? 'none (rides on events)' : "the tracker's default")}</dd>
<dt>Generated code</dt><dd><code>${family.typeName}</code>${meta.kind !== 'entity' ? html`, <code>track${family.typeName}()</code>` : ''}${meta.kind !== 'event' ? html`, <code>create${family.typeName}Entity()</code>` : ''}</dd>
<dt>Versions</dt><dd>${family.versions.map((v) => html`<a href="#v${formatSchemaVer(v.version)}"><code>${formatSchemaVer(v.version)}</code></a> `)}</dd>
</dl>
${versions}`;
  return page(`${family.name} · Tracklane schema catalog`, '../../', body);
}

function fieldTable(rows: ReturnType<typeof fieldRows>): Raw {
  if (rows.length === 0) return html`<p class="muted">No declared fields.</p>`;
  return html`<table class="fields">
<thead><tr><th>Field</th><th>Type</th><th>Required</th><th>Constraints</th><th>PII</th><th>Description</th></tr></thead>
<tbody>${rows.map((r) => html`<tr>
<td><code>${r.pointer}</code></td><td><code>${r.type}</code></td><td>${r.required ? 'yes' : 'no'}</td>
<td>${r.constraints.map((c) => html`<code>${c}</code> `)}</td>
<td>${r.pii ? html`<span class="chip pii">${r.pii}</span>` : ''}</td><td>${r.description ?? ''}</td>
</tr>`)}</tbody>
</table>`;
}
