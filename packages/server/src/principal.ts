import { HumanOSError } from '@humanos/core';

/** Who is calling: the authenticated principal of a request. */
export interface Principal {
  id: string;
  kind: 'human' | 'agent';
  roles: string[];
}

export function requireAdmin(actor: Principal): void {
  if (!actor.roles.includes('admin')) throw new HumanOSError('forbidden', 'this needs the admin role');
}
