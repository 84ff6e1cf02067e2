/**
 * `tandem token` (mint a token with TANDEM_AUTH_SECRET) and `tandem revoke` (call the admin API
 * of a running server). Both take argv without the command and the environment as arguments.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parsePermission } from '../../shared/token-claims.js';
import { isValidDocName } from '../../shared/doc-name.js';
import { ConfigError } from '../config.js';
import { mintToken, parseDuration } from './mint-token.js';

type Env = Readonly<Record<string, string | undefined>>;

export const TOKEN_USAGE = `Usage: tandem token --sub <id> [--name <display name>] --doc <pattern:read|write>... [--ttl 1h] [--admin]

Prints a JWT signed (HS256) with TANDEM_AUTH_SECRET. --doc repeats; a pattern is a document name,
a prefix ending in '*' (team-*) or '*'. --ttl takes 90, 45s, 30m, 1h or 7d (default 1h).
`;

export const REVOKE_USAGE = `Usage: tandem revoke [--sub <id>] [--doc <name>] [--url http://127.0.0.1:1234]

Revokes every token of the subject (for the document) issued before now, closing its connections
(4409). Authenticates with TANDEM_ADMIN_TOKEN, or mints a one-minute admin token with
TANDEM_AUTH_SECRET. The URL defaults to TANDEM_URL, then http://127.0.0.1:$PORT (1234).
`;

function parse(argv: readonly string[], options: NonNullable<ParseArgsConfig['options']>): Record<string, unknown> {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
}

function requireSecret(env: Env): string {
  const secret = env.TANDEM_AUTH_SECRET;
  if (secret === undefined || secret.length < 32) throw new ConfigError('TANDEM_AUTH_SECRET (at least 32 characters) is needed to sign tokens');
  return secret;
}

export async function runTokenCommand(argv: readonly string[], env: Env): Promise<string> {
  const values = parse(argv, {
    sub: { type: 'string' },
    name: { type: 'string' },
    doc: { type: 'string', multiple: true },
    ttl: { type: 'string', default: '1h' },
    admin: { type: 'boolean', default: false },
  });
  const sub = values.sub as string | undefined;
  if (sub === undefined || sub === '') throw new ConfigError('--sub is required');
  const docs = (values.doc as string[] | undefined) ?? [];
  for (const entry of docs) {
    if (parsePermission(entry) === null) throw new ConfigError(`invalid --doc ${JSON.stringify(entry)}: expected <name|prefix*|*>:<read|write>`);
  }
  const ttlSeconds = parseDuration(values.ttl as string);
  if (ttlSeconds === null) throw new ConfigError(`invalid --ttl ${JSON.stringify(values.ttl)}: expected 90, 45s, 30m, 1h or 7d`);
  const name = values.name as string | undefined;
  return mintToken({
    secret: requireSecret(env),
    sub,
    ...(name !== undefined ? { name } : {}),
    docs,
    ttlSeconds,
    admin: values.admin as boolean,
    ...(env.TANDEM_AUTH_ISSUER ? { issuer: env.TANDEM_AUTH_ISSUER } : {}),
    ...(env.TANDEM_AUTH_AUDIENCE ? { audience: env.TANDEM_AUTH_AUDIENCE } : {}),
  });
}

/** Returns the server's JSON answer; throws with its error message on failure. */
export async function runRevokeCommand(argv: readonly string[], env: Env): Promise<string> {
  const values = parse(argv, { sub: { type: 'string' }, doc: { type: 'string' }, url: { type: 'string' } });
  const sub = values.sub as string | undefined;
  const doc = values.doc as string | undefined;
  if (sub === undefined && doc === undefined) throw new ConfigError('give --sub, --doc or both');
  if (doc !== undefined && !isValidDocName(doc)) throw new ConfigError(`invalid --doc ${JSON.stringify(doc)}`);
  const base = (values.url as string | undefined) ?? env.TANDEM_URL ?? `http://127.0.0.1:${env.PORT ?? '1234'}`;
  const token =
    env.TANDEM_ADMIN_TOKEN ??
    (await mintToken({
      secret: requireSecret(env),
      sub: 'tandem-cli',
      docs: [],
      ttlSeconds: 60,
      admin: true,
      ...(env.TANDEM_AUTH_ISSUER ? { issuer: env.TANDEM_AUTH_ISSUER } : {}),
      ...(env.TANDEM_AUTH_AUDIENCE ? { audience: env.TANDEM_AUTH_AUDIENCE } : {}),
    }));
  const response = await fetch(new URL('/api/admin/revoke', base), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...(sub !== undefined ? { sub } : {}), ...(doc !== undefined ? { doc } : {}) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`revoke failed: HTTP ${response.status} ${text}`);
  return text;
}
