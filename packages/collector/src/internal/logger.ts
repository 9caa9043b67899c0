/** Structured logs: one JSON object per line. Callers pass ids (keyId), never secrets or payloads. */
export type Log = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export function createLog(write: (line: string) => void): Log {
  return (level, message, fields = {}) => {
    write(JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields }));
  };
}
