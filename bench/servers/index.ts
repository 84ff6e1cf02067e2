/** The servers the harness knows, in report column order (Tandem first, the reference last). */
import { bareRelayLauncher } from './bare-relay.js';
import { hocuspocusLauncher } from './hocuspocus.js';
import type { ServerLauncher } from './server-launcher.js';
import { createTandemLauncher, type TandemLauncherOptions } from './tandem.js';
import { yWebsocketLauncher } from './y-websocket.js';

export const SERVER_KINDS = ['tandem', 'y-websocket', 'hocuspocus', 'bare-relay'] as const;

export function createLaunchers(tandem: TandemLauncherOptions = {}): ServerLauncher[] {
  return [createTandemLauncher(tandem), yWebsocketLauncher, hocuspocusLauncher, bareRelayLauncher];
}
