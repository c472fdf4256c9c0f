import { API_PREFIX, type Api } from '../kernel/routes.js';
import { CreateTaskBody } from '../tasks/schemas.js';
import type { Policy } from './policy.js';

/** The policy in force (`GET /policy`, admin/auditor) and a dry run of a task body (`POST /policy/evaluate`). */
export function policyRoutes(api: Api, policy: Policy): void {
  api.get(`${API_PREFIX}/policy`, { schema: { tags: ['policy'] } }, async (req) => policy.document(req.principal));
  api.post(`${API_PREFIX}/policy/evaluate`, { schema: { tags: ['policy'], body: CreateTaskBody } }, async (req) =>
    policy.evaluate(req.principal, req.body),
  );
}
