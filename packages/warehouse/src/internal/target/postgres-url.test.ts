import { describe, expect, it } from 'vitest';
import { redactPassword, redactPostgresUrl } from './postgres-url.js';

describe('PostgreSQL URLs as shown', () => {
  it.each([
    ['postgres://loader:s%40cret@db:5432/analytics', 'postgres://loader:***@db:5432/analytics'],
    ['postgresql://loader@db/analytics?sslmode=require', 'postgresql://loader@db/analytics?sslmode=require'],
    ['postgres://db/analytics', 'postgres://db/analytics'],
    ['host=db password=hunter2 user=x', 'host=db password=*** user=x'],
    ["host=db password='a b' user=x", 'host=db password=*** user=x'],
  ])('%s -> %s', (url, shown) => expect(redactPostgresUrl(url)).toBe(shown));

  it("hides the password in a driver's message, decoded", () => {
    expect(redactPassword('auth failed for s@cret here', 'postgres://u:s%40cret@h/db')).toBe('auth failed for *** here');
    // Too short to hide without blanking ordinary text.
    expect(redactPassword('a b c', 'postgres://u:a@h/db')).toBe('a b c');
  });
});
