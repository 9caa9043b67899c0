#!/usr/bin/env node
// `pnpm start` (after `pnpm build` at the root and here): the native collector on 127.0.0.1:8787 with
// the example plan and a file raw store in .data/, and the built page on http://127.0.0.1:5173.
import { createReadStream, existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCollector, createFileSink } from '@tracklane/collector';

const here = path.dirname(fileURLToPath(import.meta.url));
const pagePort = Number(process.env.PORT ?? 5173);
const collectorPort = Number(process.env.COLLECTOR_PORT ?? 8787);
const origin = `http://127.0.0.1:${pagePort}`;
const dist = path.join(here, 'dist');
if (!existsSync(path.join(dist, 'index.html'))) {
  console.error('Build the page first: pnpm --filter @tracklane/example-web-app build');
  process.exit(1);
}

const collector = createCollector({
  schemas: [path.join(here, '../tracking-plan/schemas')],
  writeKeys: [{ key: 'pk_demo_web', kind: 'browser', origins: [origin, `http://localhost:${pagePort}`], appId: 'acme-web' }],
  sink: createFileSink({ dir: path.join(here, '.data') }),
});
const collectorUrl = await collector.listen(collectorPort, '127.0.0.1');

const types = { '.html': 'text/html', '.js': 'text/javascript', '.map': 'application/json', '.css': 'text/css' };
const pages = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', origin);
  const file = path.join(dist, path.normalize(url.pathname === '/' ? '/index.html' : url.pathname));
  if (!file.startsWith(dist) || !existsSync(file)) return res.writeHead(404).end('not found');
  res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
});
pages.listen(pagePort, '127.0.0.1', () => {
  console.log(`page      ${origin}  (events go to ${collectorUrl}; good and bad events land in ${path.join(here, '.data')})`);
});

const stop = () => {
  pages.close();
  void collector.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
