// `npm run backup -- <file>`: an online backup of the embedded store named by FHIR_DB / FHIR_DATA_DIR
// while the server runs. `npm run restore -- <file>`: puts a backup in its place, with the server stopped.
// See docs/reliability.md.
import { ConfigError, loadConfig } from './config';
import { backupSqliteStore, restoreSqliteStore } from './store/sqlite/backup';

async function main(argv: string[]): Promise<void> {
  const [command, file] = argv;
  if ((command !== 'backup' && command !== 'restore') || !file) {
    throw new ConfigError('usage: store-backup backup <file> | store-backup restore <file>');
  }
  const config = loadConfig();
  if (config.sqliteFile === ':memory:') {
    throw new ConfigError('FHIR_DB is :memory:, which has no file to back up or restore');
  }
  const summary = command === 'backup' ? await backupSqliteStore(config.sqliteFile, file) : restoreSqliteStore(file, config.sqliteFile);
  console.log(JSON.stringify({ [command === 'backup' ? 'backedUp' : 'restored']: summary }));
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
