import { describe, expect, it } from 'vitest';
import { listPeople } from './presence-people.js';

const state = (user: Record<string, unknown>): Record<string, unknown> => ({ user });

describe('presence people', () => {
  it('shows a person with two tabs once, with both client ids', () => {
    const states = new Map([
      [1, state({ id: 'ada', name: 'Ada', color: '#e5484d' })],
      [2, state({ id: 'bob', name: 'Bob', color: '#30a46c' })],
      [3, state({ id: 'ada', name: 'Ada', color: '#e5484d' })],
    ]);
    const people = listPeople(states, 2);
    expect(people.map((p) => [p.name, p.isSelf, p.clientIds])).toEqual([
      ['Bob', true, [2]],
      ['Ada', false, [1, 3]],
    ]);
  });

  it('counts the local user’s other tabs as the local user, with this tab’s name', () => {
    const states = new Map([
      [7, state({ id: 'ada', name: 'Ada (old name)', color: '#e5484d' })],
      [9, state({ id: 'ada', name: 'Ada', color: '#3e63dd' })],
    ]);
    expect(listPeople(states, 9)).toEqual([{ id: 'ada', name: 'Ada', color: '#3e63dd', isSelf: true, clientIds: [7, 9] }]);
  });

  it('keeps states without an id apart, and ignores states without a user or with a hostile colour', () => {
    const states = new Map<number, Record<string, unknown>>([
      [1, state({ name: 'Anon', color: '#e5484d' })],
      [2, state({ name: 'Anon', color: 'red; background:url(x)' })],
      [3, { cursor: null }],
    ]);
    const people = listPeople(states, 99);
    expect(people.map((p) => p.id)).toEqual(['client:1', 'client:2']);
    expect(people[1]!.color).toBe('#6e6e7a');
  });
});
