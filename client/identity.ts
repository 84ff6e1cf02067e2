/**
 * Who the local user is: a display name, a caret colour and an id, remembered in localStorage so
 * a returning user keeps them; a friendly random pair on first visit. The id lets the others
 * show one avatar for someone with several tabs open.
 */

export interface TandemUser {
  name: string;
  /** `#rrggbb`; a random palette colour when omitted. */
  color?: string;
  /**
   * Who this is, so the same person in several tabs or editors shows once in the presence list.
   * A token's `sub` takes precedence; without either, each editor is a person of its own.
   */
  id?: string;
}

export type RememberedUser = Required<Pick<TandemUser, 'name' | 'color'>> & { id: string };

/** Colours that read well as caret labels with white text. */
export const USER_COLORS = ['#e5484d', '#f76b15', '#d6409f', '#8e4ec6', '#3e63dd', '#0090ff', '#12a594', '#30a46c', '#ad7f58', '#5b5bd6'] as const;

const ANIMALS = ['Otter', 'Heron', 'Lynx', 'Badger', 'Falcon', 'Koala', 'Panda', 'Marten', 'Puffin', 'Gecko', 'Ibis', 'Orca', 'Wren', 'Yak', 'Tapir', 'Quokka'];
const MOODS = ['Curious', 'Brave', 'Calm', 'Clever', 'Gentle', 'Jolly', 'Nimble', 'Sunny', 'Witty', 'Bold', 'Keen', 'Merry'];

const STORAGE_KEY = 'tandem:user';
const MAX_NAME_LENGTH = 40;

export function pick<T>(items: readonly T[], random: () => number = Math.random): T {
  return items[Math.floor(random() * items.length)]!;
}

export function randomUser(random: () => number = Math.random): RememberedUser {
  return { name: `${pick(MOODS, random)} ${pick(ANIMALS, random)}`, color: pick(USER_COLORS, random), id: randomUserId(random) };
}

/** A random id for a browser's user (not a secret: it only groups one person's tabs). */
export function randomUserId(random: () => number = Math.random): string {
  return `u-${Array.from({ length: 16 }, () => Math.floor(random() * 36).toString(36)).join('')}`;
}

export function isValidColor(color: unknown): color is string {
  return typeof color === 'string' && /^#[0-9a-fA-F]{6}$/.test(color);
}

/** Trims and shortens a display name; null when nothing is left. */
export function cleanName(name: string): string | null {
  const cleaned = name.replace(/\s+/g, ' ').trim().slice(0, MAX_NAME_LENGTH);
  return cleaned === '' ? null : cleaned;
}

/** The remembered user, or a new random one (remembered from now on). */
export function loadUser(storage: Storage | null = safeLocalStorage()): RememberedUser {
  try {
    const raw = storage?.getItem(STORAGE_KEY);
    if (raw) {
      const parsed = JSON.parse(raw) as Partial<TandemUser>;
      const name = typeof parsed.name === 'string' ? cleanName(parsed.name) : null;
      if (name && isValidColor(parsed.color)) {
        if (typeof parsed.id === 'string' && parsed.id !== '') return { name, color: parsed.color, id: parsed.id };
        // Remembered before users had ids: keep the name and colour, add an id.
        const user = { name, color: parsed.color, id: randomUserId() };
        saveUser(user, storage);
        return user;
      }
    }
  } catch (error) {
    console.warn('tandem: ignoring an unreadable stored user', error);
  }
  const user = randomUser();
  saveUser(user, storage);
  return user;
}

export function saveUser(user: RememberedUser, storage: Storage | null = safeLocalStorage()): void {
  try {
    storage?.setItem(STORAGE_KEY, JSON.stringify(user));
  } catch (error) {
    // Private mode or a full quota: the name still works for this session.
    console.warn('tandem: could not remember the user name', error);
  }
}

function safeLocalStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    // Access to localStorage throws when storage is disabled for the site.
    return null;
  }
}

/** Up to two initials for an avatar. */
export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length >= 2 ? [parts[0]![0], parts[parts.length - 1]![0]] : [parts[0]?.[0], parts[0]?.[1]];
  return letters.filter(Boolean).join('').toUpperCase() || '?';
}
