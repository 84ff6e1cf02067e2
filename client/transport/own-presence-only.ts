/**
 * y-websocket's provider sends the server every presence change its Awareness reports, other
 * people's included: each presence message it receives goes straight back (an echo). Through a
 * server, other people's states are the server's to relay, and it already has them; in a
 * document with hundreds of people, those echoes were as many messages into the server as it sent
 * out. So the editor's provider sends only changes to this client's own state: its cursor, its
 * renewals every 15 s, its removal when it leaves. (@hocuspocus/provider skips them the same way.)
 */
import type { WebsocketProvider } from 'y-websocket';

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
}
