--
-- PostgreSQL database dump
--

\restrict bKODlTGM61WPfsgKrw29fwKokOihC1gQ7ElUfdLOdywohSr4lIMXgLNbC16xWmh

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: approval_comments; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.approval_comments (
    id text NOT NULL,
    approval_id text NOT NULL,
    task_id text NOT NULL,
    author text NOT NULL,
    body text NOT NULL,
    mentions text NOT NULL,
    digest text NOT NULL,
    ledger_index bigint NOT NULL,
    created_at bigint NOT NULL
);


--
-- Name: approval_opens; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.approval_opens (
    approval_id text NOT NULL,
    principal_id text NOT NULL,
    channel text NOT NULL,
    opened_at bigint NOT NULL
);


--
-- Name: approval_prompts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.approval_prompts (
    approval_id text NOT NULL,
    principal_id text NOT NULL,
    prompted_at bigint NOT NULL
);


--
-- Name: approval_roles; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.approval_roles (
    approval_id text NOT NULL,
    role text NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    requested_at bigint DEFAULT 0 NOT NULL
);


--
-- Name: approvals; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.approvals (
    id text NOT NULL,
    task_id text NOT NULL,
    kind text NOT NULL,
    step integer NOT NULL,
    approver_role text NOT NULL,
    required integer NOT NULL,
    status text NOT NULL,
    requested_at bigint NOT NULL,
    expires_at bigint,
    escalation_policy text,
    escalate_to text,
    decided_at bigint,
    reason text,
    timeout_ms bigint,
    remind_at bigint,
    reminded integer DEFAULT 0 NOT NULL,
    proposal text,
    group_id text,
    claimed_by text,
    claimed_until bigint,
    assignee text,
    assigned_by text,
    assigned_at bigint,
    attention_check text,
    bulk_approvable integer DEFAULT 0 NOT NULL,
    min_review_seconds integer
);


--
-- Name: attention_checks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.attention_checks (
    id text NOT NULL,
    task_id text NOT NULL,
    approval_id text NOT NULL,
    source_task_id text,
    flaw text NOT NULL,
    created_at bigint NOT NULL,
    decided_by text,
    verdict text,
    caught integer,
    decided_at bigint
);


--
-- Name: audit_reviews; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_reviews (
    id text NOT NULL,
    frequency text NOT NULL,
    period_start bigint NOT NULL,
    period_end bigint NOT NULL,
    status text NOT NULL,
    task_count integer NOT NULL,
    status_counts text NOT NULL,
    sample text NOT NULL,
    opened_at bigint NOT NULL,
    opened_seq bigint NOT NULL,
    completed_at bigint,
    completed_by text,
    outcome text,
    findings text,
    flagged text,
    completed_seq bigint
);


--
-- Name: channel_identities; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.channel_identities (
    channel text NOT NULL,
    external_id text NOT NULL,
    principal_id text NOT NULL,
    created_at bigint NOT NULL,
    created_by text NOT NULL
);


--
-- Name: channel_link_codes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.channel_link_codes (
    code_hash text NOT NULL,
    principal_id text NOT NULL,
    expires_at bigint NOT NULL,
    used_at bigint
);


--
-- Name: channel_messages; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.channel_messages (
    id text NOT NULL,
    approval_id text NOT NULL,
    channel text NOT NULL,
    target text NOT NULL,
    principal_id text,
    ref_channel text,
    ref text NOT NULL,
    rendered text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
);


--
-- Name: channel_nonces; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.channel_nonces (
    id text NOT NULL,
    expires_at bigint NOT NULL
);


--
-- Name: checkpoints; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.checkpoints (
    size bigint NOT NULL,
    root_hash text NOT NULL,
    note text NOT NULL,
    created_at bigint NOT NULL
);


--
-- Name: confidence_reports; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.confidence_reports (
    task_id text NOT NULL,
    principal_id text NOT NULL,
    stage text NOT NULL,
    confidence double precision NOT NULL,
    reported_at bigint NOT NULL
);


--
-- Name: consents; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.consents (
    grantor text NOT NULL,
    grantee text NOT NULL,
    kind text NOT NULL,
    scope text,
    granted_at bigint NOT NULL,
    until bigint NOT NULL,
    granted_seq bigint NOT NULL,
    revoked_at bigint,
    revoked_by text,
    revoked_seq bigint
);


--
-- Name: decisions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.decisions (
    approval_id text NOT NULL,
    task_id text NOT NULL,
    principal_id text NOT NULL,
    verdict text NOT NULL,
    reason text NOT NULL,
    feedback text,
    edits text,
    payload_digest text NOT NULL,
    decided_at bigint NOT NULL,
    record text NOT NULL,
    signature text NOT NULL,
    ledger_index bigint NOT NULL,
    on_behalf_of text,
    delegation_id text
);


--
-- Name: delegations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.delegations (
    id text NOT NULL,
    delegator text NOT NULL,
    delegate text NOT NULL,
    roles text NOT NULL,
    scope text NOT NULL,
    starts_at bigint NOT NULL,
    ends_at bigint NOT NULL,
    out_of_office integer NOT NULL,
    message text,
    created_at bigint NOT NULL,
    created_by text NOT NULL,
    created_seq bigint NOT NULL,
    updated_seq bigint,
    started_seq bigint,
    ended_at bigint,
    ended_by text,
    ended_seq bigint,
    end_reason text
);


--
-- Name: deliveries; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.deliveries (
    id text NOT NULL,
    sink text NOT NULL,
    seq bigint NOT NULL,
    event_type text NOT NULL,
    status text NOT NULL,
    attempts integer NOT NULL,
    next_attempt_at bigint NOT NULL,
    last_status integer,
    last_error text,
    created_at bigint NOT NULL,
    delivered_at bigint,
    target text
);


--
-- Name: feedback; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.feedback (
    task_id text NOT NULL,
    principal_id text NOT NULL,
    agent_id text NOT NULL,
    capabilities text NOT NULL,
    quality text NOT NULL,
    correctness integer,
    comments text,
    improvements text NOT NULL,
    confidence double precision,
    created_at bigint NOT NULL
);


--
-- Name: idempotency_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.idempotency_keys (
    principal_id text NOT NULL,
    key text NOT NULL,
    request_hash text NOT NULL,
    status_code integer NOT NULL,
    response text NOT NULL,
    created_at bigint NOT NULL
);


--
-- Name: kysely_migration; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.kysely_migration (
    name character varying(255) NOT NULL,
    "timestamp" character varying(255) NOT NULL
);


--
-- Name: kysely_migration_lock; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.kysely_migration_lock (
    id character varying(255) NOT NULL,
    is_locked integer DEFAULT 0 NOT NULL
);


--
-- Name: ledger_entries; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.ledger_entries (
    seq bigint NOT NULL,
    entry text NOT NULL,
    leaf_hash text NOT NULL,
    task_id text
);


--
-- Name: ledger_head; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.ledger_head (
    id integer NOT NULL,
    size bigint NOT NULL
);


--
-- Name: ledger_nodes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.ledger_nodes (
    level integer NOT NULL,
    idx bigint NOT NULL,
    hash text NOT NULL
);


--
-- Name: meta; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.meta (
    key text NOT NULL,
    value text NOT NULL
);


--
-- Name: notification_prefs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.notification_prefs (
    principal_id text NOT NULL,
    email integer NOT NULL,
    slack integer NOT NULL,
    quiet_start text,
    quiet_end text,
    time_zone text,
    updated_at bigint NOT NULL
);


--
-- Name: oidc_logins; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.oidc_logins (
    id text NOT NULL,
    kind text NOT NULL,
    secret text NOT NULL,
    nonce text,
    return_to text,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL
);


--
-- Name: passkey_challenges; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.passkey_challenges (
    nonce text NOT NULL,
    principal_id text NOT NULL,
    purpose text NOT NULL,
    approval_id text,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL
);


--
-- Name: passkeys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.passkeys (
    credential_id text NOT NULL,
    principal_id text NOT NULL,
    name text NOT NULL,
    public_key text NOT NULL,
    algorithm integer NOT NULL,
    rp_id text NOT NULL,
    origins text NOT NULL,
    transports text NOT NULL,
    created_at bigint NOT NULL,
    enrolled_seq bigint NOT NULL,
    last_used_at bigint,
    revoked_at bigint,
    revoked_by text,
    revoked_seq bigint
);


--
-- Name: principals; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.principals (
    id text NOT NULL,
    kind text NOT NULL,
    roles text NOT NULL,
    token_hash text NOT NULL,
    public_key text,
    created_at bigint NOT NULL,
    created_by text,
    capabilities text DEFAULT '[]'::text NOT NULL,
    disabled_at bigint,
    token_rotated_at bigint,
    token_expires_at bigint,
    display_name text,
    email text,
    oidc_issuer text,
    oidc_subject text
);


--
-- Name: role_channels; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.role_channels (
    role text NOT NULL,
    slack_channel text NOT NULL,
    updated_at bigint NOT NULL,
    updated_by text NOT NULL
);


--
-- Name: sessions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.sessions (
    id text NOT NULL,
    token_hash text NOT NULL,
    principal_id text NOT NULL,
    method text NOT NULL,
    issuer text NOT NULL,
    created_at bigint NOT NULL,
    auth_time bigint NOT NULL,
    last_seen_at bigint NOT NULL,
    idle_expires_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    revoked_at bigint,
    user_agent text
);


--
-- Name: task_head_nodes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.task_head_nodes (
    level integer NOT NULL,
    idx bigint NOT NULL,
    hash text NOT NULL
);


--
-- Name: task_heads; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.task_heads (
    task_id text NOT NULL,
    pos bigint NOT NULL,
    count bigint NOT NULL,
    acc text NOT NULL
);


--
-- Name: task_versions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.task_versions (
    task_id text NOT NULL,
    version integer NOT NULL,
    payload_digest text NOT NULL,
    approval_id text NOT NULL,
    requested_by text NOT NULL,
    feedback text NOT NULL,
    requested_at bigint NOT NULL,
    requested_seq bigint NOT NULL,
    revised_at bigint,
    revised_digest text,
    revised_seq bigint,
    diff text
);


--
-- Name: tasks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tasks (
    id text NOT NULL,
    requester text NOT NULL,
    on_behalf_of text,
    description text NOT NULL,
    required_capabilities text NOT NULL,
    payload text NOT NULL,
    approved_payload text,
    approved_digest text,
    hitl text NOT NULL,
    policy text NOT NULL,
    risk text NOT NULL,
    ai_proposal text NOT NULL,
    status text NOT NULL,
    execution_id text,
    executor text,
    result text,
    error text,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    created_seq bigint NOT NULL,
    client text,
    lease_id text,
    lease_expires_at bigint,
    attempt integer DEFAULT 0 NOT NULL,
    last_confidence double precision,
    overridden_by text,
    assigned_to text,
    proposed_payload text,
    payload_digest text,
    cap_key text,
    audit_frequency text,
    audit_review_id text,
    warnings text,
    warnings_digest text
);


--
-- Name: webhooks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.webhooks (
    id text NOT NULL,
    url text NOT NULL,
    events text NOT NULL,
    secret text NOT NULL,
    active integer NOT NULL,
    created_at bigint NOT NULL,
    created_by text NOT NULL,
    previous_secret text,
    previous_secret_expires_at bigint
);


--
-- Data for Name: approval_comments; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.approval_comments (id, approval_id, task_id, author, body, mentions, digest, ledger_index, created_at) FROM stdin;
\.


--
-- Data for Name: approval_opens; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.approval_opens (approval_id, principal_id, channel, opened_at) FROM stdin;
approval:human:c0b8ad4c03c2c06038f74e4f	did:human:approver	api	1796580208130
approval:human:e1aa0af6dae32d5cca5b40f9	did:human:approver	api	1796580208982
approval:human:ab12f50ba3acf2e75883d46f	did:human:approver	api	1796580209333
approval:human:fda8853c5f04a7a95fccefa1	did:human:approver	api	1796580209690
\.


--
-- Data for Name: approval_prompts; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.approval_prompts (approval_id, principal_id, prompted_at) FROM stdin;
\.


--
-- Data for Name: approval_roles; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.approval_roles (approval_id, role, status, requested_at) FROM stdin;
approval:human:c0b8ad4c03c2c06038f74e4f	approver	approved	1796580207968
approval:human:e1aa0af6dae32d5cca5b40f9	approver	rejected	1796580208862
approval:human:25770aced5c31d9cf7de5b4c	finance	cancelled	1796580208862
approval:human:ab12f50ba3acf2e75883d46f	approver	approved	1796580209212
approval:human:fda8853c5f04a7a95fccefa1	approver	cancelled	1796580209536
approval:human:8abd96b383e8dc2e98e85ee9	approver	cancelled	1796580209861
\.


--
-- Data for Name: approvals; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.approvals (id, task_id, kind, step, approver_role, required, status, requested_at, expires_at, escalation_policy, escalate_to, decided_at, reason, timeout_ms, remind_at, reminded, proposal, group_id, claimed_by, claimed_until, assignee, assigned_by, assigned_at, attention_check, bulk_approvable, min_review_seconds) FROM stdin;
approval:human:c0b8ad4c03c2c06038f74e4f	task:human:e453c5688c7fed04b881bd78	execution	0	approver	1	approved	1796580207968	\N	\N	\N	1796580208195	\N	\N	\N	0	\N	\N	\N	\N	\N	\N	\N	\N	0	\N
approval:human:e1aa0af6dae32d5cca5b40f9	task:human:78c78d217f63458252357ae9	execution	0	approver	1	rejected	1796580208862	\N	\N	\N	1796580209050	\N	\N	\N	0	\N	\N	\N	\N	\N	\N	\N	\N	0	\N
approval:human:25770aced5c31d9cf7de5b4c	task:human:78c78d217f63458252357ae9	execution	1	finance	1	cancelled	1796580208862	\N	\N	\N	1796580209050	policy rule wires: wires go to finance	\N	\N	0	\N	\N	\N	\N	\N	\N	\N	\N	0	\N
approval:human:ab12f50ba3acf2e75883d46f	task:human:066536c65548c7f0b8157f82	execution	0	approver	1	approved	1796580209212	\N	\N	\N	1796580209379	\N	\N	\N	0	\N	\N	\N	\N	\N	\N	\N	\N	0	\N
approval:human:fda8853c5f04a7a95fccefa1	task:human:8416f077075d077a85760c91	execution	0	approver	1	cancelled	1796580209536	\N	\N	\N	1796580209761	\N	\N	\N	0	\N	\N	\N	\N	\N	\N	\N	\N	0	\N
approval:human:8abd96b383e8dc2e98e85ee9	task:human:5d4f4857fc4342881f21c1eb	execution	0	approver	1	cancelled	1796580209861	\N	\N	\N	1796580209930	\N	\N	\N	0	\N	\N	\N	\N	\N	\N	\N	\N	0	\N
\.


--
-- Data for Name: attention_checks; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.attention_checks (id, task_id, approval_id, source_task_id, flaw, created_at, decided_by, verdict, caught, decided_at) FROM stdin;
\.


--
-- Data for Name: audit_reviews; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.audit_reviews (id, frequency, period_start, period_end, status, task_count, status_counts, sample, opened_at, opened_seq, completed_at, completed_by, outcome, findings, flagged, completed_seq) FROM stdin;
\.


--
-- Data for Name: channel_identities; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.channel_identities (channel, external_id, principal_id, created_at, created_by) FROM stdin;
\.


--
-- Data for Name: channel_link_codes; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.channel_link_codes (code_hash, principal_id, expires_at, used_at) FROM stdin;
\.


--
-- Data for Name: channel_messages; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.channel_messages (id, approval_id, channel, target, principal_id, ref_channel, ref, rendered, created_at, updated_at) FROM stdin;
\.


--
-- Data for Name: channel_nonces; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.channel_nonces (id, expires_at) FROM stdin;
\.


--
-- Data for Name: checkpoints; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.checkpoints (size, root_hash, note, created_at) FROM stdin;
1	84x/whJ6vzxDIMcSMlqAiIgLL7vTstKT+ab3Fsp9WdY=	humanos.ledger/42bc6c0a\n1\n84x/whJ6vzxDIMcSMlqAiIgLL7vTstKT+ab3Fsp9WdY=\nhumanos-task-heads 0 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n— humanos.ledger/42bc6c0a L9N/FY+Yb5zbwf5RVAsde9CnhPNyAdRLP30seaI+UneFQ9ZAW96wfeJzseJiycXbDCIfw5gjVINghWun6TzlZw+nDwk=\n	1796580207349
2	jd+aYkvf59zfmC7hVvmzITwWyB2otQzITg4JGpcVcrQ=	humanos.ledger/42bc6c0a\n2\njd+aYkvf59zfmC7hVvmzITwWyB2otQzITg4JGpcVcrQ=\nhumanos-task-heads 0 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n— humanos.ledger/42bc6c0a L9N/Fb1i5yZrpsveIXfOfSEncHjI9SXbZ/ZeJfeyOg+RbO2m33hhrmyv6amTP9lMXcL7M0xLoPH2u4wINXOQgXV1VwM=\n	1796580207526
3	mpH1oQrkXqoqsaUjEOD8LQ6da4zDuZdnNe8Iuk0MFdo=	humanos.ledger/42bc6c0a\n3\nmpH1oQrkXqoqsaUjEOD8LQ6da4zDuZdnNe8Iuk0MFdo=\nhumanos-task-heads 0 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n— humanos.ledger/42bc6c0a L9N/FWx3e7zlmNejUKQzjAIJ5WTKR/Bt97TO2eKIqjmNriAWNo8SEcgPse94vV8TYt6QeA81o3P5g+M1U17/r2aSpAA=\n	1796580207578
4	IWJBjrlnQegsWhXdk0pKOmBvjEwVrkdjBSkbLjaSp9U=	humanos.ledger/42bc6c0a\n4\nIWJBjrlnQegsWhXdk0pKOmBvjEwVrkdjBSkbLjaSp9U=\nhumanos-task-heads 0 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n— humanos.ledger/42bc6c0a L9N/FfXaiUn+fkh+y+Rngeg9tNWCzxLZjXFM7Tuj5XPx4ZYfT8kk8LUffXq1Yxey4N3sBQm6NjYZ33RFo97Ga8gIsAg=\n	1796580207677
5	UFJW1A0y6ZQxesLn1LsP2Lnx0qyEZ2AkA6C6ZtlwNnU=	humanos.ledger/42bc6c0a\n5\nUFJW1A0y6ZQxesLn1LsP2Lnx0qyEZ2AkA6C6ZtlwNnU=\nhumanos-task-heads 0 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n— humanos.ledger/42bc6c0a L9N/FRmV0Fy8Yy4PerfqPmNJ9itVl5BGC3l1J/n/c1XEuRNvsxmlQkgxs+eZtXNCAdmtu28kHD1leUxPj10PBLWLWAM=\n	1796580207737
7	BqqXAJ3qJGwIIPwg5m/AzlkzMAFuqI2bzGG9925iQ+8=	humanos.ledger/42bc6c0a\n7\nBqqXAJ3qJGwIIPwg5m/AzlkzMAFuqI2bzGG9925iQ+8=\nhumanos-task-heads 1 cXb2fIX5fjzfW2Lff0+B/LI3gSvVSe+TgPxvMW/sPMY=\n\n— humanos.ledger/42bc6c0a L9N/FWrqAKSt1qz0L1OhEAAjnQ+qrt+WT1nSARwOqQjc5zGX3XHVOxGwiOBVN95QqKF3cGkFPdAo6cjP62OSoOT8jA0=\n	1796580208038
8	x70kZ7kjqi4MC1zt60IPU96OB3Cpzf8LtSwWYgupqng=	humanos.ledger/42bc6c0a\n8\nx70kZ7kjqi4MC1zt60IPU96OB3Cpzf8LtSwWYgupqng=\nhumanos-task-heads 1 0/vUnueNRPg39uBfUjGMCt8Q+hQ/yB5S4cO9RxQQW8w=\n\n— humanos.ledger/42bc6c0a L9N/FWNb0bkx0gIye8hxwBYOYLBPIaX/lsjiRXo+UEfI5m7XXm3DOPczYD6PkfZzTyhpxtLUisfZOhkbFHqqHcg7Xw0=\n	1796580208313
9	LKSfj2sSgArCfPKydplh7DpI8t0S8CUM7I+mYMycI8Q=	humanos.ledger/42bc6c0a\n9\nLKSfj2sSgArCfPKydplh7DpI8t0S8CUM7I+mYMycI8Q=\nhumanos-task-heads 1 SaVvIEtB+dteYz0F+b2LEmH2pLC/SOUTOgjdTSkOghQ=\n\n— humanos.ledger/42bc6c0a L9N/FfjiIiZA69M8ip0htdl8EikE6dmgpNcf+0cLlTf1ieLvQDXB+LJUpJEkmTqtnMHh6KgrktNTFO05Ag7mKTrXzA8=\n	1796580208501
10	gkE4Kqg/ElLQmtqnYYOud/ebJ8kfD9oc1oz7Xfd8Ndg=	humanos.ledger/42bc6c0a\n10\ngkE4Kqg/ElLQmtqnYYOud/ebJ8kfD9oc1oz7Xfd8Ndg=\nhumanos-task-heads 1 yj1sWxeBPFZaqItbwSg6W7FFFL5kqINapbrQMPY7Hcw=\n\n— humanos.ledger/42bc6c0a L9N/FeC2bO6LcPEU6JuT3v8t2vACYZX3yxx1y3YR1ILkSVPjcpc6Yc4SmsIIyoV5KX9rACpNE9oclM4YPNrSEYL66ww=\n	1796580208603
11	PC82Ac3IJpNF153sta5rekAkz5KWr+HZ8gsAY+JQ7o8=	humanos.ledger/42bc6c0a\n11\nPC82Ac3IJpNF153sta5rekAkz5KWr+HZ8gsAY+JQ7o8=\nhumanos-task-heads 1 updXTbO5arwi97Lx7S002NYNzRw+vX/fWROxD6iyaL4=\n\n— humanos.ledger/42bc6c0a L9N/FbWrAHdeEG67TU05nN++6Z64/J1Sg3ho9oEodsMzDh8uycb7Txd8PIX94d2SkdLRQruzEc5ZAPX4OKa27SPsbgA=\n	1796580208720
14	QqWSYf/6MJOr1n8pa7kMvbB7iguGgko6d7FvBeH13qM=	humanos.ledger/42bc6c0a\n14\nQqWSYf/6MJOr1n8pa7kMvbB7iguGgko6d7FvBeH13qM=\nhumanos-task-heads 2 PJIAogSGRFNN/tOJ7IdM25vxJ4kAdHY6OUcV0IzPX14=\n\n— humanos.ledger/42bc6c0a L9N/FVx4xlnHb2hewLGt9SaQL7tqYbpFr1GCJDaKfMEijFIY30Eh6PwtcqAzR0iGxDQTHUidg0NVyXDaoiE5fWyp2AM=\n	1796580208933
16	ThChNpAIkIKZJZSIoNN3Zd4gAefYF5FsOCZtT0GGKno=	humanos.ledger/42bc6c0a\n16\nThChNpAIkIKZJZSIoNN3Zd4gAefYF5FsOCZtT0GGKno=\nhumanos-task-heads 2 WJ49BvqlgXRS8d0ZUnyFjc5Ho6SmIhwJEdtse3GpR2k=\n\n— humanos.ledger/42bc6c0a L9N/FY67PAvf8lDnSUJlwyTd1m+VXk1CInWqWVDqh9ynqe8+RwOspuTrLkWbInOsRlGTtNkwemmti4jw6Hag2Kalfgg=\n	1796580209153
18	9H1/RH4wgxyZgAgeEr+9f5kZaICThk13crYp7kKSDW0=	humanos.ledger/42bc6c0a\n18\n9H1/RH4wgxyZgAgeEr+9f5kZaICThk13crYp7kKSDW0=\nhumanos-task-heads 3 DKOe9nSw1klW+aBBdGqIzyVeqwRmRxvAzUG3C1FaTks=\n\n— humanos.ledger/42bc6c0a L9N/FY2QN4pJK9U0j3tV4z2wTXrH69KBBrLHlRUi8PgFlH2ioGmHIA83d0WJW8sjI8VpOBTG8Z4o6sjWl8ArTXpXWA4=\n	1796580209277
19	ONGax70I3ifgBjv1z63O8YqxselbTWzp1n7OSIzIzdg=	humanos.ledger/42bc6c0a\n19\nONGax70I3ifgBjv1z63O8YqxselbTWzp1n7OSIzIzdg=\nhumanos-task-heads 3 WSE6Fgb73ASYTFYIGMK/4p6QqM3qBkCF/xKHTWQd67U=\n\n— humanos.ledger/42bc6c0a L9N/FaTdtulQ/CSWEVWuxD2zeCueyi2Zc6bRMJor/xigB3hyixZB50ZyXB6Hr0GHmuEHyzMhFYwS7s2Pj/x2QD3ybAM=\n	1796580209489
21	nJ/1yhXmcb5yD7Aj00Cf9GuKy+AjtfbcZIznI7oUa94=	humanos.ledger/42bc6c0a\n21\nnJ/1yhXmcb5yD7Aj00Cf9GuKy+AjtfbcZIznI7oUa94=\nhumanos-task-heads 4 602eJLjdEJILyrmZybWEaFvlhlZ7JGCBSL1rqzmFfmo=\n\n— humanos.ledger/42bc6c0a L9N/FWgrQvPlnx+fATlic1J0nqwqo+3khIUP2ooz5QhxCV9Vzfodc/K503uwgWWi8ZPR1owuQ/r0nTWg97sFc5NY8Ao=\n	1796580209621
23	ztDijKjwzIl89SJqThfet6+wkTymv4cKCSo8ALeW2Og=	humanos.ledger/42bc6c0a\n23\nztDijKjwzIl89SJqThfet6+wkTymv4cKCSo8ALeW2Og=\nhumanos-task-heads 4 ODP5jrfZQ5wZ66Pqht5PKEYgI/jZimVp5E/NWdbXQz4=\n\n— humanos.ledger/42bc6c0a L9N/FRTsgozkD39QzNvrjJAJ0P5Vv7G4Cczcgp5G1zOZlI8bMCSqDVg5smJqf9eSwOgSm2X4HJ11p2Ma2vI/L4LsvQM=\n	1796580209809
25	VVBY2jPwDbo0NDceSGh83KmHijYu9RHrbpJdVv5p86M=	humanos.ledger/42bc6c0a\n25\nVVBY2jPwDbo0NDceSGh83KmHijYu9RHrbpJdVv5p86M=\nhumanos-task-heads 5 rmGlaCyfxnJr6YeopZemkiWTGCmPe3nUCQ9Is47wQZs=\n\n— humanos.ledger/42bc6c0a L9N/FZQLuQ+iE+kVKba2FICn3P+GBeFMOb6BYPzB2Cv1Eo+QjqTqxF9t/AbSJ5DSFtjlgNgt5HZDIgjBIajb315pZwU=\n	1796580209892
27	aPfOrvawbtW04BGwOgldWFOWAOdkdX0Z8YZOYhXxscc=	humanos.ledger/42bc6c0a\n27\naPfOrvawbtW04BGwOgldWFOWAOdkdX0Z8YZOYhXxscc=\nhumanos-task-heads 5 hmcDlIP394xdD/5obxZx/KYEzWCtJvAqqLCROVoAUB4=\n\n— humanos.ledger/42bc6c0a L9N/Fc2gb+Pi6SUXDlfNxdAlt4mGxstCDX1BpTFzARwsgqcFpZj9ijlLAQ/pio7YRx1nN09kttZzyT20+EqmB3yUAw8=\n	1796580209993
\.


--
-- Data for Name: confidence_reports; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.confidence_reports (task_id, principal_id, stage, confidence, reported_at) FROM stdin;
\.


--
-- Data for Name: consents; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.consents (grantor, grantee, kind, scope, granted_at, until, granted_seq, revoked_at, revoked_by, revoked_seq) FROM stdin;
\.


--
-- Data for Name: decisions; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.decisions (approval_id, task_id, principal_id, verdict, reason, feedback, edits, payload_digest, decided_at, record, signature, ledger_index, on_behalf_of, delegation_id) FROM stdin;
approval:human:c0b8ad4c03c2c06038f74e4f	task:human:e453c5688c7fed04b881bd78	did:human:approver	approved	scheduled rotation	\N	\N	sha256:7c31cd5b2db1f368afd5784b82ce24cdd467527ed3fe83a989747008a0dcfb4e	1796580208195	{"approvalId":"approval:human:c0b8ad4c03c2c06038f74e4f","decidedAt":"2026-12-06T18:03:28.195Z","decidedBy":"did:human:approver","edits":null,"feedback":null,"origin":"humanos.ledger/42bc6c0a","payloadDigest":"sha256:7c31cd5b2db1f368afd5784b82ce24cdd467527ed3fe83a989747008a0dcfb4e","reason":"scheduled rotation","taskId":"task:human:e453c5688c7fed04b881bd78","type":"humanos.decision/v1","verdict":"approved"}	0xcc398dbe8593f8387e705dca288894f1dd0ba4b82ba7a4ff048c8d2c0c92841ac861d55059ed948619a36bc5e86d8a40e3d915fae23c4b089a724363b458910e	7	\N	\N
approval:human:e1aa0af6dae32d5cca5b40f9	task:human:78c78d217f63458252357ae9	did:human:approver	rejected	unknown payee	\N	\N	sha256:5e65a854aa56f3c8bcf7aee0399603b4e3c98d7791ef802f8235b4a2f7391d0a	1796580209050	{"approvalId":"approval:human:e1aa0af6dae32d5cca5b40f9","decidedAt":"2026-12-06T18:03:29.050Z","decidedBy":"did:human:approver","edits":null,"feedback":null,"origin":"humanos.ledger/42bc6c0a","payloadDigest":"sha256:5e65a854aa56f3c8bcf7aee0399603b4e3c98d7791ef802f8235b4a2f7391d0a","reason":"unknown payee","taskId":"task:human:78c78d217f63458252357ae9","type":"humanos.decision/v1","verdict":"rejected"}	0xa27ddd6baa48bc3b455c164cec8e19442da9ea58ba95331f22872483b58ebb3b02ea168844a05e72a07833f08622d4a45f3cdc5b7b5a3a86fabbf102ae465200	14	\N	\N
approval:human:ab12f50ba3acf2e75883d46f	task:human:066536c65548c7f0b8157f82	did:human:approver	approved	fewer	\N	{"replicas":12}	sha256:220fb4c771a7daf2c030add3e81d542d533dcf4bdea4101e96e2db78942260db	1796580209379	{"approvalId":"approval:human:ab12f50ba3acf2e75883d46f","decidedAt":"2026-12-06T18:03:29.379Z","decidedBy":"did:human:approver","edits":{"replicas":12},"feedback":null,"origin":"humanos.ledger/42bc6c0a","payloadDigest":"sha256:220fb4c771a7daf2c030add3e81d542d533dcf4bdea4101e96e2db78942260db","reason":"fewer","taskId":"task:human:066536c65548c7f0b8157f82","type":"humanos.decision/v1","verdict":"approved"}	0x2cd3578bb5ed7e93eacb77fe4e84d4a11961aaebb8e08af0499c7d34de0f3176e6613360eb9310007db872db104bdfdb3fb03cf55869f7e14f79f4f6b6e19d0d	18	\N	\N
\.


--
-- Data for Name: delegations; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.delegations (id, delegator, delegate, roles, scope, starts_at, ends_at, out_of_office, message, created_at, created_by, created_seq, updated_seq, started_seq, ended_at, ended_by, ended_seq, end_reason) FROM stdin;
\.


--
-- Data for Name: deliveries; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.deliveries (id, sink, seq, event_type, status, attempts, next_attempt_at, last_status, last_error, created_at, delivered_at, target) FROM stdin;
\.


--
-- Data for Name: feedback; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.feedback (task_id, principal_id, agent_id, capabilities, quality, correctness, comments, improvements, confidence, created_at) FROM stdin;
task:human:e453c5688c7fed04b881bd78	did:human:approver	did:agent:fixture-bot	[]	good	\N	clean	[]	\N	1796580208663
\.


--
-- Data for Name: idempotency_keys; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.idempotency_keys (principal_id, key, request_hash, status_code, response, created_at) FROM stdin;
\.


--
-- Data for Name: kysely_migration; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.kysely_migration (name, "timestamp") FROM stdin;
0001_initial	2026-12-06T18:03:23.841Z
0002_policies	2026-12-06T18:03:23.865Z
0003_inbox_index	2026-12-06T18:03:23.886Z
0004_in_run_decisions	2026-12-06T18:03:23.889Z
0005_execution	2026-12-06T18:03:23.957Z
0006_routing	2026-12-06T18:03:23.969Z
0007_webhooks	2026-12-06T18:03:24.055Z
0008_principal_lifecycle	2026-12-06T18:03:24.059Z
0009_token_expiry	2026-12-06T18:03:24.065Z
0010_proposed_payload	2026-12-06T18:03:24.073Z
0011_integrity	2026-12-06T18:03:24.097Z
0012_webhooks_standard	2026-12-06T18:03:24.102Z
0014_channels	2026-12-06T18:03:24.290Z
0015_confidence_reports	2026-12-06T18:03:24.327Z
0016_audit_reviews	2026-12-06T18:03:24.405Z
0017_task_heads	2026-12-06T18:03:24.459Z
0018_consents	2026-12-06T18:03:24.533Z
0019_deliveries	2026-12-06T18:03:24.567Z
0020_sessions	2026-12-06T18:03:24.677Z
0021_passkeys	2026-12-06T18:03:24.763Z
0022_warnings	2026-12-06T18:03:24.781Z
0023_delegations	2026-12-06T18:03:24.845Z
0024_task_versions	2026-12-06T18:03:24.865Z
0025_team	2026-12-06T18:03:24.961Z
0026_gates	2026-12-06T18:03:25.066Z
\.


--
-- Data for Name: kysely_migration_lock; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.kysely_migration_lock (id, is_locked) FROM stdin;
migration_lock	0
\.


--
-- Data for Name: ledger_entries; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.ledger_entries (seq, entry, leaf_hash, task_id) FROM stdin;
0	{"actor":"did:human:admin","at":"2026-12-06T18:03:27.309Z","data":{"id":"did:human:admin","kind":"human","roles":["admin"]},"seq":0,"taskId":null,"type":"principal.created","v":1}	f38c7fc2127abf3c4320c712325a8088880b2fbbd3b2d293f9a6f716ca7d59d6	\N
1	{"actor":"did:human:admin","at":"2026-12-06T18:03:27.470Z","data":{"id":"did:agent:fixture-bot","kind":"agent","roles":[]},"seq":1,"taskId":null,"type":"principal.created","v":1}	14537ce0447dfea6ea3bc8486293538f195574f6deb11dbae916c890ae5211ba	\N
2	{"actor":"did:human:admin","at":"2026-12-06T18:03:27.560Z","data":{"id":"did:human:approver","kind":"human","roles":["approver","finance"]},"seq":2,"taskId":null,"type":"principal.created","v":1}	a592c8fe3263bc4cb2f6206a3cdee3e482b4feb6a563913ab452a5f519d4594a	\N
3	{"actor":"did:human:admin","at":"2026-12-06T18:03:27.611Z","data":{"id":"did:human:deputy","kind":"human","roles":[]},"seq":3,"taskId":null,"type":"principal.created","v":1}	023e8bdf431a05d87cd07c1a634efbf37b43dc2bb76d1eb504db30d77b675216	\N
4	{"actor":"did:human:admin","at":"2026-12-06T18:03:27.702Z","data":{"id":"did:human:lead","kind":"human","roles":["ops_lead"]},"seq":4,"taskId":null,"type":"principal.created","v":1}	c3938b5fc74bc47b30e47894ffa3aea369b29ad7b2f3fec8979b9ac675798998	\N
5	{"actor":"did:agent:fixture-bot","at":"2026-12-06T18:03:27.968Z","data":{"aiProposal":{"action":"Rotate the TLS certificate of api.example.com","alternatives":[],"confidence":null,"reasoning":null},"description":"Rotate the TLS certificate of api.example.com","humanInLoop":{"approverRole":"approver"},"onBehalfOf":null,"payload":{"host":"api.example.com"},"payloadDigest":"sha256:7c31cd5b2db1f368afd5784b82ce24cdd467527ed3fe83a989747008a0dcfb4e","policy":{"approvalRequired":"before_execution","approverRole":"approver","flags":[],"floorApplied":false,"gateRequired":true,"id":"upgrade-fixture","reason":"client requested before_execution approval","requirements":[{"origin":"client","required":1,"roles":["approver"],"rule":null,"step":1}],"rulesApplied":[],"source":"file","version":1},"requiredCapabilities":[],"risk":{"factors":[],"level":"low","mitigations":[]},"status":"awaiting_approval","warnings":[]},"seq":5,"taskId":"task:human:e453c5688c7fed04b881bd78","type":"task.created","v":1}	be716a6532b0a1611c10cd7de43ffa399bd4ed3a2070ddc98586ed5696779f6c	task:human:e453c5688c7fed04b881bd78
6	{"actor":"did:agent:fixture-bot","approvalId":"approval:human:c0b8ad4c03c2c06038f74e4f","at":"2026-12-06T18:03:27.968Z","data":{"approverRole":"approver","escalateTo":null,"escalationPolicy":null,"expiresAt":null,"kind":"execution","reason":null,"required":1,"status":"pending","step":0,"warnings":[]},"seq":6,"taskId":"task:human:e453c5688c7fed04b881bd78","type":"approval.requested","v":1}	6ac0eb6e2f976c3b81cd2cc5c98ddd61cf4fbd9b0d025da5f16e2638624ee7c2	task:human:e453c5688c7fed04b881bd78
7	{"actor":"did:human:approver","approvalId":"approval:human:c0b8ad4c03c2c06038f74e4f","at":"2026-12-06T18:03:28.195Z","data":{"auth":"token","channel":"api","gateStatus":"approved","record":{"approvalId":"approval:human:c0b8ad4c03c2c06038f74e4f","decidedAt":"2026-12-06T18:03:28.195Z","decidedBy":"did:human:approver","edits":null,"feedback":null,"origin":"humanos.ledger/42bc6c0a","payloadDigest":"sha256:7c31cd5b2db1f368afd5784b82ce24cdd467527ed3fe83a989747008a0dcfb4e","reason":"scheduled rotation","taskId":"task:human:e453c5688c7fed04b881bd78","type":"humanos.decision/v1","verdict":"approved"},"signature":"0xcc398dbe8593f8387e705dca288894f1dd0ba4b82ba7a4ff048c8d2c0c92841ac861d55059ed948619a36bc5e86d8a40e3d915fae23c4b089a724363b458910e","taskStatus":"approved"},"seq":7,"taskId":"task:human:e453c5688c7fed04b881bd78","type":"approval.decided","v":1}	53fdb26610b4982f0ea5080dba313dce8fac305a31b5dcad9ffdf19fbf63c66d	task:human:e453c5688c7fed04b881bd78
8	{"actor":"did:agent:fixture-bot","at":"2026-12-06T18:03:28.364Z","data":{"attempt":1,"executionId":"exec:e453c5688c7fed04b881bd78","payloadDigest":"sha256:7c31cd5b2db1f368afd5784b82ce24cdd467527ed3fe83a989747008a0dcfb4e"},"seq":8,"taskId":"task:human:e453c5688c7fed04b881bd78","type":"task.execution_started","v":1}	4d56c8d6a899839c92e1dec4617280e0b4a0b026ef07842bb53e91c646fd042a	task:human:e453c5688c7fed04b881bd78
9	{"actor":"did:agent:fixture-bot","at":"2026-12-06T18:03:28.537Z","data":{"executionId":"exec:e453c5688c7fed04b881bd78","result":{"rotated":true}},"seq":9,"taskId":"task:human:e453c5688c7fed04b881bd78","type":"task.completed","v":1}	494298dd31aee4cd8a1d903d4787c94be0e2e89e30da160f3fd1ad317f43e86a	task:human:e453c5688c7fed04b881bd78
10	{"actor":"did:human:approver","at":"2026-12-06T18:03:28.663Z","data":{"comments":"clean","confidence":null,"quality":"good"},"seq":10,"taskId":"task:human:e453c5688c7fed04b881bd78","type":"task.feedback","v":1}	fea6ce0fec7ace36f0a2f77b1430642bffae500db549149e900e707b4234ea9b	task:human:e453c5688c7fed04b881bd78
11	{"actor":"did:agent:fixture-bot","at":"2026-12-06T18:03:28.862Z","data":{"aiProposal":{"action":"Wire 9000 EUR to a new payee","alternatives":[],"confidence":null,"reasoning":null},"description":"Wire 9000 EUR to a new payee","humanInLoop":{"approverRole":"approver"},"onBehalfOf":null,"payload":{"amount":9000,"iban":"DE89370400440532013000"},"payloadDigest":"sha256:5e65a854aa56f3c8bcf7aee0399603b4e3c98d7791ef802f8235b4a2f7391d0a","policy":{"approvalRequired":"before_execution","approverRole":"approver","flags":[],"floorApplied":true,"gateRequired":true,"id":"upgrade-fixture","reason":"policy rule wires (wires go to finance) requires approval by finance; client requested before_execution approval","requirements":[{"origin":"client","required":1,"roles":["approver"],"rule":null,"step":1},{"origin":"policy","required":1,"roles":["finance"],"rule":"wires","step":2}],"rulesApplied":["wires"],"source":"file","version":1},"requiredCapabilities":[],"risk":{"factors":["irreversible_action","financial_transaction","text_payload_mismatch"],"level":"high","mitigations":[]},"status":"awaiting_approval","warnings":[{"actual":null,"claimed":"EUR","code":"text_payload_mismatch","message":"The description says EUR, but the payload names no currency.","source":"description"},{"code":"gate_undecidable","message":"Nobody can finish the approval path (step 1: approver → step 2: finance): its 2 seats need 2 different people and one person fills at most one seat, but only 1 can be filled by the 1 eligible human (did:human:approver); a task that gets it can only expire or be cancelled.","source":"policy"}]},"seq":11,"taskId":"task:human:78c78d217f63458252357ae9","type":"task.created","v":1}	8a308500753062b67c3e8fcbd811c9547401109cefb8131591da8083b296d0c2	task:human:78c78d217f63458252357ae9
12	{"actor":"did:agent:fixture-bot","approvalId":"approval:human:e1aa0af6dae32d5cca5b40f9","at":"2026-12-06T18:03:28.862Z","data":{"approverRole":"approver","escalateTo":null,"escalationPolicy":null,"expiresAt":null,"kind":"execution","reason":null,"required":1,"status":"pending","step":0,"warnings":[{"actual":null,"claimed":"EUR","code":"text_payload_mismatch","message":"The description says EUR, but the payload names no currency.","source":"description"}]},"seq":12,"taskId":"task:human:78c78d217f63458252357ae9","type":"approval.requested","v":1}	c2e822298e3b62407cc68bc6a056431e2cd39bbc7510b0e0d1e6064e3e5b2ae7	task:human:78c78d217f63458252357ae9
13	{"actor":"did:agent:fixture-bot","approvalId":"approval:human:25770aced5c31d9cf7de5b4c","at":"2026-12-06T18:03:28.862Z","data":{"approverRole":"finance","escalateTo":null,"escalationPolicy":null,"expiresAt":null,"kind":"execution","reason":"policy rule wires: wires go to finance","required":1,"status":"waiting","step":1,"warnings":[{"actual":null,"claimed":"EUR","code":"text_payload_mismatch","message":"The description says EUR, but the payload names no currency.","source":"description"}]},"seq":13,"taskId":"task:human:78c78d217f63458252357ae9","type":"approval.requested","v":1}	62c4b360b4c077175d001766ae25e84b0d5b8e60f086faa9e9390a0f69d77db0	task:human:78c78d217f63458252357ae9
19	{"actor":"did:agent:fixture-bot","at":"2026-12-06T18:03:29.536Z","data":{"aiProposal":{"action":"Drop the staging cache","alternatives":[],"confidence":null,"reasoning":null},"description":"Drop the staging cache","humanInLoop":{"approverRole":"approver"},"onBehalfOf":null,"payload":{"cache":"staging"},"payloadDigest":"sha256:81a7a9c21eabaaeddce3a680a9e9fcd79e5f674a47fcd8872357c7259051aa03","policy":{"approvalRequired":"before_execution","approverRole":"approver","flags":[],"floorApplied":false,"gateRequired":true,"id":"upgrade-fixture","reason":"client requested before_execution approval","requirements":[{"origin":"client","required":1,"roles":["approver"],"rule":null,"step":1}],"rulesApplied":[],"source":"file","version":1},"requiredCapabilities":[],"risk":{"factors":["irreversible_action"],"level":"medium","mitigations":[]},"status":"awaiting_approval","warnings":[]},"seq":19,"taskId":"task:human:8416f077075d077a85760c91","type":"task.created","v":1}	6b70cfa16024360c13e97cd64fb25d5ecbaa80b4990a0c7e3b4c961c370b6226	task:human:8416f077075d077a85760c91
20	{"actor":"did:agent:fixture-bot","approvalId":"approval:human:fda8853c5f04a7a95fccefa1","at":"2026-12-06T18:03:29.536Z","data":{"approverRole":"approver","escalateTo":null,"escalationPolicy":null,"expiresAt":null,"kind":"execution","reason":null,"required":1,"status":"pending","step":0,"warnings":[]},"seq":20,"taskId":"task:human:8416f077075d077a85760c91","type":"approval.requested","v":1}	aec81dda7b2eef183b3c3bd74f191673a7abe76b2109de5417282b9ebffa9f48	task:human:8416f077075d077a85760c91
21	{"actor":"did:human:approver","approvalId":"approval:human:fda8853c5f04a7a95fccefa1","at":"2026-12-06T18:03:29.761Z","data":{"cancelledApprovals":["approval:human:fda8853c5f04a7a95fccefa1"],"channel":"api","feedback":"name the keys","payloadDigest":"sha256:81a7a9c21eabaaeddce3a680a9e9fcd79e5f674a47fcd8872357c7259051aa03","requestedBy":"did:human:approver","version":1},"seq":21,"taskId":"task:human:8416f077075d077a85760c91","type":"task.changes_requested","v":1}	0d5e62af14e50c85d12a613266ab7f46caba6289309ceb27a59fff9da8a9071a	task:human:8416f077075d077a85760c91
22	{"actor":"did:human:approver","approvalId":"approval:human:fda8853c5f04a7a95fccefa1","at":"2026-12-06T18:03:29.761Z","data":{"reason":"changes requested by did:human:approver"},"seq":22,"taskId":"task:human:8416f077075d077a85760c91","type":"approval.cancelled","v":1}	fdedc39aac9258ddc4831c5efc66a1cb5712054ecd82e5b74a6443af21c327f4	task:human:8416f077075d077a85760c91
23	{"actor":"did:agent:fixture-bot","at":"2026-12-06T18:03:29.861Z","data":{"aiProposal":{"action":"Restart the mail relay","alternatives":[],"confidence":null,"reasoning":null},"description":"Restart the mail relay","humanInLoop":{"approverRole":"approver"},"onBehalfOf":null,"payload":{"host":"mx1"},"payloadDigest":"sha256:abc3787d5a2b69eced7ccf6c2d3daf33d72dabe06503b44855be94e5d527d3ff","policy":{"approvalRequired":"before_execution","approverRole":"approver","flags":[],"floorApplied":false,"gateRequired":true,"id":"upgrade-fixture","reason":"client requested before_execution approval","requirements":[{"origin":"client","required":1,"roles":["approver"],"rule":null,"step":1}],"rulesApplied":[],"source":"file","version":1},"requiredCapabilities":[],"risk":{"factors":["service_disruption"],"level":"low","mitigations":[]},"status":"awaiting_approval","warnings":[]},"seq":23,"taskId":"task:human:5d4f4857fc4342881f21c1eb","type":"task.created","v":1}	2f889f5c42a174d08315876b3dbe5edb2887b8401e67caeb351b7b491b4969f3	task:human:5d4f4857fc4342881f21c1eb
24	{"actor":"did:agent:fixture-bot","approvalId":"approval:human:8abd96b383e8dc2e98e85ee9","at":"2026-12-06T18:03:29.861Z","data":{"approverRole":"approver","escalateTo":null,"escalationPolicy":null,"expiresAt":null,"kind":"execution","reason":null,"required":1,"status":"pending","step":0,"warnings":[]},"seq":24,"taskId":"task:human:5d4f4857fc4342881f21c1eb","type":"approval.requested","v":1}	c13e8a3c6b2e047dd6df55dadaa5161ad0d1584cf5e5d5b25ebf47b58c639120	task:human:5d4f4857fc4342881f21c1eb
25	{"actor":"did:agent:fixture-bot","at":"2026-12-06T18:03:29.930Z","data":{"previousStatus":"awaiting_approval","reason":"not needed"},"seq":25,"taskId":"task:human:5d4f4857fc4342881f21c1eb","type":"task.cancelled","v":1}	b0f3fc231fcd638de93daf4697f3861cdd475afd7736ea41d923ba5990a35d3f	task:human:5d4f4857fc4342881f21c1eb
26	{"actor":"did:agent:fixture-bot","approvalId":"approval:human:8abd96b383e8dc2e98e85ee9","at":"2026-12-06T18:03:29.930Z","data":{"reason":"the task was cancelled"},"seq":26,"taskId":"task:human:5d4f4857fc4342881f21c1eb","type":"approval.cancelled","v":1}	71bd6536fba102ab15b996dcadbdad6d5bca9c9ca6f15beef1739973d6d19b40	task:human:5d4f4857fc4342881f21c1eb
14	{"actor":"did:human:approver","approvalId":"approval:human:e1aa0af6dae32d5cca5b40f9","at":"2026-12-06T18:03:29.050Z","data":{"auth":"token","channel":"api","gateStatus":"rejected","record":{"approvalId":"approval:human:e1aa0af6dae32d5cca5b40f9","decidedAt":"2026-12-06T18:03:29.050Z","decidedBy":"did:human:approver","edits":null,"feedback":null,"origin":"humanos.ledger/42bc6c0a","payloadDigest":"sha256:5e65a854aa56f3c8bcf7aee0399603b4e3c98d7791ef802f8235b4a2f7391d0a","reason":"unknown payee","taskId":"task:human:78c78d217f63458252357ae9","type":"humanos.decision/v1","verdict":"rejected"},"signature":"0xa27ddd6baa48bc3b455c164cec8e19442da9ea58ba95331f22872483b58ebb3b02ea168844a05e72a07833f08622d4a45f3cdc5b7b5a3a86fabbf102ae465200","taskStatus":"rejected"},"seq":14,"taskId":"task:human:78c78d217f63458252357ae9","type":"approval.decided","v":1}	3075fca29455f908faf9be868cd158d801a7d076ebd213a930ddef7a299f6e92	task:human:78c78d217f63458252357ae9
15	{"actor":"did:human:approver","approvalId":"approval:human:25770aced5c31d9cf7de5b4c","at":"2026-12-06T18:03:29.050Z","data":{"reason":"step 1 was rejected"},"seq":15,"taskId":"task:human:78c78d217f63458252357ae9","type":"approval.cancelled","v":1}	fc62c042f1d8bee3438854b0089e1a1161b21d0d30aa5257d63d512b078646b4	task:human:78c78d217f63458252357ae9
16	{"actor":"did:agent:fixture-bot","at":"2026-12-06T18:03:29.212Z","data":{"aiProposal":{"action":"Scale the worker pool","alternatives":[],"confidence":null,"reasoning":null},"description":"Scale the worker pool","humanInLoop":{"approverRole":"approver"},"onBehalfOf":null,"payload":{"replicas":40},"payloadDigest":"sha256:d4c214089fbd6a9a998efcf0206b3b24c8bc612ba522c05510cbc5477fa2c528","policy":{"approvalRequired":"before_execution","approverRole":"approver","flags":[],"floorApplied":false,"gateRequired":true,"id":"upgrade-fixture","reason":"client requested before_execution approval","requirements":[{"origin":"client","required":1,"roles":["approver"],"rule":null,"step":1}],"rulesApplied":[],"source":"file","version":1},"requiredCapabilities":[],"risk":{"factors":[],"level":"low","mitigations":[]},"status":"awaiting_approval","warnings":[]},"seq":16,"taskId":"task:human:066536c65548c7f0b8157f82","type":"task.created","v":1}	01ba0913815f6e29c676737b88f3455510f4a49cbb990ec6d9fc2cc4592af1dc	task:human:066536c65548c7f0b8157f82
17	{"actor":"did:agent:fixture-bot","approvalId":"approval:human:ab12f50ba3acf2e75883d46f","at":"2026-12-06T18:03:29.212Z","data":{"approverRole":"approver","escalateTo":null,"escalationPolicy":null,"expiresAt":null,"kind":"execution","reason":null,"required":1,"status":"pending","step":0,"warnings":[]},"seq":17,"taskId":"task:human:066536c65548c7f0b8157f82","type":"approval.requested","v":1}	dc5eaa38d0ed0bd5c11f7b16ffe877772c26e2ec2c21148095afde3aea3e5823	task:human:066536c65548c7f0b8157f82
18	{"actor":"did:human:approver","approvalId":"approval:human:ab12f50ba3acf2e75883d46f","at":"2026-12-06T18:03:29.379Z","data":{"auth":"token","channel":"api","gateStatus":"approved","record":{"approvalId":"approval:human:ab12f50ba3acf2e75883d46f","decidedAt":"2026-12-06T18:03:29.379Z","decidedBy":"did:human:approver","edits":{"replicas":12},"feedback":null,"origin":"humanos.ledger/42bc6c0a","payloadDigest":"sha256:220fb4c771a7daf2c030add3e81d542d533dcf4bdea4101e96e2db78942260db","reason":"fewer","taskId":"task:human:066536c65548c7f0b8157f82","type":"humanos.decision/v1","verdict":"approved"},"signature":"0x2cd3578bb5ed7e93eacb77fe4e84d4a11961aaebb8e08af0499c7d34de0f3176e6613360eb9310007db872db104bdfdb3fb03cf55869f7e14f79f4f6b6e19d0d","taskStatus":"approved"},"seq":18,"taskId":"task:human:066536c65548c7f0b8157f82","type":"approval.decided","v":1}	bf71e1534ddbe7cc435fd185907d6948d62a816c3714e06c22093467dcaed1f8	task:human:066536c65548c7f0b8157f82
\.


--
-- Data for Name: ledger_head; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.ledger_head (id, size) FROM stdin;
1	27
\.


--
-- Data for Name: ledger_nodes; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.ledger_nodes (level, idx, hash) FROM stdin;
0	0	f38c7fc2127abf3c4320c712325a8088880b2fbbd3b2d293f9a6f716ca7d59d6
0	1	14537ce0447dfea6ea3bc8486293538f195574f6deb11dbae916c890ae5211ba
1	0	8ddf9a624bdfe7dcdf982ee156f9b3213c16c81da8b50cc84e0e091a971572b4
0	2	a592c8fe3263bc4cb2f6206a3cdee3e482b4feb6a563913ab452a5f519d4594a
0	3	023e8bdf431a05d87cd07c1a634efbf37b43dc2bb76d1eb504db30d77b675216
1	1	f8f76292d597629f12616a42fee7648b29cd73969da09d8934b741557111d433
2	0	2162418eb96741e82c5a15dd934a4a3a606f8c4c15ae476305291b2e3692a7d5
0	4	c3938b5fc74bc47b30e47894ffa3aea369b29ad7b2f3fec8979b9ac675798998
0	5	be716a6532b0a1611c10cd7de43ffa399bd4ed3a2070ddc98586ed5696779f6c
1	2	93ee4a66b56effbe66bb4c56d93e93e85bf7bac17302ac123b7c0d69540f6fff
0	6	6ac0eb6e2f976c3b81cd2cc5c98ddd61cf4fbd9b0d025da5f16e2638624ee7c2
0	7	53fdb26610b4982f0ea5080dba313dce8fac305a31b5dcad9ffdf19fbf63c66d
1	3	571cd48596ccf88af781dbc819a13c3e7655b75f7879041a194c955ea165f697
2	1	824b8822d73f91aa8698febfc25b14389ef7107337c085760ee4530765babfce
3	0	c7bd2467b923aa2e0c0b5cedeb420f53de8e0770a9cdff0bb52c16620ba9aa78
0	8	4d56c8d6a899839c92e1dec4617280e0b4a0b026ef07842bb53e91c646fd042a
0	9	494298dd31aee4cd8a1d903d4787c94be0e2e89e30da160f3fd1ad317f43e86a
1	4	8be45a5885e32dcc4b19edba461dd24dc62471d185af9de9dbda5038eb216d1e
0	10	fea6ce0fec7ace36f0a2f77b1430642bffae500db549149e900e707b4234ea9b
0	11	8a308500753062b67c3e8fcbd811c9547401109cefb8131591da8083b296d0c2
1	5	0ad3edf50158be4ba269c8765a8bd917b2a656f0f88e76d21cdb52ab21bd764c
2	2	85d20633e58dc89e30562aa24a51452895271712ab33c5e7a33c11af55a7dbda
0	12	c2e822298e3b62407cc68bc6a056431e2cd39bbc7510b0e0d1e6064e3e5b2ae7
0	13	62c4b360b4c077175d001766ae25e84b0d5b8e60f086faa9e9390a0f69d77db0
1	6	53930d7d53ed173246165921257bfe3b48d2a4f59e766fd3035840e6e3da8ae4
0	14	3075fca29455f908faf9be868cd158d801a7d076ebd213a930ddef7a299f6e92
0	15	fc62c042f1d8bee3438854b0089e1a1161b21d0d30aa5257d63d512b078646b4
1	7	67911ba8e422e7c10d351d6357d888535dd549ec4b1934551286f4a8c3e7cbab
2	3	b157d0b17d073d493eb26107c5f33f19dc4f3ab4e737b8160184c326212782bb
3	1	9c3b8f3787eb3f37386729731bd1d4dad258dea74b21d22c9db524e2b153c670
4	0	4e10a1369008908299259488a0d37765de2001e7d817916c38266d4f41862a7a
0	16	01ba0913815f6e29c676737b88f3455510f4a49cbb990ec6d9fc2cc4592af1dc
0	17	dc5eaa38d0ed0bd5c11f7b16ffe877772c26e2ec2c21148095afde3aea3e5823
1	8	41b9537d8e28644c10f627cf6ec1e7141272006dbeeea81a70768c5e55276ffc
0	18	bf71e1534ddbe7cc435fd185907d6948d62a816c3714e06c22093467dcaed1f8
0	19	6b70cfa16024360c13e97cd64fb25d5ecbaa80b4990a0c7e3b4c961c370b6226
1	9	86a9794f448fd4fe1216b09d4b280676fb866ffe9a9e7827c406fa06bf411105
2	4	f42e4bedf842fca8f777a90d468470feff897880b92b49ba6b54df85636582c0
0	20	aec81dda7b2eef183b3c3bd74f191673a7abe76b2109de5417282b9ebffa9f48
0	21	0d5e62af14e50c85d12a613266ab7f46caba6289309ceb27a59fff9da8a9071a
1	10	1fdbb4b0bdbaf8eaf821a741f190003e55e4b9ed2a1b3934034ad5d118acc257
0	22	fdedc39aac9258ddc4831c5efc66a1cb5712054ecd82e5b74a6443af21c327f4
0	23	2f889f5c42a174d08315876b3dbe5edb2887b8401e67caeb351b7b491b4969f3
1	11	20c07208ca425840189f9d323d0ec2377678af64950675631639cd100a005aa5
2	5	878373d72284faa9e2b4e27af638009a520f72a2bedf3338890aeebd04edec0b
3	2	a42d7564218119357459f06dacd1f53071c14ab6f40c00bad0ecb405a4d15dba
0	24	c13e8a3c6b2e047dd6df55dadaa5161ad0d1584cf5e5d5b25ebf47b58c639120
0	25	b0f3fc231fcd638de93daf4697f3861cdd475afd7736ea41d923ba5990a35d3f
1	12	b21b02ef08477166bd69fbccbce2e021306a97911695b8c5cb2e3010bcd14c11
0	26	71bd6536fba102ab15b996dcadbdad6d5bca9c9ca6f15beef1739973d6d19b40
\.


--
-- Data for Name: meta; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.meta (key, value) FROM stdin;
ledger_public_key	7bcb527bb6a61e0213fc270a854c74c29c617938903028e9f4b39d6912f2b239
ledger_origin	humanos.ledger/42bc6c0a
\.


--
-- Data for Name: notification_prefs; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.notification_prefs (principal_id, email, slack, quiet_start, quiet_end, time_zone, updated_at) FROM stdin;
\.


--
-- Data for Name: oidc_logins; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.oidc_logins (id, kind, secret, nonce, return_to, created_at, expires_at) FROM stdin;
\.


--
-- Data for Name: passkey_challenges; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.passkey_challenges (nonce, principal_id, purpose, approval_id, created_at, expires_at) FROM stdin;
\.


--
-- Data for Name: passkeys; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.passkeys (credential_id, principal_id, name, public_key, algorithm, rp_id, origins, transports, created_at, enrolled_seq, last_used_at, revoked_at, revoked_by, revoked_seq) FROM stdin;
\.


--
-- Data for Name: principals; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.principals (id, kind, roles, token_hash, public_key, created_at, created_by, capabilities, disabled_at, token_rotated_at, token_expires_at, display_name, email, oidc_issuer, oidc_subject) FROM stdin;
did:human:admin	human	["admin"]	9acd3753a6e8efc5983f088bf9d8fd7da8280a5121e8378030f9cda1fb592e8a	\N	1796580207309	did:human:admin	[]	\N	\N	\N	\N	\N	\N	\N
did:agent:fixture-bot	agent	[]	c23aaa57fa70bd88df314498195f657fb818fd4a8402ff8ac101363608c553e0	\N	1796580207470	did:human:admin	[]	\N	\N	\N	Fixture agent	\N	\N	\N
did:human:approver	human	["approver","finance"]	02932c40d35fb372e3a676d8723d38498d5d93a21e1730b401884f5654df0a75	\N	1796580207560	did:human:admin	[]	\N	\N	\N	Fixture approver	\N	\N	\N
did:human:deputy	human	[]	f4d0a68fc8037ec163225198c825f18697759ab73db32120fe905136825d56a3	\N	1796580207611	did:human:admin	[]	\N	\N	\N	Fixture deputy	\N	\N	\N
did:human:lead	human	["ops_lead"]	4734398d3bd7a92e9ee9e5c6a56c289a42aa2ba4ef51c60b23e0d8cd25dd042e	\N	1796580207702	did:human:admin	[]	\N	\N	\N	Fixture lead	\N	\N	\N
\.


--
-- Data for Name: role_channels; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.role_channels (role, slack_channel, updated_at, updated_by) FROM stdin;
\.


--
-- Data for Name: sessions; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.sessions (id, token_hash, principal_id, method, issuer, created_at, auth_time, last_seen_at, idle_expires_at, expires_at, revoked_at, user_agent) FROM stdin;
\.


--
-- Data for Name: task_head_nodes; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.task_head_nodes (level, idx, hash) FROM stdin;
0	0	ba97574db3b96abc22f7b2f1ed2d34d8d60dcd1c3ebd7fdf5913b10fa8b268be
0	1	31537aeed5ec8b00152f076a975a52f6e182f364ad004948ceabf20c2da09314
1	0	589e3d06faa5817452f1dd19527c858dce47a3a4a6221c0911db6c7b71a94769
0	2	e5bf3b53a4d37239c7e8b73b92bd1a3a8daff34569aa4b9f5409f1aa63e4bacd
0	3	7ec58b6ab1ae3d9236ad82f3e8985732eb5e7f09cc2302bc681d6a3071d28836
1	1	03d9014ef3358eb99e817c0b2e00cfb0aaed80d2bc7d3cfe3aee98fe6aafd1b9
2	0	3833f98eb7d9439c19eba3ea86de4f28462023f8d98a6569e44fcd59d6d7433e
0	4	e503cc417dae9c82cb33298d9218851d39a1fefc402640e2650a275e6e743185
\.


--
-- Data for Name: task_heads; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.task_heads (task_id, pos, count, acc) FROM stdin;
task:human:e453c5688c7fed04b881bd78	0	6	ce239a7b2fac421f5f2757cebb9ebd27259343f46a695f26aced5f1017c72db4
task:human:78c78d217f63458252357ae9	1	5	4ea7fe1530f9ea657c1e1fe4bae35812084e2dd59936f2a90f305d2c718e3d10
task:human:066536c65548c7f0b8157f82	2	3	b3c65f76ed259becdf25a188861d75997fa1a577b37a37a95d0822d8f2362eff
task:human:8416f077075d077a85760c91	3	4	375619e91da7cdcf815ccfb129a5be33cf6d562f000f893ac3d3e0a63e7ed237
task:human:5d4f4857fc4342881f21c1eb	4	4	5771c53fad7adc3936eefc5279e0d4af4638781c71475c2aecb19bf0f165754c
\.


--
-- Data for Name: task_versions; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.task_versions (task_id, version, payload_digest, approval_id, requested_by, feedback, requested_at, requested_seq, revised_at, revised_digest, revised_seq, diff) FROM stdin;
task:human:8416f077075d077a85760c91	1	sha256:81a7a9c21eabaaeddce3a680a9e9fcd79e5f674a47fcd8872357c7259051aa03	approval:human:fda8853c5f04a7a95fccefa1	did:human:approver	name the keys	1796580209761	21	\N	\N	\N	\N
\.


--
-- Data for Name: tasks; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.tasks (id, requester, on_behalf_of, description, required_capabilities, payload, approved_payload, approved_digest, hitl, policy, risk, ai_proposal, status, execution_id, executor, result, error, created_at, updated_at, created_seq, client, lease_id, lease_expires_at, attempt, last_confidence, overridden_by, assigned_to, proposed_payload, payload_digest, cap_key, audit_frequency, audit_review_id, warnings, warnings_digest) FROM stdin;
task:human:e453c5688c7fed04b881bd78	did:agent:fixture-bot	\N	Rotate the TLS certificate of api.example.com	[]	{"host":"api.example.com"}	{"host":"api.example.com"}	sha256:7c31cd5b2db1f368afd5784b82ce24cdd467527ed3fe83a989747008a0dcfb4e	{"approverRole":"approver"}	{"id":"upgrade-fixture","version":1,"source":"file","rulesApplied":[],"gateRequired":true,"floorApplied":false,"approvalRequired":"before_execution","approverRole":"approver","reason":"client requested before_execution approval","requirements":[{"step":1,"roles":["approver"],"required":1,"origin":"client","rule":null}],"flags":[]}	{"level":"low","factors":[],"mitigations":[]}	{"action":"Rotate the TLS certificate of api.example.com","reasoning":null,"confidence":null,"alternatives":[]}	completed	exec:e453c5688c7fed04b881bd78	did:agent:fixture-bot	{"rotated":true}	\N	1796580207968	1796580208537	5	{"autoEscalation":null,"auditFrequency":null}	lease:f0d9950ba3a57a38b0290a5f	1796580268364	1	0	\N	\N	{"host":"api.example.com"}	sha256:7c31cd5b2db1f368afd5784b82ce24cdd467527ed3fe83a989747008a0dcfb4e	\N	\N	\N	[]	sha256:7c31cd5b2db1f368afd5784b82ce24cdd467527ed3fe83a989747008a0dcfb4e
task:human:78c78d217f63458252357ae9	did:agent:fixture-bot	\N	Wire 9000 EUR to a new payee	[]	{"amount":9000,"iban":"DE89370400440532013000"}	\N	\N	{"approverRole":"approver"}	{"id":"upgrade-fixture","version":1,"source":"file","rulesApplied":["wires"],"gateRequired":true,"floorApplied":true,"approvalRequired":"before_execution","approverRole":"approver","reason":"policy rule wires (wires go to finance) requires approval by finance; client requested before_execution approval","requirements":[{"step":1,"roles":["approver"],"required":1,"origin":"client","rule":null},{"step":2,"roles":["finance"],"required":1,"origin":"policy","rule":"wires"}],"flags":[]}	{"level":"high","factors":["irreversible_action","financial_transaction","text_payload_mismatch"],"mitigations":[]}	{"action":"Wire 9000 EUR to a new payee","reasoning":null,"confidence":null,"alternatives":[]}	rejected	\N	\N	\N	\N	1796580208862	1796580209050	11	{"autoEscalation":null,"auditFrequency":null}	\N	\N	0	\N	\N	\N	{"amount":9000,"iban":"DE89370400440532013000"}	sha256:5e65a854aa56f3c8bcf7aee0399603b4e3c98d7791ef802f8235b4a2f7391d0a	\N	\N	\N	[{"code":"text_payload_mismatch","source":"description","claimed":"EUR","message":"The description says EUR, but the payload names no currency.","actual":null}]	sha256:5e65a854aa56f3c8bcf7aee0399603b4e3c98d7791ef802f8235b4a2f7391d0a
task:human:066536c65548c7f0b8157f82	did:agent:fixture-bot	\N	Scale the worker pool	[]	{"replicas":12}	{"replicas":12}	sha256:220fb4c771a7daf2c030add3e81d542d533dcf4bdea4101e96e2db78942260db	{"approverRole":"approver"}	{"id":"upgrade-fixture","version":1,"source":"file","rulesApplied":[],"gateRequired":true,"floorApplied":false,"approvalRequired":"before_execution","approverRole":"approver","reason":"client requested before_execution approval","requirements":[{"step":1,"roles":["approver"],"required":1,"origin":"client","rule":null}],"flags":[]}	{"level":"low","factors":[],"mitigations":[]}	{"action":"Scale the worker pool","reasoning":null,"confidence":null,"alternatives":[]}	approved	\N	\N	\N	\N	1796580209212	1796580209379	16	{"autoEscalation":null,"auditFrequency":null}	\N	\N	0	\N	\N	\N	{"replicas":40}	sha256:220fb4c771a7daf2c030add3e81d542d533dcf4bdea4101e96e2db78942260db	\N	\N	\N	[]	sha256:220fb4c771a7daf2c030add3e81d542d533dcf4bdea4101e96e2db78942260db
task:human:8416f077075d077a85760c91	did:agent:fixture-bot	\N	Drop the staging cache	[]	{"cache":"staging"}	\N	\N	{"approverRole":"approver"}	{"id":"upgrade-fixture","version":1,"source":"file","rulesApplied":[],"gateRequired":true,"floorApplied":false,"approvalRequired":"before_execution","approverRole":"approver","reason":"client requested before_execution approval","requirements":[{"step":1,"roles":["approver"],"required":1,"origin":"client","rule":null}],"flags":[]}	{"level":"medium","factors":["irreversible_action"],"mitigations":[]}	{"action":"Drop the staging cache","reasoning":null,"confidence":null,"alternatives":[]}	changes_requested	\N	\N	\N	\N	1796580209536	1796580209761	19	{"autoEscalation":null,"auditFrequency":null}	\N	\N	0	\N	\N	\N	{"cache":"staging"}	sha256:81a7a9c21eabaaeddce3a680a9e9fcd79e5f674a47fcd8872357c7259051aa03	\N	\N	\N	[]	sha256:81a7a9c21eabaaeddce3a680a9e9fcd79e5f674a47fcd8872357c7259051aa03
task:human:5d4f4857fc4342881f21c1eb	did:agent:fixture-bot	\N	Restart the mail relay	[]	{"host":"mx1"}	\N	\N	{"approverRole":"approver"}	{"id":"upgrade-fixture","version":1,"source":"file","rulesApplied":[],"gateRequired":true,"floorApplied":false,"approvalRequired":"before_execution","approverRole":"approver","reason":"client requested before_execution approval","requirements":[{"step":1,"roles":["approver"],"required":1,"origin":"client","rule":null}],"flags":[]}	{"level":"low","factors":["service_disruption"],"mitigations":[]}	{"action":"Restart the mail relay","reasoning":null,"confidence":null,"alternatives":[]}	cancelled	\N	\N	\N	\N	1796580209861	1796580209930	23	{"autoEscalation":null,"auditFrequency":null}	\N	\N	0	\N	\N	\N	{"host":"mx1"}	sha256:abc3787d5a2b69eced7ccf6c2d3daf33d72dabe06503b44855be94e5d527d3ff	\N	\N	\N	[]	sha256:abc3787d5a2b69eced7ccf6c2d3daf33d72dabe06503b44855be94e5d527d3ff
\.


--
-- Data for Name: webhooks; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.webhooks (id, url, events, secret, active, created_at, created_by, previous_secret, previous_secret_expires_at) FROM stdin;
\.


--
-- Name: approval_comments approval_comments_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.approval_comments
    ADD CONSTRAINT approval_comments_pkey PRIMARY KEY (id);


--
-- Name: approval_opens approval_opens_pk; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.approval_opens
    ADD CONSTRAINT approval_opens_pk PRIMARY KEY (approval_id, principal_id);


--
-- Name: approval_prompts approval_prompts_pk; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.approval_prompts
    ADD CONSTRAINT approval_prompts_pk PRIMARY KEY (approval_id, principal_id);


--
-- Name: approval_roles approval_roles_pk; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.approval_roles
    ADD CONSTRAINT approval_roles_pk PRIMARY KEY (role, approval_id);


--
-- Name: approvals approvals_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.approvals
    ADD CONSTRAINT approvals_pkey PRIMARY KEY (id);


--
-- Name: attention_checks attention_checks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.attention_checks
    ADD CONSTRAINT attention_checks_pkey PRIMARY KEY (id);


--
-- Name: audit_reviews audit_reviews_period; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_reviews
    ADD CONSTRAINT audit_reviews_period UNIQUE (frequency, period_start);


--
-- Name: audit_reviews audit_reviews_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_reviews
    ADD CONSTRAINT audit_reviews_pkey PRIMARY KEY (id);


--
-- Name: channel_identities channel_identities_pk; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.channel_identities
    ADD CONSTRAINT channel_identities_pk PRIMARY KEY (channel, external_id);


--
-- Name: channel_link_codes channel_link_codes_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.channel_link_codes
    ADD CONSTRAINT channel_link_codes_pkey PRIMARY KEY (code_hash);


--
-- Name: channel_messages channel_messages_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.channel_messages
    ADD CONSTRAINT channel_messages_pkey PRIMARY KEY (id);


--
-- Name: channel_nonces channel_nonces_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.channel_nonces
    ADD CONSTRAINT channel_nonces_pkey PRIMARY KEY (id);


--
-- Name: checkpoints checkpoints_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.checkpoints
    ADD CONSTRAINT checkpoints_pkey PRIMARY KEY (size);


--
-- Name: consents consents_pk; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.consents
    ADD CONSTRAINT consents_pk PRIMARY KEY (grantor, grantee, kind);


--
-- Name: decisions decisions_one_seat; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.decisions
    ADD CONSTRAINT decisions_one_seat PRIMARY KEY (approval_id, principal_id);


--
-- Name: delegations delegations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.delegations
    ADD CONSTRAINT delegations_pkey PRIMARY KEY (id);


--
-- Name: feedback feedback_pk; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.feedback
    ADD CONSTRAINT feedback_pk PRIMARY KEY (task_id, principal_id);


--
-- Name: idempotency_keys idempotency_keys_pk; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotency_keys
    ADD CONSTRAINT idempotency_keys_pk PRIMARY KEY (principal_id, key);


--
-- Name: kysely_migration_lock kysely_migration_lock_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.kysely_migration_lock
    ADD CONSTRAINT kysely_migration_lock_pkey PRIMARY KEY (id);


--
-- Name: kysely_migration kysely_migration_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.kysely_migration
    ADD CONSTRAINT kysely_migration_pkey PRIMARY KEY (name);


--
-- Name: ledger_entries ledger_entries_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ledger_entries
    ADD CONSTRAINT ledger_entries_pkey PRIMARY KEY (seq);


--
-- Name: ledger_head ledger_head_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ledger_head
    ADD CONSTRAINT ledger_head_pkey PRIMARY KEY (id);


--
-- Name: ledger_nodes ledger_nodes_pk; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.ledger_nodes
    ADD CONSTRAINT ledger_nodes_pk PRIMARY KEY (level, idx);


--
-- Name: meta meta_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.meta
    ADD CONSTRAINT meta_pkey PRIMARY KEY (key);


--
-- Name: notification_prefs notification_prefs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.notification_prefs
    ADD CONSTRAINT notification_prefs_pkey PRIMARY KEY (principal_id);


--
-- Name: oidc_logins oidc_logins_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oidc_logins
    ADD CONSTRAINT oidc_logins_pkey PRIMARY KEY (id);


--
-- Name: passkey_challenges passkey_challenges_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.passkey_challenges
    ADD CONSTRAINT passkey_challenges_pkey PRIMARY KEY (nonce);


--
-- Name: passkeys passkeys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.passkeys
    ADD CONSTRAINT passkeys_pkey PRIMARY KEY (credential_id);


--
-- Name: principals principals_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.principals
    ADD CONSTRAINT principals_pkey PRIMARY KEY (id);


--
-- Name: principals principals_token_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.principals
    ADD CONSTRAINT principals_token_hash_key UNIQUE (token_hash);


--
-- Name: role_channels role_channels_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.role_channels
    ADD CONSTRAINT role_channels_pkey PRIMARY KEY (role);


--
-- Name: sessions sessions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_pkey PRIMARY KEY (id);


--
-- Name: sessions sessions_token_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_token_hash_key UNIQUE (token_hash);


--
-- Name: task_head_nodes task_head_nodes_pk; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_head_nodes
    ADD CONSTRAINT task_head_nodes_pk PRIMARY KEY (level, idx);


--
-- Name: task_heads task_heads_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_heads
    ADD CONSTRAINT task_heads_pkey PRIMARY KEY (task_id);


--
-- Name: task_heads task_heads_pos_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_heads
    ADD CONSTRAINT task_heads_pos_key UNIQUE (pos);


--
-- Name: task_versions task_versions_pk; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_versions
    ADD CONSTRAINT task_versions_pk PRIMARY KEY (task_id, version);


--
-- Name: tasks tasks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tasks
    ADD CONSTRAINT tasks_pkey PRIMARY KEY (id);


--
-- Name: deliveries webhook_deliveries_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.deliveries
    ADD CONSTRAINT webhook_deliveries_pkey PRIMARY KEY (id);


--
-- Name: webhooks webhooks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhooks
    ADD CONSTRAINT webhooks_pkey PRIMARY KEY (id);


--
-- Name: approval_comments_gate; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX approval_comments_gate ON public.approval_comments USING btree (approval_id, created_at);


--
-- Name: approval_prompts_principal; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX approval_prompts_principal ON public.approval_prompts USING btree (principal_id, prompted_at);


--
-- Name: approval_roles_by_approval; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX approval_roles_by_approval ON public.approval_roles USING btree (approval_id, role);


--
-- Name: approval_roles_inbox; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX approval_roles_inbox ON public.approval_roles USING btree (role, status, requested_at, approval_id);


--
-- Name: approvals_assignee; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX approvals_assignee ON public.approvals USING btree (assignee, status);


--
-- Name: approvals_due; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX approvals_due ON public.approvals USING btree (status, expires_at);


--
-- Name: approvals_remind; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX approvals_remind ON public.approvals USING btree (status, remind_at);


--
-- Name: approvals_task; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX approvals_task ON public.approvals USING btree (task_id);


--
-- Name: attention_checks_approval; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX attention_checks_approval ON public.attention_checks USING btree (approval_id);


--
-- Name: attention_checks_decider; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX attention_checks_decider ON public.attention_checks USING btree (decided_by);


--
-- Name: audit_reviews_status; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_reviews_status ON public.audit_reviews USING btree (status, period_start);


--
-- Name: channel_identities_principal; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX channel_identities_principal ON public.channel_identities USING btree (principal_id, channel);


--
-- Name: channel_messages_target; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX channel_messages_target ON public.channel_messages USING btree (approval_id, channel, target);


--
-- Name: confidence_reports_task; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX confidence_reports_task ON public.confidence_reports USING btree (task_id);


--
-- Name: consents_grantee; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX consents_grantee ON public.consents USING btree (grantee, kind);


--
-- Name: decisions_task; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX decisions_task ON public.decisions USING btree (task_id);


--
-- Name: delegations_delegate; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX delegations_delegate ON public.delegations USING btree (delegate, ends_at);


--
-- Name: delegations_delegator; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX delegations_delegator ON public.delegations USING btree (delegator, ends_at);


--
-- Name: deliveries_by_sink; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX deliveries_by_sink ON public.deliveries USING btree (sink, seq);


--
-- Name: deliveries_due; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX deliveries_due ON public.deliveries USING btree (status, next_attempt_at);


--
-- Name: feedback_agent; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX feedback_agent ON public.feedback USING btree (agent_id, created_at);


--
-- Name: ledger_entries_task; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ledger_entries_task ON public.ledger_entries USING btree (task_id, seq);


--
-- Name: passkey_challenges_expiry; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX passkey_challenges_expiry ON public.passkey_challenges USING btree (expires_at);


--
-- Name: passkeys_principal; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX passkeys_principal ON public.passkeys USING btree (principal_id, created_at);


--
-- Name: principals_email; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX principals_email ON public.principals USING btree (email);


--
-- Name: principals_oidc; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX principals_oidc ON public.principals USING btree (oidc_issuer, oidc_subject);


--
-- Name: sessions_principal; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX sessions_principal ON public.sessions USING btree (principal_id, created_at);


--
-- Name: tasks_audit_pending; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tasks_audit_pending ON public.tasks USING btree (audit_frequency, audit_review_id, created_at);


--
-- Name: tasks_audit_review; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tasks_audit_review ON public.tasks USING btree (audit_review_id, created_at);


--
-- Name: tasks_claimable; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tasks_claimable ON public.tasks USING btree (status, cap_key, created_seq);


--
-- Name: tasks_lease; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tasks_lease ON public.tasks USING btree (status, lease_expires_at);


--
-- Name: tasks_on_behalf_of; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tasks_on_behalf_of ON public.tasks USING btree (on_behalf_of, created_seq);


--
-- Name: tasks_requester; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tasks_requester ON public.tasks USING btree (requester, created_seq);


--
-- Name: tasks_seq; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX tasks_seq ON public.tasks USING btree (created_seq);


--
-- Name: tasks_status; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX tasks_status ON public.tasks USING btree (status, created_seq);


--
-- PostgreSQL database dump complete
--

\unrestrict bKODlTGM61WPfsgKrw29fwKokOihC1gQ7ElUfdLOdywohSr4lIMXgLNbC16xWmh

