/**
 * Who is in the document: one avatar per person (presence-people.ts merges a person's tabs), the
 * local user first, with the full list in the accessible name and tooltips.
 */
import type { Awareness } from 'y-protocols/awareness';
import { initials } from '../identity.js';
import { peopleIn, type PresentPerson } from '../presence-people.js';
import { format, type TandemStrings } from './strings.js';

const MAX_AVATARS = 5;

export interface PresenceList {
  element: HTMLElement;
  destroy(): void;
}

export function createPresenceList(awareness: Awareness, strings: TandemStrings): PresenceList {
  const list = document.createElement('ul');
  list.className = 'tandem-presence';
  list.dataset.testid = 'presence-list';

  const render = (): void => {
    const people: PresentPerson[] = peopleIn(awareness);
    list.setAttribute('aria-label', people.length === 1 ? strings.presenceOne : format(strings.presenceMany, { count: people.length }));
    list.replaceChildren(
      ...people.slice(0, MAX_AVATARS).map((person, index) => {
        const item = document.createElement('li');
        item.className = 'tandem-avatar';
        item.dataset.testid = 'presence-user';
        item.dataset.self = String(person.isSelf);
        // How many tabs or editors this person is here with (one avatar for all of them).
        item.dataset.clients = String(person.clientIds.length);
        item.style.setProperty('--tandem-user-color', person.color);
        // Earlier avatars overlap later ones, so the local user's stays fully visible.
        item.style.zIndex = String(MAX_AVATARS - index);
        item.title = person.isSelf ? `${person.name} ${strings.you}` : person.name;
        const letters = document.createElement('span');
        letters.setAttribute('aria-hidden', 'true');
        letters.textContent = initials(person.name);
        const name = document.createElement('span');
        name.className = 'tandem-sr-only';
        name.dataset.testid = 'presence-name';
        name.textContent = person.isSelf ? `${person.name} ${strings.you}` : person.name;
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
      more.setAttribute('aria-label', format(strings.presenceMore, { names: hidden.join(', ') }));
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
