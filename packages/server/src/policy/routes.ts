import { API_PREFIX, type Api } from '../kernel/routes.js';
import { op, responses } from '../kernel/schemas.js';
import type { Policy } from './policy.js';
import { CreateTaskBody, PolicyDocumentView, PolicyEvaluation } from './schemas.js';

/** The policy in force (`GET /policy`, admin/auditor) and a dry run of a task body (`POST /policy/evaluate`). */
export function policyRoutes(api: Api, policy: Policy): void {
  api.get(
    `${API_PREFIX}/policy`,
    {
      schema: {
        ...op('getPolicy', 'Policy in force', 'The policy document and its source (admin or auditor).'),
        tags: ['policy'],
        response: responses(200, PolicyDocumentView, 401, 403),
      },
    },
    async (req) => policy.document(req.principal),
  );
  api.post(
    `${API_PREFIX}/policy/evaluate`,
    {
      schema: {
        ...op(
          'evaluatePolicy',
          'Dry-run the policy',
          'What the policy would do with this create-task body; writes nothing.',
        ),
        tags: ['policy'],
        body: CreateTaskBody,
        response: responses(200, PolicyEvaluation, 400, 401),
      },
    },
    async (req) => policy.evaluate(req.principal, req.body),
  );
}
