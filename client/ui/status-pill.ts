/**
 * The status the user can trust: the connection (connecting / connected / offline / no access)
 * and whether every local change is stored on the server ("All changes saved", from the
 * server's saved acknowledgements) or not yet ("Unsaved changes").
 */
import type { EditorStatus } from '../editor-status.js';
import type { TandemStrings } from './strings.js';

export interface StatusPill {
  element: HTMLElement;
  update(status: EditorStatus): void;
}

export function createStatusPill(strings: TandemStrings): StatusPill {
  const pill = document.createElement('div');
  pill.className = 'tandem-status';
  pill.setAttribute('role', 'status');
  pill.setAttribute('aria-live', 'polite');
  pill.dataset.testid = 'status';
  const dot = document.createElement('span');
  dot.className = 'tandem-status-dot';
  dot.setAttribute('aria-hidden', 'true');
  const connection = document.createElement('span');
  connection.className = 'tandem-status-connection';
  connection.dataset.testid = 'connection-status';
  const save = document.createElement('span');
  save.className = 'tandem-status-save';
  save.dataset.testid = 'save-status';
  pill.append(dot, connection, save);

  return {
    element: pill,
    update(status) {
      pill.dataset.connection = status.connection;
      pill.dataset.transport = status.transport;
      pill.dataset.save = status.save;
      connection.dataset.state = status.connection;
      connection.textContent = status.connection === 'connected' && status.transport === 'http' ? strings.connectedHttp : strings[status.connection];
      save.dataset.state = status.readOnly ? 'read-only' : status.save;
      save.textContent = status.readOnly ? strings.viewOnly : strings[status.save];
      pill.title = `${connection.textContent} · ${save.textContent}`;
    },
  };
}
