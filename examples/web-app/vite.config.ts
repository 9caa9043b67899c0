import { defineConfig } from 'vite';

// A plain static build: `dist/index.html` and one hashed module. `pnpm start` serves it beside a collector.
export default defineConfig({
  build: { target: 'es2022', sourcemap: true },
});
