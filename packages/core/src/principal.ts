/** A principal (human or agent) as the API shows it: never its token or the token's hash. */
export interface PrincipalView {
  /** `did:human:…` or `did:agent:…`. */
  id: string;
  kind: 'human' | 'agent';
  roles: string[];
  /** What it registered it can do, for routing. */
  capabilities: string[];
  createdAt: string;
  createdBy: string | null;
  /** Set while the principal is disabled: its token is refused everywhere. */
  disabledAt: string | null;
  /** When its token was last replaced. */
  tokenRotatedAt: string | null;
  /** When its current token stops working; null for a token without expiry. */
  tokenExpiresAt: string | null;
  /** The name people see: from the identity provider at sign-in, or set by an admin. */
  displayName: string | null;
  /** The address matched against the IdP's verified e-mail (set by an admin, or taken from the IdP). */
  email: string | null;
  /** The OpenID identity (issuer, subject) this person signs in as, once linked. */
  oidc: { issuer: string; subject: string } | null;
}
