/**
 * The policy document: what a policy file (or `PUT /policy`) says — rules, their matchers and
 * requirements, display templates, passkey, delegation and prompt-cap settings. Planning from it is
 * `policy.ts`.
 */
import type { AuditFrequency } from './audit.js';
import type { DisplayTemplate } from './display.js';
import type { HumanInLoop, RiskLevel } from './model.js';
import type { RiskThresholds } from './risk.js';
export interface ChainStep {
  role: string;
  reason?: string;
  /** Seconds this step has to decide once it opens. */
  timeout?: number;
}

export interface ThresholdPolicy {
  type: 'threshold';
  required: number;
  eligible: string[];
  timeout?: number;
}

export interface AutoEscalation {
  enabled?: boolean;
  confidenceThreshold?: number;
  escalateTo?: string;
  escalationMessage?: string;
}

/** What a client may ask for on create (the seed's fields). */
export interface ClientRequirement {
  humanInLoop?: HumanInLoop;
  approvalChain?: ChainStep[];
  approvalPolicy?: ThresholdPolicy;
  autoEscalation?: AutoEscalation;
  auditFrequency?: AuditFrequency;
}

export interface PayloadCondition {
  /** Dot path into the payload, e.g. `amount` or `transfer.amount`. */
  path: string;
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  eq?: string | number | boolean;
  in?: (string | number)[];
}

export interface PolicyRule {
  id: string;
  description?: string;
  /**
   * The console may offer the rule's gates in a bulk approval (each item still its own signed
   * decision); only when every rule that matched a task says so. Default false.
   */
  bulkApprovable?: boolean;
  match: {
    capabilities?: string[];
    descriptionMatches?: string;
    payload?: PayloadCondition[];
    riskAtLeast?: RiskLevel;
    riskFactors?: string[];
  };
  require: {
    approverRole?: string;
    approvalChain?: ChainStep[];
    quorum?: { required: number; eligible: string[] };
    timeout?: number;
    escalationPolicy?: 'auto' | 'reject';
    escalateTo?: string;
    riskLevel?: RiskLevel;
    riskFactors?: string[];
    /**
     * A decision on the task's execution gates earlier than this many seconds after the approver
     * first had the request in front of them is refused (`review_too_fast`); the strictest rule wins.
     */
    minReviewSeconds?: number;
    /** `false`: no gate this rule demands may be decided by a delegate (e.g. the CFO step). Default true. */
    delegable?: boolean;
  };
}

export interface PolicyDocument {
  name: string;
  version: number;
  defaultApproverRole?: string;
  auditorRole?: string;
  /** Who a gate escalates to when it times out and the task names no `escalateTo`. */
  escalationLadder?: Record<string, string>;
  /** Thresholds of the built-in risk rules (large amounts, data sizes). */
  risk?: RiskThresholds;
  /** Which decisions must be signed with the approver's passkey (see `passkeyRequired`); absent: none. */
  requirePasskey?: PasskeyPolicy;
  /**
   * Decisions on gates of `riskAtLeast` (default `high`) or above made with a sign-in session need the
   * person to have authenticated at the identity provider at most `seconds` ago; an older session is
   * refused with `reauthentication_required`. Bearer-token decisions are not sessions and are not
   * affected (turn humans' tokens off with HUMANOS_HUMAN_TOKENS=off).
   */
  maxSessionAge?: { seconds: number; riskAtLeast?: RiskLevel };
  /**
   * At most `perApproverPerHour` new requests are sent to one approver (Slack DM, e-mail) in a
   * rolling hour; beyond it a request goes to other eligible approvers of its roles (docs/policy.md).
   */
  promptCap?: { perApproverPerHour: number };
  /** Delegations (docs/delegation.md): the longest window allowed, in days (default 30). */
  delegation?: { maxDays?: number };
  /**
   * How many times a task may be revised after an approver requested changes (default
   * `DEFAULT_MAX_REVISIONS`): stops an agent and an approver looping forever. At the limit an
   * approver can only approve or reject.
   */
  maxRevisions?: number;
  rules: PolicyRule[];
  /** How payloads are shown to approvers, per action (the rules' matcher): the first template that matches. */
  display?: DisplayTemplate[];
}

/**
 * Which decisions need a passkey: every one (`always`), those on gates at or above `riskAtLeast`
 * (default `high`, so high and critical; `null` for none by risk), those on tasks that need one of
 * `capabilities` (the action), or those on tasks one of the policy `rules` applied to.
 */
export interface PasskeyPolicy {
  always?: boolean;
  riskAtLeast?: RiskLevel | null;
  capabilities?: string[];
  rules?: string[];
}

/** Revisions a task may have when the policy sets no `maxRevisions`. */
export const DEFAULT_MAX_REVISIONS = 5;

export const BUILTIN_POLICY: PolicyDocument = { name: 'builtin-default', version: 1, rules: [] };
