// Composition root of the service process.
import { pino } from 'pino';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { LOG_REDACT } from './log-redact.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const log = pino({ level: config.logLevel, base: { service: 'pbxdesk' }, redact: LOG_REDACT });
  const app = await createApp(config, log);
  const address = await app.start();
  log.info({ address }, 'pbxdesk listening');
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    app.stop(config.shutdownDrainSec * 1000).then(
      () => process.exit(0),
      (err: Error) => {
        log.error({ err: err.message }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: Error) => {
  process.stderr.write(`pbxdesk failed to start: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
