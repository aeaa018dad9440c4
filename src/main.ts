// Composition root of the service process.
import { enableCompileCache } from 'node:module';

// A restart after a crash is ready only once some 1,200 modules are loaded again: most of the
// time to ready. V8's compile cache (in the OS temp dir, reused across starts) cuts their
// compilation; it is switched on before anything else is imported, hence the dynamic imports.
enableCompileCache();
const { pino } = await import('pino');
const { createApp } = await import('./app.js');
const { ConfigError, loadConfig } = await import('./config.js');
const { LOG_REDACT } = await import('./log-redact.js');

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
