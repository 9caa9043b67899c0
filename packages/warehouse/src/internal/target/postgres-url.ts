/**
 * A PostgreSQL URL as it may be shown: the password replaced by `***`. Every message, log line and
 * target name uses this form; the URL itself only goes to the driver.
 */
export function redactPostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not a URL (a keyword/value string): hide every password=... in it.
    return url.replace(/(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)/gi, '$1***');
  }
}

/** `text` with the URL's password, if it has one, replaced by `***` (a driver message that quotes it). */
export function redactPassword(text: string, url: string): string {
  let password = '';
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    return text;
  }
  // A very short password would blank out ordinary letters; drivers do not quote passwords anyway.
  return password.length >= 3 ? text.split(password).join('***') : text;
}
