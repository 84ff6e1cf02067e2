/** The servers the harness knows, in report column order (Tandem first). */
import { hocuspocusLauncher } from './hocuspocus.js';
import type { ServerLauncher } from './server-launcher.js';
import { createTandemLauncher } from './tandem.js';
import { yWebsocketLauncher } from './y-websocket.js';

export const SERVER_KINDS = ['tandem', 'y-websocket', 'hocuspocus'] as const;

export function createLaunchers(options: { tandemRef?: string; tandemEnv?: Record<string, string> } = {}): ServerLauncher[] {
  const tandem = createTandemLauncher({
    ...(options.tandemRef ? { ref: options.tandemRef } : {}),
    ...(options.tandemEnv ? { env: options.tandemEnv } : {}),
  });
  return [tandem, yWebsocketLauncher, hocuspocusLauncher];
}
