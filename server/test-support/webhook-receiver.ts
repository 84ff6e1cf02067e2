/**
 * A real HTTP receiver for webhook tests, on 127.0.0.1 port 0. `answer` decides each request from
 * how many times its webhook-id came before (0 for the first attempt): a status code, or 'hang'
 * (never answers, to exercise the sender's timeout). Every request is
 * kept with its headers and body, whatever the answer.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  /** What the receiver answered. */
  answered: number | 'hang';
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** The parsed bodies of the requests answered 2xx. */
  accepted(): Array<{ id: string; type: string; data: Record<string, unknown> }>;
  answer: (attempt: number) => number | 'hang';
  close(): Promise<void>;
}

export async function startWebhookReceiver(answer: (attempt: number) => number | 'hang' = () => 204): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const receiver: WebhookReceiver = {
    url: '',
    received,
    answer,
    accepted: () =>
      received
        .filter((r) => typeof r.answered === 'number' && r.answered < 300)
        .map((r) => ({ id: String(r.headers['webhook-id']), ...(JSON.parse(r.body) as { type: string; data: Record<string, unknown> }) })),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const id = req.headers['webhook-id'];
      const answered = receiver.answer(received.filter((r) => r.headers['webhook-id'] === id).length);
      received.push({ headers: req.headers, body, answered });
      if (answered === 'hang') return;
      res.writeHead(answered).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return receiver;
}
