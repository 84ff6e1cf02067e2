import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { beforeWrite } from './turn-cork.js';

/** A connected pair over loopback: what `writer` writes arrives at `reader`. */
async function socketPair(): Promise<{ writer: net.Socket; reader: net.Socket; close: () => void }> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  const accepted = once(server, 'connection') as Promise<[net.Socket]>;
  const writer = net.connect(port, '127.0.0.1');
  await once(writer, 'connect');
  const [reader] = await accepted;
  return {
    writer,
    reader,
    close: () => {
      writer.destroy();
      reader.destroy();
      server.close();
    },
  };
}

function nextTick(): Promise<void> {
  return new Promise((resolve) => process.nextTick(resolve));
}

describe('beforeWrite', () => {
  let close: (() => void) | null = null;
  afterEach(() => close?.());

  it('writes the first frame of a turn at once and corks the socket from the second until the turn ends', async () => {
    const pair = await socketPair();
    close = pair.close;
    const received: Buffer[] = [];
    pair.reader.on('data', (chunk: Buffer) => received.push(chunk));

    let turn = beforeWrite(pair.writer, 0);
    pair.writer.write('a');
    expect(pair.writer.writableCorked).toBe(0);
    turn = beforeWrite(pair.writer, turn);
    pair.writer.write('b');
    turn = beforeWrite(pair.writer, turn);
    pair.writer.write('c');
    expect(pair.writer.writableCorked).toBe(1);
    expect(pair.writer.writableLength).toBe(2); // 'b' and 'c' wait for the end of the turn

    await nextTick();
    expect(pair.writer.writableCorked).toBe(0);
    // A new turn: its first frame goes out at once again.
    beforeWrite(pair.writer, turn);
    pair.writer.write('d');
    expect(pair.writer.writableCorked).toBe(0);

    await expect.poll(() => Buffer.concat(received).toString()).toBe('abcd');
  });

  it('keeps sockets apart: a second socket written once in the same turn is not corked', async () => {
    const first = await socketPair();
    const second = await socketPair();
    close = () => {
      first.close();
      second.close();
    };
    const firstTurn = beforeWrite(first.writer, 0);
    first.writer.write('x');
    beforeWrite(first.writer, firstTurn);
    first.writer.write('y');
    beforeWrite(second.writer, 0);
    second.writer.write('z');
    expect(first.writer.writableCorked).toBe(1);
    expect(second.writer.writableCorked).toBe(0);
    await nextTick();
    expect(first.writer.writableCorked).toBe(0);
  });
});
