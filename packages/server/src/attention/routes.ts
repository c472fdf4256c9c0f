import { API_PREFIX, type Api } from '../kernel/routes.js';
import { op, responses } from '../kernel/schemas.js';
import type { AttentionChecks } from './attention.js';
import { AttentionCheckItem, AttentionCheckReport, PlantCheckBody } from './schemas.js';

const DOC = {
  report: {
    ...op(
      'attentionChecks',
      'Attention-check results',
      'Per approver: checks decided, caught (rejected) and missed (approved); and the latest checks with their planted flaws. Admin or auditor. Attention checks are off unless HUMANOS_ATTENTION_CHECKS=on.',
    ),
    response: responses(200, AttentionCheckReport, 400, 401, 403),
  },
  plant: {
    ...op(
      'plantAttentionCheck',
      'Plant an attention check',
      'Admin: a synthetic copy of a real open request with one planted flaw reaches its approvers now (it can never execute). `409 invalid_state` when attention checks are off or no request can carry a flaw.',
    ),
    response: responses(201, AttentionCheckItem, 400, 401, 403, 404, 409),
  },
};

/** The attention checks of the audit area. */
export function attentionRoutes(api: Api, checks: AttentionChecks): void {
  api.get(`${API_PREFIX}/audit/attention-checks`, { schema: { ...DOC.report, tags: ['audit'] } }, async (req) =>
    checks.report(req.principal),
  );
  api.post(
    `${API_PREFIX}/audit/attention-checks`,
    { schema: { ...DOC.plant, tags: ['audit'], body: PlantCheckBody } },
    async (req, reply) => {
      reply.code(201);
      return checks.plant(req.principal, req.body?.sourceTaskId);
    },
  );
}
