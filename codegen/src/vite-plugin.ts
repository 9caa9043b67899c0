import type { Plugin } from 'rollup';
import { TracklaneBuild, type TracklanePluginOptions } from './internal/build-plugin.js';

export type { TracklanePluginOptions } from './internal/build-plugin.js';

/** The part of Vite's dev server the plugin uses (typed here so `vite` stays an optional peer). */
export interface ViteDevServerLike {
  watcher: { add(paths: string | readonly string[]): unknown; on(event: 'add' | 'change' | 'unlink', listener: (path: string) => void): unknown };
  config: { logger: { error(message: string): void; info(message: string): void } };
}

/** A Vite plugin: a Rollup plugin plus the dev-server hook. */
export type VitePluginLike = Plugin & { enforce?: 'pre' | 'post'; configureServer?: (server: ViteDevServerLike) => void };

/**
 * Vite plugin: generates at build start (dev and build); in the dev server, regenerates when a
 * schema is added, changed or removed, and Vite's HMR picks up the new module.
 */
export function tracklane(options: TracklanePluginOptions = {}): VitePluginLike {
  let build: TracklaneBuild | undefined;
  const get = (): TracklaneBuild => (build ??= new TracklaneBuild(options));
  return {
    name: 'tracklane',
    enforce: 'pre',
    buildStart() {
      const error = get().run();
      if (error) this.error(error);
    },
    configureServer(server) {
      const b = get();
      server.watcher.add(b.config.schemas);
      const regenerate = (path: string): void => {
        if (!b.isSchema(path)) return;
        const error = b.run();
        if (error) server.config.logger.error(error);
        else server.config.logger.info(`tracklane: regenerated after ${path} changed`);
      };
      for (const event of ['add', 'change', 'unlink'] as const) server.watcher.on(event, regenerate);
    },
  };
}
