import { describe, expect, it } from 'vitest';
import { isValidDocName } from '../shared/doc-name.js';
import { randomDocName } from './doc-names.js';
import { cleanName, initials, isValidColor, loadUser, randomUser, saveUser } from './identity.js';
import { accessFromToken } from './tokens/token-access.js';

function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (index) => [...items.keys()][index] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, value),
  };
}

/** An unsigned JWT: the client only decodes tokens, the server verifies them. */
function token(claims: Record<string, unknown>): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}.c2lnbmF0dXJl`;
}

describe('user identity', () => {
  it('remembers the first random user and returns it afterwards', () => {
    const storage = memoryStorage();
    const first = loadUser(storage);
    expect(first.name).toMatch(/^\w+ \w+$/);
    expect(isValidColor(first.color)).toBe(true);
    expect(loadUser(storage)).toEqual(first);
    expect(first.id).toMatch(/^u-[0-9a-z]{16}$/);
    saveUser({ name: 'Ada', color: '#e5484d', id: 'ada-1' }, storage);
    expect(loadUser(storage)).toEqual({ name: 'Ada', color: '#e5484d', id: 'ada-1' });
  });

  it('gives a user remembered without an id one, and keeps it from then on', () => {
    const storage = memoryStorage();
    storage.setItem('tandem:user', '{"name":"Ada","color":"#e5484d"}');
    const upgraded = loadUser(storage);
    expect(upgraded).toMatchObject({ name: 'Ada', color: '#e5484d' });
    expect(upgraded.id).toMatch(/^u-[0-9a-z]{16}$/);
    expect(loadUser(storage).id).toBe(upgraded.id);
  });

  it('replaces a corrupt or hostile stored user', () => {
    const storage = memoryStorage();
    storage.setItem('tandem:user', '{"name":"Eve","color":"red; background:url(x)"}');
    expect(loadUser(storage).color).toMatch(/^#[0-9a-f]{6}$/i);
    storage.setItem('tandem:user', 'not json');
    expect(loadUser(storage).name).not.toBe('');
  });

  it('cleans names and makes initials', () => {
    expect(cleanName('  Ada \n  Lovelace ')).toBe('Ada Lovelace');
    expect(cleanName('   ')).toBeNull();
    expect(cleanName('x'.repeat(100))).toHaveLength(40);
    expect(initials('Ada Lovelace')).toBe('AL');
    expect(initials('grace')).toBe('GR');
    expect(initials('Mary Ann Evans')).toBe('ME');
    expect(initials('')).toBe('?');
  });

  it('makes random users and document names from a seeded source', () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    for (let i = 0; i < 200; i++) {
      const name = randomDocName(random);
      expect(isValidDocName(name), name).toBe(true);
      expect(name).toMatch(/^[a-z]+-[a-z]+-\d{2}$/);
      expect(isValidColor(randomUser(random).color)).toBe(true);
    }
  });
});

describe('accessFromToken', () => {
  it('reads the document grant from the token without verifying it', () => {
    const grant = token({ sub: 'u1', docs: ['team-*:write', 'handbook:read'] });
    expect(accessFromToken(grant, 'team-notes')).toBe('write');
    expect(accessFromToken(grant, 'handbook')).toBe('read');
    expect(accessFromToken(grant, 'secret')).toBeNull();
  });

  it('treats no token as editable (open server) and an unreadable one as no access', () => {
    expect(accessFromToken(undefined, 'x')).toBe('write');
    expect(accessFromToken('garbage', 'x')).toBeNull();
    expect(accessFromToken(token({ sub: 'u1', docs: 'x:write' }), 'x')).toBeNull();
  });
});
