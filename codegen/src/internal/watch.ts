import { watch, type FSWatcher } from 'node:fs';

/** Calls `onChange` (debounced) whenever a file under one of `dirs` changes. Returns a function that stops watching. */
export function watchDirs(dirs: readonly string[], onChange: () => void, debounceMs = 50): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const fire = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  };
  const watchers: FSWatcher[] = dirs.map((dir) => watch(dir, { recursive: true }, fire));
  return () => {
    if (timer) clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
