/**
 * Who is in the document: one avatar per awareness state that carries a user, the local user
 * first, with the full list in the accessible name and tooltips.
 */
import type { Awareness } from 'y-protocols/awareness';
import { initials, isValidColor } from '../identity.js';

const MAX_AVATARS = 5;

export interface PresenceList {
  element: HTMLElement;
  destroy(): void;
}

interface Person {
  clientId: number;
  name: string;
  color: string;
  isSelf: boolean;
}

export function createPresenceList(awareness: Awareness): PresenceList {
  const list = document.createElement('ul');
  list.className = 'tandem-presence';
  list.dataset.testid = 'presence-list';

  const render = (): void => {
    const people: Person[] = [];
    awareness.getStates().forEach((state, clientId) => {
      const user = (state as { user?: { name?: unknown; color?: unknown } }).user;
      if (!user || typeof user.name !== 'string') return;
      people.push({
        clientId,
        name: user.name,
        color: isValidColor(user.color) ? user.color : '#6e6e7a',
        isSelf: clientId === awareness.clientID,
      });
    });
    people.sort((a, b) => Number(b.isSelf) - Number(a.isSelf) || a.name.localeCompare(b.name));
    list.setAttribute('aria-label', `${people.length} ${people.length === 1 ? 'person' : 'people'} in this document`);
    list.replaceChildren(
      ...people.slice(0, MAX_AVATARS).map((person, index) => {
        const item = document.createElement('li');
        item.className = 'tandem-avatar';
        item.dataset.testid = 'presence-user';
        item.dataset.self = String(person.isSelf);
        item.style.setProperty('--tandem-user-color', person.color);
        // Earlier avatars overlap later ones, so the local user's stays fully visible.
        item.style.zIndex = String(MAX_AVATARS - index);
        item.title = person.isSelf ? `${person.name} (you)` : person.name;
        const letters = document.createElement('span');
        letters.setAttribute('aria-hidden', 'true');
        letters.textContent = initials(person.name);
        const name = document.createElement('span');
        name.className = 'tandem-sr-only';
        name.dataset.testid = 'presence-name';
        name.textContent = person.name + (person.isSelf ? ' (you)' : '');
        item.append(letters, name);
        return item;
      }),
    );
    if (people.length > MAX_AVATARS) {
      const more = document.createElement('li');
      more.className = 'tandem-avatar tandem-avatar-more';
      const hidden = people.slice(MAX_AVATARS).map((p) => p.name);
      more.title = hidden.join(', ');
      more.textContent = `+${hidden.length}`;
      more.setAttribute('aria-label', `and ${hidden.join(', ')}`);
      list.append(more);
    }
  };
  awareness.on('change', render);
  render();
  return {
    element: list,
    destroy() {
      awareness.off('change', render);
      list.remove();
    },
  };
}
