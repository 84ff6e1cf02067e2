/**
 * Judges a client's awareness update entry by entry, before anything of it is applied: pure
 * functions, no room and no sockets (room-awareness.ts holds the state they are asked about).
 *
 * An awareness update is a list of entries `(clientID, clock, state as JSON text)` (y-protocols
 * `awareness.js`). y-protocols applies every entry whose clock is newer, whoever sent it, so any
 * connection could rename or remove anyone, and introduce as many ids of any size as it liked.
 * Here each entry gets a verdict:
 *
 * - a state over `maxStateBytes` closes the sender (1009), checked on the raw bytes before parsing;
 * - an entry that would change nothing (an older clock, or the same clock unless it removes a
 *   state that is there) is ignored: stock clients echo back every awareness change they receive;
 * - the sender's own ids are accepted;
 * - an id nobody holds is accepted and becomes the sender's, unless the sender has already
 *   introduced `maxIds` ids over its life: then it is closed (1008);
 * - an id held by a connection of the same (non-null) token subject is taken over: a reconnecting
 *   tab keeps its client id, and its old connection may not have been noticed gone yet;
 * - anything else touches someone else's presence and is refused (dropped and counted; the
 *   transport closes after too many). Same-clock removals are ignored, not counted: stock clients
 *   send them when their own 30 s timeout drops a state that the server still has.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as string from 'lib0/string';
import { CloseCode } from '../../shared/protocol.js';

export interface AwarenessEntry {
  clientID: number;
  clock: number;
  /** The state's JSON text as sent, UTF-8: measured before it is parsed. */
  stateBytes: Uint8Array;
}

export interface AwarenessLimits {
  /** Largest state (its JSON text, in bytes) of one client id. */
  maxStateBytes: number;
  /** Client ids one connection may introduce over its life. */
  maxIds: number;
}

/** What the room knows about a client id when a connection sends an entry for it. */
export interface IdStanding {
  /** The id's clock in the room (0 for an id never seen). */
  clock: number;
  hasState: boolean;
  /**
   * Who holds the id: the sender, nobody, another connection with the sender's token subject,
   * or anyone else (another user's connection, the server, another process).
   */
  holder: 'sender' | 'none' | 'same-subject' | 'other';
}

export type EntryVerdict = 'accept' | 'claim' | 'ignore' | 'refuse' | 'too-big' | 'too-many-ids';

export interface AcceptedEntry {
  clientID: number;
  clock: number;
  /** Parsed: null removes the id's state. */
  state: unknown;
}

export interface AwarenessJudgement {
  /** Entries to apply, in the order sent. */
  accepted: AcceptedEntry[];
  /** Ids the sender introduces or takes over with this update (accepted entries among them). */
  claimed: number[];
  /** Entries dropped for touching someone else's presence. */
  refused: number;
  /** Set when the sender must be closed; nothing of the update is applied then. */
  close: { code: typeof CloseCode.messageTooBig | typeof CloseCode.policyViolation; reason: string } | null;
}

const TOO_BIG = { code: CloseCode.messageTooBig, reason: 'awareness state too large' } as const;
const TOO_MANY_IDS = { code: CloseCode.policyViolation, reason: 'too many awareness ids' } as const;

/** The entries of an awareness update; throws on a malformed one (the codec has checked it already). */
export function decodeAwarenessEntries(update: Uint8Array): AwarenessEntry[] {
  const decoder = decoding.createDecoder(update);
  const count = decoding.readVarUint(decoder);
  const entries: AwarenessEntry[] = [];
  for (let i = 0; i < count; i++) {
    const clientID = decoding.readVarUint(decoder);
    const clock = decoding.readVarUint(decoder);
    entries.push({ clientID, clock, stateBytes: decoding.readVarUint8Array(decoder) });
  }
  return entries;
}

/** The awareness update carrying `entries` (y-protocols' encoding; states as JSON text). */
export function encodeAwarenessEntries(entries: readonly AcceptedEntry[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const { clientID, clock, state } of entries) {
    encoding.writeVarUint(encoder, clientID);
    encoding.writeVarUint(encoder, clock);
    encoding.writeVarString(encoder, JSON.stringify(state));
  }
  return encoding.toUint8Array(encoder);
}

/**
 * One entry's verdict. `introduced` is how many ids the sender has introduced so far, and
 * `wasIntroduced` whether this id is one of them (taking back an id it once held costs nothing).
 */
export function judgeAwarenessEntry(
  entry: { clock: number; byteLength: number; isRemoval: boolean },
  standing: IdStanding,
  sender: { introduced: number; wasIntroduced: boolean },
  limits: AwarenessLimits,
): EntryVerdict {
  if (entry.byteLength > limits.maxStateBytes) return 'too-big';
  // y-protocols' own rule for whether an entry changes anything.
  const isNewer = entry.clock > standing.clock;
  const isSameClockRemoval = entry.clock === standing.clock && entry.isRemoval && standing.hasState;
  if (!isNewer && !isSameClockRemoval) return 'ignore';
  switch (standing.holder) {
    case 'sender':
      return 'accept';
    case 'none':
      // Nothing to remove (a held id keeps its holder while its state is gone).
      if (entry.isRemoval) return 'ignore';
      break;
    case 'same-subject':
      if (entry.isRemoval) return 'ignore';
      break;
    case 'other':
      return isSameClockRemoval ? 'ignore' : 'refuse';
  }
  if (!sender.wasIntroduced && sender.introduced >= limits.maxIds) return 'too-many-ids';
  return 'claim';
}

/**
 * Judges a whole update. `standingOf` answers for the room as it is before the update; entries
 * for an id the same update already claimed count as the sender's.
 */
export function judgeAwarenessUpdate(
  entries: readonly AwarenessEntry[],
  standingOf: (clientID: number) => IdStanding,
  sender: { introduced: readonly number[] },
  limits: AwarenessLimits,
): AwarenessJudgement {
  const judgement: AwarenessJudgement = { accepted: [], claimed: [], refused: 0, close: null };
  const claimed = new Set<number>();
  for (const { clientID, clock, stateBytes } of entries) {
    // Before parsing: a huge state costs nothing more than its bytes.
    if (stateBytes.length > limits.maxStateBytes) {
      judgement.close = TOO_BIG;
      return judgement;
    }
    const state: unknown = JSON.parse(string.decodeUtf8(stateBytes));
    const standing = claimed.has(clientID) ? { ...standingOf(clientID), holder: 'sender' as const } : standingOf(clientID);
    const counts = { introduced: sender.introduced.length + countNew(claimed, sender.introduced), wasIntroduced: sender.introduced.includes(clientID) };
    const verdict = judgeAwarenessEntry({ clock, byteLength: stateBytes.length, isRemoval: state === null }, standing, counts, limits);
    switch (verdict) {
      case 'too-big':
        judgement.close = TOO_BIG;
        return judgement;
      case 'too-many-ids':
        judgement.close = TOO_MANY_IDS;
        return judgement;
      case 'ignore':
        continue;
      case 'refuse':
        judgement.refused++;
        continue;
      case 'claim':
        claimed.add(clientID);
        judgement.claimed.push(clientID);
        judgement.accepted.push({ clientID, clock, state });
        continue;
      case 'accept':
        judgement.accepted.push({ clientID, clock, state });
    }
  }
  return judgement;
}

function countNew(claimed: ReadonlySet<number>, introduced: readonly number[]): number {
  let count = 0;
  for (const id of claimed) if (!introduced.includes(id)) count++;
  return count;
}

/**
 * The state with `user.name` set to `name` (the token's), whatever the client put there: the name
 * other people see for a connection is the one its token vouches for. Only object states carry a
 * user; anything else is left as it is (no presence list shows a name for it).
 */
export function withDisplayName(state: unknown, name: string): unknown {
  if (!isPlainObject(state)) return state;
  const user = isPlainObject(state.user) ? state.user : {};
  return { ...state, user: { ...user, name } };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
