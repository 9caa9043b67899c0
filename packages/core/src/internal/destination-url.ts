import { TracklaneError, TracklaneErrorCode } from './errors.js';

/**
 * The endpoint of a destination: `path` appended to the base `url` a user configured (trailing
 * slashes dropped), with the base's query kept when `keepQuery`. Throws a configuration error that
 * names the destination when the URL is not http(s).
 */
export function destinationEndpoint(destination: string, url: string, path: string, keepQuery = false): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TracklaneError(TracklaneErrorCode.INVALID_CONFIG, `Tracklane: ${destination} \`url\` is not a valid URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TracklaneError(TracklaneErrorCode.INVALID_CONFIG, `Tracklane: ${destination} \`url\` must be http(s), got ${parsed.protocol}`);
  }
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}${path}${keepQuery ? parsed.search : ''}`;
}
