/** The servers the harness knows, in report column order (Tandem first, the reference last). */
import { createBareRelayLauncher } from './bare-relay.js';
import { createHocuspocusLauncher } from './hocuspocus.js';
import type { ServerLauncher } from './server-launcher.js';
import { SharedNodeFlags } from './shebang-flags.js';
import { createTandemLauncher, type TandemLauncherOptions } from './tandem.js';
import { createYWebsocketLauncher } from './y-websocket.js';

export const SERVER_KINDS = ['tandem', 'y-websocket', 'hocuspocus', 'bare-relay'] as const;

/** Every server of one run starts with the node flags of the Tandem CLI under test. */
export function createLaunchers(tandem: TandemLauncherOptions = {}): ServerLauncher[] {
  const flags = new SharedNodeFlags();
  return [createTandemLauncher(tandem, flags), createYWebsocketLauncher(flags), createHocuspocusLauncher(flags), createBareRelayLauncher(flags)];
}
