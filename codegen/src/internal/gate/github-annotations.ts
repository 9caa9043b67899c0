/**
 * GitHub Actions workflow commands (`::error file=...::message`). Their values are escaped as the
 * runner reads them: `%`, CR and LF in the message; also `:` and `,` in a property, which would
 * otherwise end it.
 */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One annotation: `::error file=<path>,line=<n>,title=<rule>::<message>`. */
export function annotation(level: 'error' | 'warning', message: string, where: { file?: string; line?: number; title?: string }): string {
  const properties = [
    where.file === undefined ? undefined : `file=${escapeProperty(where.file)}`,
    where.file === undefined ? undefined : `line=${where.line ?? 1}`,
    where.title === undefined ? undefined : `title=${escapeProperty(where.title)}`,
  ];
  const list = properties.filter((p) => p !== undefined).join(',');
  return `::${level}${list === '' ? '' : ` ${list}`}::${escapeData(message)}`;
}
