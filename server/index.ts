/**
 * `tandem/server`: the Tandem server for embedding in a Node app. Build a config from
 * command-line style arguments and an environment (the same options as `tandem serve`), start it,
 * close it:
 *
 *   const server = await startServer(parseServeConfig(['--port', '0', '--data-dir', dir], process.env));
 *   await server.close();
 */
export { startServer, type RunningServer, type StartOptions } from './main.js';
export { parseServeConfig, ConfigError, type ServerConfig } from './config.js';
export { createLogger } from './logger.js';
export { mintToken, type MintOptions } from './auth/mint-token.js';
