#!/usr/bin/env -S node --max-semi-space-size=4
/**
 * `tandem` command line: `tandem serve [options]` runs the server until SIGTERM/SIGINT, then stops
 * gracefully (every pending write flushed) and exits 0, or 1 if writes could not be flushed; a
 * second signal does not interrupt that, a third exits at once (see shutdown-signals.ts).
 * `tandem token` mints a token, `tandem revoke` revokes tokens on a running server, `tandem
 * repair` builds a repaired copy of a damaged data folder and `tandem migrate` creates or
 * migrates the PostgreSQL schema.
 *
 * The `node` flag on the first line caps V8's young generation at 4 MB per semi-space (16 MB by
 * default). A burst of connections grows it to the cap and it is not given back, so with the
 * default it was most of what 2,000 idle connections cost (about 21 KB each, 13 KB with the cap).
 * The benchmarks showed no CPU or latency cost: what a sync server allocates per message is
 * short-lived, and documents live in the old generation. Run the file directly (or as `tandem`)
 * to get it; `node dist/server/cli.js` without the flag works the same, with more memory.
 */
import { ConfigError, parseServeConfig, renderServeHelp } from './config.js';
import { REVOKE_USAGE, runRevokeCommand, runTokenCommand, TOKEN_USAGE } from './auth/auth-commands.js';
import { StoreFolderError } from './persistence/leveldb-folder-check.js';
import { REPAIR_USAGE, runRepairCommand } from './persistence/repair-command.js';
import { MIGRATE_USAGE, runMigrateCommand } from './persistence/migrate-command.js';
import { startServer } from './main.js';
import { handleShutdownSignals } from './shutdown-signals.js';

const USAGE = `Usage: tandem <command> [options]

Commands:
  serve     run the sync server (tandem serve --help for options)
  token     mint a token signed with TANDEM_AUTH_SECRET (tandem token --help)
  revoke    revoke a subject's or a document's tokens on a running server (tandem revoke --help)
  repair    build a repaired copy of a damaged data folder (tandem repair --help)
  migrate   create or migrate the PostgreSQL schema (tandem migrate --help)
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined ? 1 : 0;
  }
  if (command === 'serve') return serve(rest);
  if (command === 'token' || command === 'revoke') {
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(command === 'token' ? TOKEN_USAGE : REVOKE_USAGE);
      return 0;
    }
    const output = command === 'token' ? await runTokenCommand(rest, process.env) : await runRevokeCommand(rest, process.env);
    process.stdout.write(`${output}\n`);
    return 0;
  }
  if (command === 'repair') {
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(REPAIR_USAGE);
      return 0;
    }
    process.stdout.write(`${await runRepairCommand(rest)}\n`);
    return 0;
  }
  if (command === 'migrate') {
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(MIGRATE_USAGE);
      return 0;
    }
    process.stdout.write(`${await runMigrateCommand(rest, process.env)}\n`);
    return 0;
  }
  process.stderr.write(`tandem: unknown command '${command}'\n\n${USAGE}`);
  return 1;
}

async function serve(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${renderServeHelp()}\n`);
    return 0;
  }
  const config = parseServeConfig(argv, process.env);
  const server = await startServer(config);
  return new Promise((resolve) => handleShutdownSignals({ logger: server.logger, stop: () => server.close(), exit: resolve }));
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof StoreFolderError) {
      process.stderr.write(`tandem: ${error.message}\n`);
    } else {
      process.stderr.write(`tandem: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exit(1);
  },
);
