/// <reference types="vite/client" />
interface ImportMetaEnv {
  readonly VITE_TRACKLANE_URL?: string;
  readonly VITE_TRACKLANE_WRITE_KEY?: string;
}
