/**
 * y-websocket's provider sends the server every presence change its Awareness reports, other
 * people's included: each presence message it receives goes straight back (an echo). Through a
 * server, other people's states are the server's to relay, and it already has them; in a
 * document with hundreds of people, those echoes were as many messages into the server as it sent
 * out. So the editor's provider sends only changes to this client's own state: its cursor, its
 * renewals every 15 s, its removal when it leaves. (@hocuspocus/provider skips them the same way.)
 *
 * It also tells the server so (OWN_PRESENCE_PARAM, from the next connection on: call this before
 * connecting): the server then remembers nothing to recognise echoes by, and in a hot document
 * sends this client the same presence frame as everyone else, its own state included.
 */
import type { WebsocketProvider } from 'y-websocket';
import { OWN_PRESENCE_PARAM } from '../../shared/protocol.js';

interface AwarenessChange {
  added: number[];
  updated: number[];
  removed: number[];
}

export function sendOwnPresenceOnly(provider: WebsocketProvider): void {
  const { awareness } = provider;
  const sendChange = provider._awarenessUpdateHandler;
  const sendOwn = ({ added, updated, removed }: AwarenessChange, origin: unknown): void => {
    const own = awareness.clientID;
    const mine = (ids: number[]): number[] => (ids.includes(own) ? [own] : []);
    const change = { added: mine(added), updated: mine(updated), removed: mine(removed) };
    if (change.added.length + change.updated.length + change.removed.length > 0) sendChange(change, origin);
  };
  awareness.off('update', sendChange);
  awareness.on('update', sendOwn);
  // destroy() unsubscribes this field's handler: it must be ours now.
  provider._awarenessUpdateHandler = sendOwn;
  // The provider builds each connection's URL from its params.
  provider.params = { ...provider.params, [OWN_PRESENCE_PARAM]: '1' };
}
