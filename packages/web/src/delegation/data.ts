/** The delegations the console shows: the caller's, given and received (`GET /delegations`). */
import { api } from '../lib/api.js';

/** A delegation as the API answers it (the `Delegation` component). */
export interface DelegationItem {
  id: string;
  delegator: string;
  delegate: string;
  roles: string[];
  startsAt: string;
  endsAt: string;
  outOfOffice: boolean;
  message: string | null;
  state: 'scheduled' | 'active' | 'ended';
  ledgerIndex: number;
  endedAt: string | null;
  endedBy: string | null;
  endReason: string | null;
}

/** The caller's delegations in force or scheduled (ended ones with `includeEnded`). */
export async function loadDelegations(includeEnded = false): Promise<DelegationItem[]> {
  const r = await api<{ items: DelegationItem[] }>('GET', `/delegations${includeEnded ? '?includeEnded=true' : ''}`);
  return r.items;
}

/** A date and time as the reader's locale writes it. */
export const when = (iso: string): string => new Date(iso).toLocaleString();
