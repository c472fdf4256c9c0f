import type { Migration, MigrationProvider } from 'kysely';
import { migration as m0001 } from './0001_initial.js';
import { migration as m0002 } from './0002_policies.js';
import { migration as m0003 } from './0003_inbox_index.js';
import { migration as m0004 } from './0004_in_run_decisions.js';
import { migration as m0005 } from './0005_execution.js';
import { migration as m0006 } from './0006_routing.js';
import { migration as m0007 } from './0007_webhooks.js';
import { migration as m0008 } from './0008_principal_lifecycle.js';
import { migration as m0009 } from './0009_token_expiry.js';
import { migration as m0010 } from './0010_proposed_payload.js';
import { migration as m0011 } from './0011_integrity.js';
import { migration as m0012 } from './0012_webhooks_standard.js';
import { migration as m0014 } from './0014_channels.js';
import { migration as m0015 } from './0015_confidence_reports.js';
import { migration as m0016 } from './0016_audit_reviews.js';
import { migration as m0017 } from './0017_task_heads.js';
import { migration as m0018 } from './0018_consents.js';
import { migration as m0019 } from './0019_deliveries.js';
import { migration as m0020 } from './0020_sessions.js';
import { migration as m0021 } from './0021_passkeys.js';
import { migration as m0022 } from './0022_warnings.js';
import { migration as m0023 } from './0023_delegations.js';
import { migration as m0024 } from './0024_task_versions.js';
import { migration as m0025 } from './0025_team.js';
import { migration as m0026 } from './0026_gates.js';
import { migration as m0027 } from './0027_witness.js';
import { migration as m0028 } from './0028_ledger_signer.js';
import { migration as m0029 } from './0029_principal_roles.js';
import { migration as m0030 } from './0030_session_id_token.js';

/**
 * One numbered migration set for both dialects, one file per migration, append-only (add a file and a
 * line here; never edit one that has shipped). Only portable types are used (text, integer, bigint);
 * times are epoch milliseconds so ordering and deadline comparisons are plain integer comparisons on
 * both engines.
 */
const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_policies': m0002,
  '0003_inbox_index': m0003,
  '0004_in_run_decisions': m0004,
  '0005_execution': m0005,
  '0006_routing': m0006,
  '0007_webhooks': m0007,
  '0008_principal_lifecycle': m0008,
  '0009_token_expiry': m0009,
  '0010_proposed_payload': m0010,
  '0011_integrity': m0011,
  '0012_webhooks_standard': m0012,
  '0014_channels': m0014,
  '0015_confidence_reports': m0015,
  '0016_audit_reviews': m0016,
  '0017_task_heads': m0017,
  '0018_consents': m0018,
  '0019_deliveries': m0019,
  '0020_sessions': m0020,
  '0021_passkeys': m0021,
  '0022_warnings': m0022,
  '0023_delegations': m0023,
  '0024_task_versions': m0024,
  '0025_team': m0025,
  '0026_gates': m0026,
  '0027_witness': m0027,
  '0028_ledger_signer': m0028,
  '0029_principal_roles': m0029,
  '0030_session_id_token': m0030,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};
