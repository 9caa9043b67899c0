import type { Plugin } from 'rollup';
import { TracklaneBuild, type TracklanePluginOptions } from './internal/build-plugin.js';

export type { TracklanePluginOptions } from './internal/build-plugin.js';

/**
 * Rollup plugin: generates the tracking module at build start, and again on every rebuild in
 * watch mode, where schema files are watched. A broken schema fails the build with each error's
 * file, pointer and rule.
 */
export function tracklane(options: TracklanePluginOptions = {}): Plugin {
  let build: TracklaneBuild | undefined;
  return {
    name: 'tracklane',
    buildStart() {
      build ??= new TracklaneBuild(options);
      const error = build.run();
      for (const file of build.watchList()) this.addWatchFile(file);
      if (error) this.error(error);
    },
  };
}
