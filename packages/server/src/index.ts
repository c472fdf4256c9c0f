export { ConfigError, loadConfig, type ServerConfig } from './config.js';
export { openStore, type Store, type StoreLocation } from './db/connect.js';
export { API_PREFIX, buildApp, exportLedger } from './http/app.js';
export { Ledger, type NewEntry } from './ledger.js';
export { ADMIN_DID } from './principals.js';
export { runServerMain } from './run.js';
export { type HumanOSServer, StartupError, startServer, VERSION } from './server.js';
export { type Clock, HumanOSService, type Principal, systemClock } from './service.js';
export { DEFAULT_WEBHOOK_SETTINGS, type WebhookSettings, Webhooks } from './webhooks.js';
