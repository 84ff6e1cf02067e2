/**
 * Who is in the document, from the awareness states: one entry per person, however many tabs or
 * embedded editors they have open. A person is the `user.id` in the awareness state (the token's
 * `sub`, or an id remembered per browser); states without one count as a person each. The local
 * user comes first, then by name.
 */
import type { Awareness } from 'y-protocols/awareness';
import { isValidColor } from './identity.js';

const FALLBACK_COLOR = '#6e6e7a';

export interface PresentPerson {
  /** `user.id`, or `client:<awareness client id>` for a state without one. */
  id: string;
  name: string;
  color: string;
  isSelf: boolean;
  /** The awareness client ids (tabs, editors) this person is present with. */
  clientIds: number[];
}

interface UserState {
  id?: unknown;
  name?: unknown;
  color?: unknown;
}

export function listPeople(states: ReadonlyMap<number, Record<string, unknown>>, selfClientId: number): PresentPerson[] {
  const selfUser = states.get(selfClientId)?.user as UserState | undefined;
  const selfId = typeof selfUser?.id === 'string' && selfUser.id !== '' ? selfUser.id : null;
  const people = new Map<string, PresentPerson>();
  states.forEach((state, clientId) => {
    const user = state.user as UserState | undefined;
    if (!user || typeof user.name !== 'string') return;
    const id = typeof user.id === 'string' && user.id !== '' ? user.id : `client:${clientId}`;
    const isSelf = clientId === selfClientId || (selfId !== null && id === selfId);
    const known = people.get(id);
    if (known) {
      known.clientIds.push(clientId);
      // The local tab's own state wins: it has this tab's latest name and colour.
      if (clientId === selfClientId) Object.assign(known, { name: user.name, color: colorOf(user) });
      known.isSelf ||= isSelf;
      return;
    }
    people.set(id, { id, name: user.name, color: colorOf(user), isSelf, clientIds: [clientId] });
  });
  return [...people.values()].sort((a, b) => Number(b.isSelf) - Number(a.isSelf) || a.name.localeCompare(b.name));
}

export function peopleIn(awareness: Awareness): PresentPerson[] {
  return listPeople(awareness.getStates(), awareness.clientID);
}

function colorOf(user: UserState): string {
  return isValidColor(user.color) ? user.color : FALLBACK_COLOR;
}
