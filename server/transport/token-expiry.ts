/**
 * Ends a connection when its token expires: one timer per connection, re-armed in steps because
 * setTimeout fires at once beyond 2^31-1 ms (~24.8 days). Shared by the WebSocket gateway and the
 * HTTP fallback sessions.
 */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Where the timer is kept (the connection's session record), so that a close can clear it. */
export interface ExpiryHolder {
  expiry: NodeJS.Timeout | null;
}

export function scheduleTokenExpiry(holder: ExpiryHolder, expiresAt: number, onExpired: () => void): void {
  const remaining = expiresAt - Date.now();
  holder.expiry = setTimeout(
    () => {
      if (Date.now() < expiresAt) return scheduleTokenExpiry(holder, expiresAt, onExpired);
      onExpired();
    },
    Math.max(0, Math.min(remaining, MAX_TIMER_MS)),
  );
}
