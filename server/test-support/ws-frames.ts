import { createRequire } from 'node:module';

interface ReceiverLike {
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void;
  write(chunk: Buffer): void;
}
// ws's own frame parser (exported by ws, not declared in @types/ws).
const { Receiver } = createRequire(import.meta.url)('ws') as {
  Receiver: new (options: { isServer: boolean; maxPayload: number }) => ReceiverLike;
};

/**
 * The messages in bytes a server wrote as WebSocket frames, read by ws's own Receiver as a client
 * runs it (server frames are unmasked). A frame cut short (a large frame's header written apart
 * from its payload) yields nothing.
 */
export function messagesInFrames(parts: readonly Uint8Array[]): { data: Buffer; isBinary: boolean }[] {
  const receiver = new Receiver({ isServer: false, maxPayload: 0 });
  const received: { data: Buffer; isBinary: boolean }[] = [];
  receiver.on('message', (data, isBinary) => received.push({ data, isBinary }));
  for (const part of parts) receiver.write(Buffer.from(part.buffer, part.byteOffset, part.byteLength));
  return received;
}
