export { ConfigError, loadConfig, type ServerConfig } from './config.js';
export { API_PREFIX, buildApp } from './http/app.js';
export { Ledger, type NewEntry } from './kernel/ledger.js';
export {
  EXPORT_SECTIONS,
  type ExportLine,
  type ExportSection,
  exportLedger,
  exportLedgerChunks,
} from './ledger/export.js';
export { loadPolicy } from './policy/policyFile.js';
export { ADMIN_DID } from './principals/principals.js';
export { runServerMain } from './run.js';
export { type HumanOSServer, StartupError, startServer, VERSION } from './server.js';
export { type Clock, HumanOSService, type Principal, systemClock } from './service.js';
export { openStore, type Store, type StoreLocation } from './store/connect.js';
export type { StoreDialect } from './store/dialect.js';
export { postgresDialect } from './store/postgres/dialect.js';
export { backupSqlite, type SqliteBackup } from './store/sqlite/backup.js';
export { sqliteDialect } from './store/sqlite/dialect.js';
export { DEFAULT_WEBHOOK_SETTINGS, type WebhookSettings, Webhooks } from './webhooks/webhooks.js';
export {
  forgetWitnessedLog,
  type RunningWitness,
  startWitness,
  Witness,
  type WitnessLog,
  type WitnessOptions,
} from './witness/witness.js';
