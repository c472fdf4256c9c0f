--
-- PostgreSQL database dump
--

\restrict jagles1WBN0fkQKtz1H7uhZkfGDnbY61qV1XqgyKgethQglvg8qkGaM8yF2FAnw

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
comment:e4d23fe2a74f315f4704c8bc	approval:human:60df113d2647bc1c1d6b8ddc	task:human:51f565e84b6c1255d78e18a5	did:human:approver	Checking the retention rules first.	[]	sha256:80840b35c8af37441fa45a80b626bd3a46f0f9652b7cd0afc17e3c1e0d1fc090	43	1796580490121
\.


--
-- Data for Name: approval_opens; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.approval_opens (approval_id, principal_id, channel, opened_at) FROM stdin;
approval:human:2126027c997e78d7ab2010af	did:human:approver	api	1796580485605
approval:human:31eefc7e6c5ebe200e4d7de7	did:human:approver	api	1796580486179
approval:human:363a422d97f9f267bf1bc5a6	did:human:approver	api	1796580486290
approval:human:f1da067557cd712e3f551b10	did:human:approver	api	1796580486436
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
approval:human:2126027c997e78d7ab2010af	approver	approved	1796580485469
approval:human:31eefc7e6c5ebe200e4d7de7	approver	rejected	1796580486061
approval:human:b5643b3b69963e4780b34236	finance	cancelled	1796580486061
approval:human:363a422d97f9f267bf1bc5a6	approver	approved	1796580486255
approval:human:f1da067557cd712e3f551b10	approver	cancelled	1796580486380
approval:human:31a272eff223650623ba66ec	approver	cancelled	1796580486499
approval:human:d8825b39a77b21e4ef8a4d0e	approver	escalated	1796580486843
approval:human:fcbee8e9fff456b7aa08c515	approver	expired	1796580486806
approval:human:7eb9dd6b57361c3794b990f0	ops_lead	escalated	1796580487921
approval:human:dd03ca32cb305ade79f93ba2	admin	expired	1796580488955
approval:human:60df113d2647bc1c1d6b8ddc	approver	pending	1796580490091
\.


--
-- Data for Name: approvals; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.approvals (id, task_id, kind, step, approver_role, required, status, requested_at, expires_at, escalation_policy, escalate_to, decided_at, reason, timeout_ms, remind_at, reminded, proposal, group_id, claimed_by, claimed_until, assignee, assigned_by, assigned_at, attention_check, bulk_approvable, min_review_seconds) FROM stdin;
approval:human:2126027c997e78d7ab2010af	task:human:7f426039a53500c5935cbd04	execution	0	approver	1	approved	1796580485469	\N	\N	\N	1796580485651	\N	\N	\N	0	\N	\N	\N	\N	\N	\N	\N	\N	0	\N
approval:human:31eefc7e6c5ebe200e4d7de7	task:human:38b9716c9a19a7de4f152cbd	execution	0	approver	1	rejected	1796580486061	\N	\N	\N	1796580486199	\N	\N	\N	0	\N	\N	\N	\N	\N	\N	\N	\N	0	\N
approval:human:b5643b3b69963e4780b34236	task:human:38b9716c9a19a7de4f152cbd	execution	1	finance	1	cancelled	1796580486061	\N	\N	\N	1796580486199	policy rule wires: wires go to finance	\N	\N	0	\N	\N	\N	\N	\N	\N	\N	\N	0	\N
approval:human:363a422d97f9f267bf1bc5a6	task:human:87782d923101fedb0e7ed0fb	execution	0	approver	1	approved	1796580486255	\N	\N	\N	1796580486334	\N	\N	\N	0	\N	\N	\N	\N	\N	\N	\N	\N	0	\N
approval:human:f1da067557cd712e3f551b10	task:human:b78d97a84eae8dfce79b68e1	execution	0	approver	1	cancelled	1796580486380	\N	\N	\N	1796580486454	\N	\N	\N	0	\N	\N	\N	\N	\N	\N	\N	\N	0	\N
approval:human:31a272eff223650623ba66ec	task:human:642843910fab09d8fc7a7491	execution	0	approver	1	cancelled	1796580486499	\N	\N	\N	1796580486518	\N	\N	\N	0	\N	\N	\N	\N	\N	\N	\N	\N	0	\N
approval:human:d8825b39a77b21e4ef8a4d0e	task:human:99c7b4497ff3e3c70d575d42	execution	0	approver	1	escalated	1796580486843	1796580487843	auto	ops_lead	1796580487921	\N	1000	1796580487643	1	\N	\N	\N	\N	\N	\N	\N	\N	0	\N
approval:human:fcbee8e9fff456b7aa08c515	task:human:4031871eee261132e36dadc9	execution	0	approver	1	expired	1796580486806	1796580487806	reject	\N	1796580487921	\N	1000	1796580487606	1	\N	\N	\N	\N	\N	\N	\N	\N	0	\N
approval:human:7eb9dd6b57361c3794b990f0	task:human:99c7b4497ff3e3c70d575d42	execution	0	ops_lead	1	escalated	1796580487921	1796580488921	auto	\N	1796580488955	escalated from approver after no decision by 2026-12-06T18:08:07.843Z	1000	1796580488721	1	\N	\N	\N	\N	\N	\N	\N	\N	0	\N
approval:human:dd03ca32cb305ade79f93ba2	task:human:99c7b4497ff3e3c70d575d42	execution	0	admin	1	expired	1796580488955	1796580489955	auto	\N	1796580490026	escalated from ops_lead after no decision by 2026-12-06T18:08:08.921Z	1000	1796580489755	1	\N	\N	\N	\N	\N	\N	\N	\N	0	\N
approval:human:60df113d2647bc1c1d6b8ddc	task:human:51f565e84b6c1255d78e18a5	execution	0	approver	1	pending	1796580490091	\N	\N	\N	\N	\N	\N	\N	0	\N	\N	\N	\N	\N	\N	\N	\N	0	\N
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
1	k8vK6ubwU53P+aaa2wBklzcYW0fgz+pzwn6IDH+BT7o=	humanos.ledger/61b2fd3d\n1\nk8vK6ubwU53P+aaa2wBklzcYW0fgz+pzwn6IDH+BT7o=\nhumanos-task-heads 0 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n— humanos.ledger/61b2fd3d VehOg7hXnTRtEa5gm83H5FTI5MlP9o4/u5rrNw4lEcIxeIuZGzJYkxtsV7qjTijQ9nticJPLaVJN+j6h0ATDYRRb4wg=\n	1796580485165
2	7RePfBoU+A46xjrJ/GZ19kodklMDylch9hwvUkShvys=	humanos.ledger/61b2fd3d\n2\n7RePfBoU+A46xjrJ/GZ19kodklMDylch9hwvUkShvys=\nhumanos-task-heads 0 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n— humanos.ledger/61b2fd3d VehOg9iLzi25A/eXOWm0TuG0ABzK+mzxG2oeO2/2PFwweanL8XuPnTVQW8tpLNjnjuMFezTcs+ct+oAOI3LeHoAKqA4=\n	1796580485233
3	O75IJN+RrSUo/iC6MuUH3bKx2ANWThkqi6Hwzq7RpEE=	humanos.ledger/61b2fd3d\n3\nO75IJN+RrSUo/iC6MuUH3bKx2ANWThkqi6Hwzq7RpEE=\nhumanos-task-heads 0 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n— humanos.ledger/61b2fd3d VehOgyG1HOg7prqxg2sdA8TjEdqE9KbiqOMRMcLZvX6/lXIW720vSQU9H4XT8R3kb9OcM3ERJNCnoxzQyPDnKFu2bgg=\n	1796580485270
4	XCEhR3kYHTT5sEQs6zrnlEC+qPUg2a6l7lf81eXaAxE=	humanos.ledger/61b2fd3d\n4\nXCEhR3kYHTT5sEQs6zrnlEC+qPUg2a6l7lf81eXaAxE=\nhumanos-task-heads 0 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n— humanos.ledger/61b2fd3d VehOgyEtTtofxwgRM5ewaUj2TaPwaXD8Yj3ZU1i/fLokTwwhUEHkdOOHWERURb975U/+VPquhx4yYaH5ITo84xOb8As=\n	1796580485297
5	yMuAYWlI3SGGf0abOIMz79qxifHlEOaxR7K9XMKp8Lg=	humanos.ledger/61b2fd3d\n5\nyMuAYWlI3SGGf0abOIMz79qxifHlEOaxR7K9XMKp8Lg=\nhumanos-task-heads 0 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n— humanos.ledger/61b2fd3d VehOg4MB88YXIq4Q/84Ak/IrkWXsLQa6DQ4rAZbzR3WR0O+Z/EBgE//mmIm/rTcWUIEKM9014MCbTRpbRqC49s4cfwE=\n	1796580485328
7	jelDc2UMcDdCY2MnUhNaZ7XXZzHmEsDqhKS9AWmQRpI=	humanos.ledger/61b2fd3d\n7\njelDc2UMcDdCY2MnUhNaZ7XXZzHmEsDqhKS9AWmQRpI=\nhumanos-task-heads 1 dqMfqoUOdbMUDRdqkWYM2dMl2GTiclz1os5z+cz6kjI=\n\n— humanos.ledger/61b2fd3d VehOg+idvfYDjOzxyiZd9Unc6DSTI+7V/Y/N5CRYcYppsJbobHwvKs87aL7cWsuIvBoNjvTNmuBulkKI2Ttf4CF0dAs=\n	1796580485539
8	oU4S/hJ3TXdoN+oMrUVFzOb9oyklxsFtGxAA4ADc8YY=	humanos.ledger/61b2fd3d\n8\noU4S/hJ3TXdoN+oMrUVFzOb9oyklxsFtGxAA4ADc8YY=\nhumanos-task-heads 1 KDbUAMEoeb/MtIVSpdpmda/m5utkzBBhY3XPlVz91FE=\n\n— humanos.ledger/61b2fd3d VehOg2rgpupCCLQKL5zU/LmuvluG2+yqO/AesYUmt/eD+nY9AHy3fORldOlNSFqtJiMZdtOjQ7qthiLjGxjxYyIa2g8=\n	1796580485722
9	vEZ7sER3f7NFvZl0m2DxL4euTwNRk6IVkCqHwihUBLk=	humanos.ledger/61b2fd3d\n9\nvEZ7sER3f7NFvZl0m2DxL4euTwNRk6IVkCqHwihUBLk=\nhumanos-task-heads 1 ni7xfpan/cNNR78VZdbS5NLYXq1yZNcA53LO2txCm+E=\n\n— humanos.ledger/61b2fd3d VehOg/T7WSfYp9VyILMWudotMhkguJ89YD1nrFHp6QjJ1UQRcRhxTfU+HdCv8upuLE9nW9I1phgjGKwmK2/HxldRaQY=\n	1796580485814
10	4MPlEB6qkWk+/kQ8lERIkuMXuxJmecw/14zCle5RQWM=	humanos.ledger/61b2fd3d\n10\n4MPlEB6qkWk+/kQ8lERIkuMXuxJmecw/14zCle5RQWM=\nhumanos-task-heads 1 TLLhlwj4R/imRx4x5nhAY4TcSqk+U6xL2HMhm07kf0I=\n\n— humanos.ledger/61b2fd3d VehOg5Ui3S14vnXhu9To8YF0X7OQ+5OscuM2rhRDOEReoRNodpl9MLQzh/ANGBeqBr6JeN4TS5xhe8cfRxY0izcgCgs=\n	1796580485873
11	1vSKv3wVfhlMtwYiI1HWzG6SSGlvXfmfk4KRSImMgA4=	humanos.ledger/61b2fd3d\n11\n1vSKv3wVfhlMtwYiI1HWzG6SSGlvXfmfk4KRSImMgA4=\nhumanos-task-heads 1 Lmg9qZS/VHe9lazTzvuhPMVw43mGOFEzfjROD/6OiSQ=\n\n— humanos.ledger/61b2fd3d VehOg8I4bRna09oq584YvRPFJAYOJBRIGnXzITVnm6IyBCZOjS7fPThE8Kxh6QL0JZ3mlE+TOXngnHznikiRIEcEEQA=\n	1796580485989
14	8SFhHJBO26L3MY8ChjNni/WIZAcOysOa2bUAMES8nfs=	humanos.ledger/61b2fd3d\n14\n8SFhHJBO26L3MY8ChjNni/WIZAcOysOa2bUAMES8nfs=\nhumanos-task-heads 2 4QtM03z4i6iLk6B0hsKVwNX4mg3Pub7IOyIzXcV1UHM=\n\n— humanos.ledger/61b2fd3d VehOg0HjHUrCijTsaAZ9Sfg/Y5vlquAXEiLC9MqUh1o6jDd1202KSxgYzMOTcJzNX4I6VKk+Mv66wAxCpj03hhzI5ws=\n	1796580486118
16	6VW0Ltd6FoHq/4uPsfFaoz9Rd5H+DU7ltRJbWUgooYs=	humanos.ledger/61b2fd3d\n16\n6VW0Ltd6FoHq/4uPsfFaoz9Rd5H+DU7ltRJbWUgooYs=\nhumanos-task-heads 2 KUTM4GfXgYUGOsDy0vGhSsgWrR/YheVFjvVaorEXcqs=\n\n— humanos.ledger/61b2fd3d VehOg58GalBgl02RVInKVZ5QRd5B3AZT5fUAWGwjUTAZ8qoLDLiYk8vC9dWMgt/BQncOVcSv+y9wnar+4ULGvCljyAE=\n	1796580486241
18	KZZ2lsGnRr7qInoSckNkzsndKLZru+GR/G6MMXZ8W1M=	humanos.ledger/61b2fd3d\n18\nKZZ2lsGnRr7qInoSckNkzsndKLZru+GR/G6MMXZ8W1M=\nhumanos-task-heads 3 /Igs8zh28nJTYgkhHWp35yV7d2szXBSZ3KTBAr7KyPI=\n\n— humanos.ledger/61b2fd3d VehOg4jlPK66vwsPllJMAfT3r6ySmWqFj7O53qbwcC19AfmmZpJrvH6USQiTf2fH5TuDETl8OYxKW/MhVpZzIoTnywM=\n	1796580486267
19	wdMLmeV2pdxg8zRMEa2kzYoNZ62B96p1otRom8JH+Fg=	humanos.ledger/61b2fd3d\n19\nwdMLmeV2pdxg8zRMEa2kzYoNZ62B96p1otRom8JH+Fg=\nhumanos-task-heads 3 dEIB0dbPFjzSHuNwGf7LWQUx7sfqHbk4MdrjEbIrDSc=\n\n— humanos.ledger/61b2fd3d VehOgx79zjG6kJm8BzG8u8QZve53CXo6ZTZC+swHtNpu3uPYwsM6QtwGJoHJuffAbJ0ajOhFgA0QBE2tLaAZ5S0tWAY=\n	1796580486356
21	UFHooJioRi2ltBZQMWlFI5YaIjdoPg0rLKGNIu4B88I=	humanos.ledger/61b2fd3d\n21\nUFHooJioRi2ltBZQMWlFI5YaIjdoPg0rLKGNIu4B88I=\nhumanos-task-heads 4 S+y7jlvKySmbIdQBjKEIxbbJockgoyVRcctL3VuyUPg=\n\n— humanos.ledger/61b2fd3d VehOg6ngt+4a2lnQmaFNJQC6Up2YwhEspM0HrG0oL+GmNP+dUZUmsdUWwP8e4x5ZnasAxgA2hrM7Fsgfeyp8NixtRQI=\n	1796580486402
23	bip/ggv2Ql/6T+3UL3s5UZLyBTuPg56/NQveUDyWM5o=	humanos.ledger/61b2fd3d\n23\nbip/ggv2Ql/6T+3UL3s5UZLyBTuPg56/NQveUDyWM5o=\nhumanos-task-heads 4 VjANdzcwz/v9VhdAD8o4DZMlmJe8lnhgCtZlQLU5rRg=\n\n— humanos.ledger/61b2fd3d VehOg2KIQYvbFXbNtcaYxs3dxWWCzO9iIqqws1wnrChhzG7GhgyEKHRogIOI/mT/EMOQk6fqVWG/JjJd2AF6NDrMuQE=\n	1796580486474
25	QHV4uwFK1Ku1ZBZeBOkhun/vEaBDR2zYgnBomhNTnJg=	humanos.ledger/61b2fd3d\n25\nQHV4uwFK1Ku1ZBZeBOkhun/vEaBDR2zYgnBomhNTnJg=\nhumanos-task-heads 5 1guWt7TWuKqs1eaubjA55nk9ZVs+KmbQmrQ3Wh/g5bY=\n\n— humanos.ledger/61b2fd3d VehOgw45BUp82TP7yGlAcIEX5uxIKGDvZas+DyjJAEjT3/zr9cSe4ZE8CNvtWjOic6+LRD6s+IAjmi60dA1C/DlrMgg=\n	1796580486507
27	NB8FjH2dJO8VdEvvC0rKs59Af97txRHas1TVxoZSMDM=	humanos.ledger/61b2fd3d\n27\nNB8FjH2dJO8VdEvvC0rKs59Af97txRHas1TVxoZSMDM=\nhumanos-task-heads 5 BTY//z5ST1IbRHcXbzE3pQaDdQTcRuF942Kw4GGqCWo=\n\n— humanos.ledger/61b2fd3d VehOg6nUtg2dTLSG7kvkjpOwyLqixgNkbvg1MxcRVTrZbHcEKktmG9hUHYfaIk9hDbIw2GVfy+ZURr/IFJxaAdT2GAo=\n	1796580486536
29	4TAtpXMvxCDNukAT/1a2Rlfwh1K/nJJp5zRy8sUcR9I=	humanos.ledger/61b2fd3d\n29\n4TAtpXMvxCDNukAT/1a2Rlfwh1K/nJJp5zRy8sUcR9I=\nhumanos-task-heads 6 rGioXcupvtBfvlwFJtT4UPCf0KGkcwB6GknJsMMGwmM=\n\n— humanos.ledger/61b2fd3d VehOg13uHT7lRwINhrT2UCBdBQmSpSdzZLwZj0wgpL24CgRC7/QO3BCO+VeLgzossPu2/ugWkLUeyTe9xPooTSTK7QM=\n	1796580486814
31	8S8Bh3gixtXuNileEEr/ZLAdbqsgsfneOdScndCiT8U=	humanos.ledger/61b2fd3d\n31\n8S8Bh3gixtXuNileEEr/ZLAdbqsgsfneOdScndCiT8U=\nhumanos-task-heads 7 Tp0EZEi13BOmLQu2ReYaOCMJYNn45JjLpPTbPwpNj/U=\n\n— humanos.ledger/61b2fd3d VehOg78SXIivPXUaVCSwNTiH+KDknZR7/4vIeQVyICSxF+gMf3OvBjkuHsI4RcqG/UVXjarSXyBcDZf09IxJFKvhFQU=\n	1796580486866
33	XUdn1Y98bE+mqcY/ZqEigYiMW1Q6JkZRcCkQ0xyeFVA=	humanos.ledger/61b2fd3d\n33\nXUdn1Y98bE+mqcY/ZqEigYiMW1Q6JkZRcCkQ0xyeFVA=\nhumanos-task-heads 7 t3SIp3dPmuH+ywKwVo/Y1TgLiGAL9GFbOGI9puIOo/s=\n\n— humanos.ledger/61b2fd3d VehOg8aDY0hJRvUBIOOT/a0V1kXCLU1I7EocZUvQ8fwJDKZo4ZHiXbuHexMz8fJAzgeT//t9EYgUpyQ8w+gHy35GswU=\n	1796580487673
36	d/AQ55MIP5jDFPJDzKXOMTFuTHvlHkH4nXKEX2zHrZA=	humanos.ledger/61b2fd3d\n36\nd/AQ55MIP5jDFPJDzKXOMTFuTHvlHkH4nXKEX2zHrZA=\nhumanos-task-heads 7 kOSkdNHCgOEBf+ROFwTDKTFnMIFH16AbRPLU+/F0/Wo=\n\n— humanos.ledger/61b2fd3d VehOg4aCYj90n2H1Z8+axEOex96xYibM/3R+CtmNZaE3KTLdCeLdnUl5/cogjgPq/vxfYI2+Jfp+UTQAly/CLQ9OywE=\n	1796580487936
37	UmDaaxLbqCjBFel3KWXkNwXHfJmcb7sZG/ST3UrjT44=	humanos.ledger/61b2fd3d\n37\nUmDaaxLbqCjBFel3KWXkNwXHfJmcb7sZG/ST3UrjT44=\nhumanos-task-heads 7 M33v3JRtFVRM2ytbk3RcymZTcPC1vfjBwMuUWvf3JwI=\n\n— humanos.ledger/61b2fd3d VehOg3DUtSpvFbOMiCEl0H9UNuKWGQ4WtBwEzpeZDPZpIF+NNW55iyInhF+4JaXVCjs5mzgATHQpnfBbyEClyY11+QU=\n	1796580488731
40	zB+JYmnnttlARdsnh4nAMzLh1eIZdu7HYBK4O+/mZ+Q=	humanos.ledger/61b2fd3d\n40\nzB+JYmnnttlARdsnh4nAMzLh1eIZdu7HYBK4O+/mZ+Q=\nhumanos-task-heads 7 hBb4ruHF79Rf0QyCtB+sltX5HFO5M8rIBov33bOiL/k=\n\n— humanos.ledger/61b2fd3d VehOg5nHGewJ4+lRA64QrQy9AGfrtROnCmE4WIAexGBBNFJyUHAHhsjvmoJOnxZHTh0uze5ciSrqbwuGaBydvIdbsQc=\n	1796580489879
41	qvARqnjDfM28q2glTgqHTppdICJmdUtLbFeBwfNvb2k=	humanos.ledger/61b2fd3d\n41\nqvARqnjDfM28q2glTgqHTppdICJmdUtLbFeBwfNvb2k=\nhumanos-task-heads 7 n/hudgUJ86UhUvjtJ+w97JOJKaIsxujbiWdovk2YK/I=\n\n— humanos.ledger/61b2fd3d VehOg+nh95lChnPStHpE9Iaf8Sl8GXyOnhxN7n/6XfCVKHTqpajqUtZqINTCQiBXanKIR2i2gFohallK77otGF5Pbwg=\n	1796580490029
39	+dbcRKZstb7sBjhCnFXBpxW66Z5nhUewxivcuZNGNLE=	humanos.ledger/61b2fd3d\n39\n+dbcRKZstb7sBjhCnFXBpxW66Z5nhUewxivcuZNGNLE=\nhumanos-task-heads 7 cufLD1UTChYmAkkbTHA+MpG2vxRZfghr6vR8ucLGq9M=\n\n— humanos.ledger/61b2fd3d VehOg12pYIx9/VtDajCiubYHRiRbVhoBzPJ5Rd+dFZeZs+9a/OOKISXLzcQH8VJnwngY4zwaVWt5fO20wi3xr6x1kgg=\n	1796580488977
43	ePcgsuwjJCalrMdkDHRmOwwvSf8LE1vCAT/1vDnp2W4=	humanos.ledger/61b2fd3d\n43\nePcgsuwjJCalrMdkDHRmOwwvSf8LE1vCAT/1vDnp2W4=\nhumanos-task-heads 8 9/c1oFjMtO1B3MBFDBskPP1ztshSTEKxAh4WNa5+eNI=\n\n— humanos.ledger/61b2fd3d VehOgw2FUXFOKQL7eZ2nFeYyvSvUkhQU5XroYx31gC/D2vEfO2vn7fAff7IGebly+bVGqbWI890/oNcLAmcUODrVGwY=\n	1796580490106
44	WNBrE4UqA7GPtZcZLsxpkZ7d9sd5q04W1gINLN6UC0w=	humanos.ledger/61b2fd3d\n44\nWNBrE4UqA7GPtZcZLsxpkZ7d9sd5q04W1gINLN6UC0w=\nhumanos-task-heads 8 T4xM2m1WYl5lshnih1cCdgti//2+1EIvwPiZQtKzZWo=\n\n— humanos.ledger/61b2fd3d VehOgzTaBnkcGFwhr57DbYZiUScpNF4gmL3GY0eLxAqCBwKzYknV6ZD5335XTjWqK4Tjx4j7MfC0+sqDx0DtjaU8OQE=\n	1796580490129
46	Qj+9PrnY07oVyo8eUm6UIimcgIIOwbmqZtDp06M8btQ=	humanos.ledger/61b2fd3d\n46\nQj+9PrnY07oVyo8eUm6UIimcgIIOwbmqZtDp06M8btQ=\nhumanos-task-heads 8 T4xM2m1WYl5lshnih1cCdgti//2+1EIvwPiZQtKzZWo=\n\n— humanos.ledger/61b2fd3d VehOg/2XIFj7tNOxWKjsadk6zuJu7MnTYOkT9QR6JFqSX3HQVNfriY9rZ0yGIqwcTSuO4KovGEtJOF50c8tiO0k9eAc=\n	1796580490166
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
approval:human:2126027c997e78d7ab2010af	task:human:7f426039a53500c5935cbd04	did:human:approver	approved	scheduled rotation	\N	\N	sha256:7c31cd5b2db1f368afd5784b82ce24cdd467527ed3fe83a989747008a0dcfb4e	1796580485651	{"approvalId":"approval:human:2126027c997e78d7ab2010af","decidedAt":"2026-12-06T18:08:05.651Z","decidedBy":"did:human:approver","edits":null,"feedback":null,"origin":"humanos.ledger/61b2fd3d","payloadDigest":"sha256:7c31cd5b2db1f368afd5784b82ce24cdd467527ed3fe83a989747008a0dcfb4e","reason":"scheduled rotation","taskId":"task:human:7f426039a53500c5935cbd04","type":"humanos.decision/v1","verdict":"approved"}	0xe2ee38b6294d8fb4657d0b65a29ed505e2bfbb3b72cdd5e075f9b9857a20760cbb878feb625c71ace0a2eff6368228b9af10d617113e99ccd8cfd26c95702b0f	7	\N	\N
approval:human:31eefc7e6c5ebe200e4d7de7	task:human:38b9716c9a19a7de4f152cbd	did:human:approver	rejected	unknown payee	\N	\N	sha256:5e65a854aa56f3c8bcf7aee0399603b4e3c98d7791ef802f8235b4a2f7391d0a	1796580486199	{"approvalId":"approval:human:31eefc7e6c5ebe200e4d7de7","decidedAt":"2026-12-06T18:08:06.199Z","decidedBy":"did:human:approver","edits":null,"feedback":null,"origin":"humanos.ledger/61b2fd3d","payloadDigest":"sha256:5e65a854aa56f3c8bcf7aee0399603b4e3c98d7791ef802f8235b4a2f7391d0a","reason":"unknown payee","taskId":"task:human:38b9716c9a19a7de4f152cbd","type":"humanos.decision/v1","verdict":"rejected"}	0xf44706864c9ad4a9a11f04989211df00c13ab0051db0eec87cd8f7f52de76ec8575770f21fe8a16be2f8dfb875e9b5d8d91f80ba66270527c973c9164b0ab409	14	\N	\N
approval:human:363a422d97f9f267bf1bc5a6	task:human:87782d923101fedb0e7ed0fb	did:human:approver	approved	fewer	\N	{"replicas":12}	sha256:220fb4c771a7daf2c030add3e81d542d533dcf4bdea4101e96e2db78942260db	1796580486334	{"approvalId":"approval:human:363a422d97f9f267bf1bc5a6","decidedAt":"2026-12-06T18:08:06.334Z","decidedBy":"did:human:approver","edits":{"replicas":12},"feedback":null,"origin":"humanos.ledger/61b2fd3d","payloadDigest":"sha256:220fb4c771a7daf2c030add3e81d542d533dcf4bdea4101e96e2db78942260db","reason":"fewer","taskId":"task:human:87782d923101fedb0e7ed0fb","type":"humanos.decision/v1","verdict":"approved"}	0x6902df2f361671bacd211a13fb48e3fc59c7123c079cf71f3bfe8e12eee8d7a38b599b47b216f040d72cee0521a1b1312b103bff88f31bba92338b889d842100	18	\N	\N
\.


--
-- Data for Name: delegations; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.delegations (id, delegator, delegate, roles, scope, starts_at, ends_at, out_of_office, message, created_at, created_by, created_seq, updated_seq, started_seq, ended_at, ended_by, ended_seq, end_reason) FROM stdin;
delegation:human:c724a8f90557b017e98acb0d	did:human:approver	did:human:deputy	["approver"]	{}	1796580490153	1799086090148	1	Away	1796580490153	did:human:approver	44	\N	45	\N	\N	\N	\N
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
task:human:7f426039a53500c5935cbd04	did:human:approver	did:agent:fixture-bot	[]	good	\N	clean	[]	\N	1796580485927
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
0001_initial	2026-12-06T18:08:02.934Z
0002_policies	2026-12-06T18:08:02.968Z
0003_inbox_index	2026-12-06T18:08:02.984Z
0004_in_run_decisions	2026-12-06T18:08:02.986Z
0005_execution	2026-12-06T18:08:03.013Z
0006_routing	2026-12-06T18:08:03.019Z
0007_webhooks	2026-12-06T18:08:03.086Z
0008_principal_lifecycle	2026-12-06T18:08:03.092Z
0009_token_expiry	2026-12-06T18:08:03.096Z
0010_proposed_payload	2026-12-06T18:08:03.100Z
0011_integrity	2026-12-06T18:08:03.142Z
0012_webhooks_standard	2026-12-06T18:08:03.150Z
0014_channels	2026-12-06T18:08:03.206Z
0015_confidence_reports	2026-12-06T18:08:03.231Z
0016_audit_reviews	2026-12-06T18:08:03.281Z
0017_task_heads	2026-12-06T18:08:03.344Z
0018_consents	2026-12-06T18:08:03.367Z
0019_deliveries	2026-12-06T18:08:03.378Z
0020_sessions	2026-12-06T18:08:03.417Z
0021_passkeys	2026-12-06T18:08:03.459Z
0022_warnings	2026-12-06T18:08:03.465Z
0023_delegations	2026-12-06T18:08:03.493Z
0024_task_versions	2026-12-06T18:08:03.508Z
0025_team	2026-12-06T18:08:03.556Z
0026_gates	2026-12-06T18:08:03.600Z
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
0	{"actor":"did:human:admin","at":"2026-12-06T18:08:05.153Z","data":{"id":"did:human:admin","kind":"human","roles":["admin"]},"seq":0,"taskId":null,"type":"principal.created","v":1}	93cbcaeae6f0539dcff9a69adb00649737185b47e0cfea73c27e880c7f814fba	\N
1	{"actor":"did:human:admin","at":"2026-12-06T18:08:05.225Z","data":{"id":"did:agent:fixture-bot","kind":"agent","roles":[]},"seq":1,"taskId":null,"type":"principal.created","v":1}	a6411af231dd687c86d2cd82bf8490a031046be8d77751da6efcdf54d22622a2	\N
2	{"actor":"did:human:admin","at":"2026-12-06T18:08:05.251Z","data":{"id":"did:human:approver","kind":"human","roles":["approver","finance"]},"seq":2,"taskId":null,"type":"principal.created","v":1}	a057333a4cb977da216350f54dfb36ae811733599290a92381ec1a7b14a24d53	\N
3	{"actor":"did:human:admin","at":"2026-12-06T18:08:05.291Z","data":{"id":"did:human:deputy","kind":"human","roles":[]},"seq":3,"taskId":null,"type":"principal.created","v":1}	d6f0b1c9c4ddc3ba3398cf4ab894fd3414d7565622353314decb4a5f6b9ca541	\N
4	{"actor":"did:human:admin","at":"2026-12-06T18:08:05.322Z","data":{"id":"did:human:lead","kind":"human","roles":["ops_lead"]},"seq":4,"taskId":null,"type":"principal.created","v":1}	995820fcc4e0e6f6fad0d00108996362182bddc8e03a473dd5c5318c6fd865f2	\N
5	{"actor":"did:agent:fixture-bot","at":"2026-12-06T18:08:05.469Z","data":{"aiProposal":{"action":"Rotate the TLS certificate of api.example.com","alternatives":[],"confidence":null,"reasoning":null},"description":"Rotate the TLS certificate of api.example.com","humanInLoop":{"approverRole":"approver"},"onBehalfOf":null,"payload":{"host":"api.example.com"},"payloadDigest":"sha256:7c31cd5b2db1f368afd5784b82ce24cdd467527ed3fe83a989747008a0dcfb4e","policy":{"approvalRequired":"before_execution","approverRole":"approver","flags":[],"floorApplied":false,"gateRequired":true,"id":"upgrade-fixture","reason":"client requested before_execution approval","requirements":[{"origin":"client","required":1,"roles":["approver"],"rule":null,"step":1}],"rulesApplied":[],"source":"file","version":1},"requiredCapabilities":[],"risk":{"factors":[],"level":"low","mitigations":[]},"status":"awaiting_approval","warnings":[]},"seq":5,"taskId":"task:human:7f426039a53500c5935cbd04","type":"task.created","v":1}	012c671133ff07bbf9c3b5363ad8d196bf310a6eca3b89dd12a7bfed30381120	task:human:7f426039a53500c5935cbd04
6	{"actor":"did:agent:fixture-bot","approvalId":"approval:human:2126027c997e78d7ab2010af","at":"2026-12-06T18:08:05.469Z","data":{"approverRole":"approver","escalateTo":null,"escalationPolicy":null,"expiresAt":null,"kind":"execution","reason":null,"required":1,"status":"pending","step":0,"warnings":[]},"seq":6,"taskId":"task:human:7f426039a53500c5935cbd04","type":"approval.requested","v":1}	5818c18ef47dd4c0a2f3c654f0de06b2f469e15c9d56f9e0ac1b8664d8677e92	task:human:7f426039a53500c5935cbd04
7	{"actor":"did:human:approver","approvalId":"approval:human:2126027c997e78d7ab2010af","at":"2026-12-06T18:08:05.651Z","data":{"auth":"token","channel":"api","gateStatus":"approved","record":{"approvalId":"approval:human:2126027c997e78d7ab2010af","decidedAt":"2026-12-06T18:08:05.651Z","decidedBy":"did:human:approver","edits":null,"feedback":null,"origin":"humanos.ledger/61b2fd3d","payloadDigest":"sha256:7c31cd5b2db1f368afd5784b82ce24cdd467527ed3fe83a989747008a0dcfb4e","reason":"scheduled rotation","taskId":"task:human:7f426039a53500c5935cbd04","type":"humanos.decision/v1","verdict":"approved"},"signature":"0xe2ee38b6294d8fb4657d0b65a29ed505e2bfbb3b72cdd5e075f9b9857a20760cbb878feb625c71ace0a2eff6368228b9af10d617113e99ccd8cfd26c95702b0f","taskStatus":"approved"},"seq":7,"taskId":"task:human:7f426039a53500c5935cbd04","type":"approval.decided","v":1}	39e8860d9dc535dd1585bf48921dee4e8ce22e425cc3fc331dfce36d98e93cb9	task:human:7f426039a53500c5935cbd04
8	{"actor":"did:agent:fixture-bot","at":"2026-12-06T18:08:05.758Z","data":{"attempt":1,"executionId":"exec:7f426039a53500c5935cbd04","payloadDigest":"sha256:7c31cd5b2db1f368afd5784b82ce24cdd467527ed3fe83a989747008a0dcfb4e"},"seq":8,"taskId":"task:human:7f426039a53500c5935cbd04","type":"task.execution_started","v":1}	2198444c147707184fe49eb4ebec4140a8d2dfc0dd2682c56ed85e82f8caaf80	task:human:7f426039a53500c5935cbd04
9	{"actor":"did:agent:fixture-bot","at":"2026-12-06T18:08:05.848Z","data":{"executionId":"exec:7f426039a53500c5935cbd04","result":{"rotated":true}},"seq":9,"taskId":"task:human:7f426039a53500c5935cbd04","type":"task.completed","v":1}	79d5cd82f98f030fca290874c3a7613a771f2a1262118a1a25539d11313d7a8e	task:human:7f426039a53500c5935cbd04
10	{"actor":"did:human:approver","at":"2026-12-06T18:08:05.927Z","data":{"comments":"clean","confidence":null,"quality":"good"},"seq":10,"taskId":"task:human:7f426039a53500c5935cbd04","type":"task.feedback","v":1}	20bccb9c958219eb494ba9757163c9e8163e63c9e1f62c14c4c4575a588c7580	task:human:7f426039a53500c5935cbd04
11	{"actor":"did:agent:fixture-bot","at":"2026-12-06T18:08:06.061Z","data":{"aiProposal":{"action":"Wire 9000 EUR to a new payee","alternatives":[],"confidence":null,"reasoning":null},"description":"Wire 9000 EUR to a new payee","humanInLoop":{"approverRole":"approver"},"onBehalfOf":null,"payload":{"amount":9000,"iban":"DE89370400440532013000"},"payloadDigest":"sha256:5e65a854aa56f3c8bcf7aee0399603b4e3c98d7791ef802f8235b4a2f7391d0a","policy":{"approvalRequired":"before_execution","approverRole":"approver","flags":[],"floorApplied":true,"gateRequired":true,"id":"upgrade-fixture","reason":"policy rule wires (wires go to finance) requires approval by finance; client requested before_execution approval","requirements":[{"origin":"client","required":1,"roles":["approver"],"rule":null,"step":1},{"origin":"policy","required":1,"roles":["finance"],"rule":"wires","step":2}],"rulesApplied":["wires"],"source":"file","version":1},"requiredCapabilities":[],"risk":{"factors":["irreversible_action","financial_transaction","text_payload_mismatch"],"level":"high","mitigations":[]},"status":"awaiting_approval","warnings":[{"actual":null,"claimed":"EUR","code":"text_payload_mismatch","message":"The description says EUR, but the payload names no currency.","source":"description"},{"code":"gate_undecidable","message":"Nobody can finish the approval path (step 1: approver → step 2: finance): its 2 seats need 2 different people and one person fills at most one seat, but only 1 can be filled by the 1 eligible human (did:human:approver); a task that gets it can only expire or be cancelled.","source":"policy"}]},"seq":11,"taskId":"task:human:38b9716c9a19a7de4f152cbd","type":"task.created","v":1}	fe91f09fb26099e6d8bfd63d1ee627ceb56582b0688bd68ec3637a915e779679	task:human:38b9716c9a19a7de4f152cbd
12	{"actor":"did:agent:fixture-bot","approvalId":"approval:human:31eefc7e6c5ebe200e4d7de7","at":"2026-12-06T18:08:06.061Z","data":{"approverRole":"approver","escalateTo":null,"escalationPolicy":null,"expiresAt":null,"kind":"execution","reason":null,"required":1,"status":"pending","step":0,"warnings":[{"actual":null,"claimed":"EUR","code":"text_payload_mismatch","message":"The description says EUR, but the payload names no currency.","source":"description"}]},"seq":12,"taskId":"task:human:38b9716c9a19a7de4f152cbd","type":"approval.requested","v":1}	1d697db35741b5ea120c6547760623d08adb5f1c840758ee23fdca21062ba417	task:human:38b9716c9a19a7de4f152cbd
13	{"actor":"did:agent:fixture-bot","approvalId":"approval:human:b5643b3b69963e4780b34236","at":"2026-12-06T18:08:06.061Z","data":{"approverRole":"finance","escalateTo":null,"escalationPolicy":null,"expiresAt":null,"kind":"execution","reason":"policy rule wires: wires go to finance","required":1,"status":"waiting","step":1,"warnings":[{"actual":null,"claimed":"EUR","code":"text_payload_mismatch","message":"The description says EUR, but the payload names no currency.","source":"description"}]},"seq":13,"taskId":"task:human:38b9716c9a19a7de4f152cbd","type":"approval.requested","v":1}	64e64f3e4e3c1de631bdea6dde6793ca60c275d9e807d792120a2729cbfb0845	task:human:38b9716c9a19a7de4f152cbd
18	{"actor":"did:human:approver","approvalId":"approval:human:363a422d97f9f267bf1bc5a6","at":"2026-12-06T18:08:06.334Z","data":{"auth":"token","channel":"api","gateStatus":"approved","record":{"approvalId":"approval:human:363a422d97f9f267bf1bc5a6","decidedAt":"2026-12-06T18:08:06.334Z","decidedBy":"did:human:approver","edits":{"replicas":12},"feedback":null,"origin":"humanos.ledger/61b2fd3d","payloadDigest":"sha256:220fb4c771a7daf2c030add3e81d542d533dcf4bdea4101e96e2db78942260db","reason":"fewer","taskId":"task:human:87782d923101fedb0e7ed0fb","type":"humanos.decision/v1","verdict":"approved"},"signature":"0x6902df2f361671bacd211a13fb48e3fc59c7123c079cf71f3bfe8e12eee8d7a38b599b47b216f040d72cee0521a1b1312b103bff88f31bba92338b889d842100","taskStatus":"approved"},"seq":18,"taskId":"task:human:87782d923101fedb0e7ed0fb","type":"approval.decided","v":1}	bc8b959e11e7ac938ec86d37819e9b4a647d3d1b6b3c4a608ba771fad300e19f	task:human:87782d923101fedb0e7ed0fb
27	{"actor":"did:agent:fixture-bot","at":"2026-12-06T18:08:06.806Z","data":{"aiProposal":{"action":"Purge the old audit bucket","alternatives":[],"confidence":null,"reasoning":null},"description":"Purge the old audit bucket","humanInLoop":{"approvalTimeout":1,"approverRole":"approver","escalationPolicy":"reject"},"onBehalfOf":null,"payload":{"bucket":"audit-2019"},"payloadDigest":"sha256:add45fcfdfc8a266eca2f4d52b79da5f8d69726cc98d371958d8b4c2fd74fa00","policy":{"approvalRequired":"before_execution","approverRole":"approver","flags":[],"floorApplied":false,"gateRequired":true,"id":"upgrade-fixture","reason":"client requested before_execution approval","requirements":[{"origin":"client","required":1,"roles":["approver"],"rule":null,"step":1}],"rulesApplied":[],"source":"file","version":1},"requiredCapabilities":[],"risk":{"factors":["irreversible_action"],"level":"medium","mitigations":[]},"status":"awaiting_approval","warnings":[]},"seq":27,"taskId":"task:human:4031871eee261132e36dadc9","type":"task.created","v":1}	7a51fd0db49e9b4bd3d84df99a8ccf9545a945d46fdb08182a3ee12157fe5b40	task:human:4031871eee261132e36dadc9
28	{"actor":"did:agent:fixture-bot","approvalId":"approval:human:fcbee8e9fff456b7aa08c515","at":"2026-12-06T18:08:06.806Z","data":{"approverRole":"approver","escalateTo":null,"escalationPolicy":"reject","expiresAt":"2026-12-06T18:08:07.806Z","kind":"execution","reason":null,"required":1,"status":"pending","step":0,"warnings":[]},"seq":28,"taskId":"task:human:4031871eee261132e36dadc9","type":"approval.requested","v":1}	4a76891daaaaedbdd332525ec93cf5e421bdd728cb4fe73e9fd77aa5051e60e3	task:human:4031871eee261132e36dadc9
29	{"actor":"did:agent:fixture-bot","at":"2026-12-06T18:08:06.843Z","data":{"aiProposal":{"action":"Fail over the primary database","alternatives":[],"confidence":null,"reasoning":null},"description":"Fail over the primary database","humanInLoop":{"approvalTimeout":1,"approverRole":"approver","escalateTo":"ops_lead","escalationPolicy":"auto"},"onBehalfOf":null,"payload":{"cluster":"db-1"},"payloadDigest":"sha256:efc2d0fa3f0d23d8d5c3e59652a560bfcfa96173317f8a85f8b172227a9b5109","policy":{"approvalRequired":"before_execution","approverRole":"approver","flags":[],"floorApplied":false,"gateRequired":true,"id":"upgrade-fixture","reason":"client requested before_execution approval","requirements":[{"origin":"client","required":1,"roles":["approver"],"rule":null,"step":1}],"rulesApplied":[],"source":"file","version":1},"requiredCapabilities":[],"risk":{"factors":["service_disruption"],"level":"low","mitigations":[]},"status":"awaiting_approval","warnings":[]},"seq":29,"taskId":"task:human:99c7b4497ff3e3c70d575d42","type":"task.created","v":1}	146bba982c51ad93e073d507fafd9ea001d994708cb013a870001174f4574c79	task:human:99c7b4497ff3e3c70d575d42
30	{"actor":"did:agent:fixture-bot","approvalId":"approval:human:d8825b39a77b21e4ef8a4d0e","at":"2026-12-06T18:08:06.843Z","data":{"approverRole":"approver","escalateTo":"ops_lead","escalationPolicy":"auto","expiresAt":"2026-12-06T18:08:07.843Z","kind":"execution","reason":null,"required":1,"status":"pending","step":0,"warnings":[]},"seq":30,"taskId":"task:human:99c7b4497ff3e3c70d575d42","type":"approval.requested","v":1}	169a689aa6a9ee04ad4d950f0ac2b81c39d2b02f48e09930474fb4a635055322	task:human:99c7b4497ff3e3c70d575d42
37	{"actor":"system","approvalId":"approval:human:7eb9dd6b57361c3794b990f0","at":"2026-12-06T18:08:08.955Z","data":{"from":"ops_lead","newApprovalId":"approval:human:dd03ca32cb305ade79f93ba2","to":"admin"},"seq":37,"taskId":"task:human:99c7b4497ff3e3c70d575d42","type":"approval.escalated","v":1}	a7f1e0ac10711e70d2a2971c9810a03ec5a5b671f06ed97f0b02a77a65d140ab	task:human:99c7b4497ff3e3c70d575d42
38	{"actor":"system","approvalId":"approval:human:dd03ca32cb305ade79f93ba2","at":"2026-12-06T18:08:08.955Z","data":{"approverRole":"admin","escalateTo":null,"escalationPolicy":"auto","expiresAt":"2026-12-06T18:08:09.955Z","kind":"execution","reason":"escalated from ops_lead after no decision by 2026-12-06T18:08:08.921Z","required":1,"status":"pending","step":0},"seq":38,"taskId":"task:human:99c7b4497ff3e3c70d575d42","type":"approval.requested","v":1}	df5a7231e10cdf71468316da08ed07a379d38c7812e5fa603dfcdb2684c90f98	task:human:99c7b4497ff3e3c70d575d42
41	{"actor":"did:agent:fixture-bot","at":"2026-12-06T18:08:10.091Z","data":{"aiProposal":{"action":"Delete the backup of 2025-10-01","alternatives":[],"confidence":null,"reasoning":null},"description":"Delete the backup of 2025-10-01","humanInLoop":{"approverRole":"approver"},"onBehalfOf":null,"payload":{"backupId":"backup-2025-10-01"},"payloadDigest":"sha256:3d0f16c8a9c1bf96c35b7cc3e57844893d6fde58f7eefc51d2aec8def458dc1d","policy":{"approvalRequired":"before_execution","approverRole":"approver","flags":[],"floorApplied":false,"gateRequired":true,"id":"upgrade-fixture","reason":"client requested before_execution approval","requirements":[{"origin":"client","required":1,"roles":["approver"],"rule":null,"step":1}],"rulesApplied":[],"source":"file","version":1},"requiredCapabilities":[],"risk":{"factors":["irreversible_action"],"level":"medium","mitigations":[]},"status":"awaiting_approval","warnings":[]},"seq":41,"taskId":"task:human:51f565e84b6c1255d78e18a5","type":"task.created","v":1}	a83624e266c65359beaa574209f82b4a17efeafd40818cc106b5fee754f16271	task:human:51f565e84b6c1255d78e18a5
42	{"actor":"did:agent:fixture-bot","approvalId":"approval:human:60df113d2647bc1c1d6b8ddc","at":"2026-12-06T18:08:10.091Z","data":{"approverRole":"approver","escalateTo":null,"escalationPolicy":null,"expiresAt":null,"kind":"execution","reason":null,"required":1,"status":"pending","step":0,"warnings":[]},"seq":42,"taskId":"task:human:51f565e84b6c1255d78e18a5","type":"approval.requested","v":1}	7dbf033dfc7cb767faf4ee6e0ef2cfcd02f73c03a221bacbf7906e7671008d24	task:human:51f565e84b6c1255d78e18a5
14	{"actor":"did:human:approver","approvalId":"approval:human:31eefc7e6c5ebe200e4d7de7","at":"2026-12-06T18:08:06.199Z","data":{"auth":"token","channel":"api","gateStatus":"rejected","record":{"approvalId":"approval:human:31eefc7e6c5ebe200e4d7de7","decidedAt":"2026-12-06T18:08:06.199Z","decidedBy":"did:human:approver","edits":null,"feedback":null,"origin":"humanos.ledger/61b2fd3d","payloadDigest":"sha256:5e65a854aa56f3c8bcf7aee0399603b4e3c98d7791ef802f8235b4a2f7391d0a","reason":"unknown payee","taskId":"task:human:38b9716c9a19a7de4f152cbd","type":"humanos.decision/v1","verdict":"rejected"},"signature":"0xf44706864c9ad4a9a11f04989211df00c13ab0051db0eec87cd8f7f52de76ec8575770f21fe8a16be2f8dfb875e9b5d8d91f80ba66270527c973c9164b0ab409","taskStatus":"rejected"},"seq":14,"taskId":"task:human:38b9716c9a19a7de4f152cbd","type":"approval.decided","v":1}	0d503b1aa79bc2e796d32212decc9a8520c5544588ac1797de87594cfdcfcd63	task:human:38b9716c9a19a7de4f152cbd
15	{"actor":"did:human:approver","approvalId":"approval:human:b5643b3b69963e4780b34236","at":"2026-12-06T18:08:06.199Z","data":{"reason":"step 1 was rejected"},"seq":15,"taskId":"task:human:38b9716c9a19a7de4f152cbd","type":"approval.cancelled","v":1}	ad0410f4dad85f3bf112b90c7899a69f39748a9e59294046b9e35d4eae853e54	task:human:38b9716c9a19a7de4f152cbd
16	{"actor":"did:agent:fixture-bot","at":"2026-12-06T18:08:06.255Z","data":{"aiProposal":{"action":"Scale the worker pool","alternatives":[],"confidence":null,"reasoning":null},"description":"Scale the worker pool","humanInLoop":{"approverRole":"approver"},"onBehalfOf":null,"payload":{"replicas":40},"payloadDigest":"sha256:d4c214089fbd6a9a998efcf0206b3b24c8bc612ba522c05510cbc5477fa2c528","policy":{"approvalRequired":"before_execution","approverRole":"approver","flags":[],"floorApplied":false,"gateRequired":true,"id":"upgrade-fixture","reason":"client requested before_execution approval","requirements":[{"origin":"client","required":1,"roles":["approver"],"rule":null,"step":1}],"rulesApplied":[],"source":"file","version":1},"requiredCapabilities":[],"risk":{"factors":[],"level":"low","mitigations":[]},"status":"awaiting_approval","warnings":[]},"seq":16,"taskId":"task:human:87782d923101fedb0e7ed0fb","type":"task.created","v":1}	622767e931edd3a74ad1a89f934751239fdb52022393c1798d225f028b5f5e6e	task:human:87782d923101fedb0e7ed0fb
17	{"actor":"did:agent:fixture-bot","approvalId":"approval:human:363a422d97f9f267bf1bc5a6","at":"2026-12-06T18:08:06.255Z","data":{"approverRole":"approver","escalateTo":null,"escalationPolicy":null,"expiresAt":null,"kind":"execution","reason":null,"required":1,"status":"pending","step":0,"warnings":[]},"seq":17,"taskId":"task:human:87782d923101fedb0e7ed0fb","type":"approval.requested","v":1}	f05004eee5d1d1dcfbee3ed2913dab93e5b0e2874d3ce0a5d72fc198ac04dd7b	task:human:87782d923101fedb0e7ed0fb
19	{"actor":"did:agent:fixture-bot","at":"2026-12-06T18:08:06.380Z","data":{"aiProposal":{"action":"Drop the staging cache","alternatives":[],"confidence":null,"reasoning":null},"description":"Drop the staging cache","humanInLoop":{"approverRole":"approver"},"onBehalfOf":null,"payload":{"cache":"staging"},"payloadDigest":"sha256:81a7a9c21eabaaeddce3a680a9e9fcd79e5f674a47fcd8872357c7259051aa03","policy":{"approvalRequired":"before_execution","approverRole":"approver","flags":[],"floorApplied":false,"gateRequired":true,"id":"upgrade-fixture","reason":"client requested before_execution approval","requirements":[{"origin":"client","required":1,"roles":["approver"],"rule":null,"step":1}],"rulesApplied":[],"source":"file","version":1},"requiredCapabilities":[],"risk":{"factors":["irreversible_action"],"level":"medium","mitigations":[]},"status":"awaiting_approval","warnings":[]},"seq":19,"taskId":"task:human:b78d97a84eae8dfce79b68e1","type":"task.created","v":1}	775150ca09a1181b4da0c4df031ffb88f0bb4297bcf5d6dceb86586a8105615a	task:human:b78d97a84eae8dfce79b68e1
20	{"actor":"did:agent:fixture-bot","approvalId":"approval:human:f1da067557cd712e3f551b10","at":"2026-12-06T18:08:06.380Z","data":{"approverRole":"approver","escalateTo":null,"escalationPolicy":null,"expiresAt":null,"kind":"execution","reason":null,"required":1,"status":"pending","step":0,"warnings":[]},"seq":20,"taskId":"task:human:b78d97a84eae8dfce79b68e1","type":"approval.requested","v":1}	a9da5c3c9c83015e5c2ddcfb91bbde2073e2fb2cd80ef2c20464f3631f8539ee	task:human:b78d97a84eae8dfce79b68e1
21	{"actor":"did:human:approver","approvalId":"approval:human:f1da067557cd712e3f551b10","at":"2026-12-06T18:08:06.454Z","data":{"cancelledApprovals":["approval:human:f1da067557cd712e3f551b10"],"channel":"api","feedback":"name the keys","payloadDigest":"sha256:81a7a9c21eabaaeddce3a680a9e9fcd79e5f674a47fcd8872357c7259051aa03","requestedBy":"did:human:approver","version":1},"seq":21,"taskId":"task:human:b78d97a84eae8dfce79b68e1","type":"task.changes_requested","v":1}	fb5fdf7494e9949bf3653b601bbc07c566e2858debbf24f3307ed73e12047b30	task:human:b78d97a84eae8dfce79b68e1
22	{"actor":"did:human:approver","approvalId":"approval:human:f1da067557cd712e3f551b10","at":"2026-12-06T18:08:06.454Z","data":{"reason":"changes requested by did:human:approver"},"seq":22,"taskId":"task:human:b78d97a84eae8dfce79b68e1","type":"approval.cancelled","v":1}	680a7aa0c9b5fb556d22314e2ead7a2b9a27396753be482bbf3a87a3b8ad6552	task:human:b78d97a84eae8dfce79b68e1
23	{"actor":"did:agent:fixture-bot","at":"2026-12-06T18:08:06.499Z","data":{"aiProposal":{"action":"Restart the mail relay","alternatives":[],"confidence":null,"reasoning":null},"description":"Restart the mail relay","humanInLoop":{"approverRole":"approver"},"onBehalfOf":null,"payload":{"host":"mx1"},"payloadDigest":"sha256:abc3787d5a2b69eced7ccf6c2d3daf33d72dabe06503b44855be94e5d527d3ff","policy":{"approvalRequired":"before_execution","approverRole":"approver","flags":[],"floorApplied":false,"gateRequired":true,"id":"upgrade-fixture","reason":"client requested before_execution approval","requirements":[{"origin":"client","required":1,"roles":["approver"],"rule":null,"step":1}],"rulesApplied":[],"source":"file","version":1},"requiredCapabilities":[],"risk":{"factors":["service_disruption"],"level":"low","mitigations":[]},"status":"awaiting_approval","warnings":[]},"seq":23,"taskId":"task:human:642843910fab09d8fc7a7491","type":"task.created","v":1}	d1c239da94110ae961952d250fa5233266d9c2b6267b1e4a86acea5fe662c9bc	task:human:642843910fab09d8fc7a7491
24	{"actor":"did:agent:fixture-bot","approvalId":"approval:human:31a272eff223650623ba66ec","at":"2026-12-06T18:08:06.499Z","data":{"approverRole":"approver","escalateTo":null,"escalationPolicy":null,"expiresAt":null,"kind":"execution","reason":null,"required":1,"status":"pending","step":0,"warnings":[]},"seq":24,"taskId":"task:human:642843910fab09d8fc7a7491","type":"approval.requested","v":1}	e53e13c448c5174aec6282b8287eeb15faf2257478b7a622888141786f10216c	task:human:642843910fab09d8fc7a7491
25	{"actor":"did:agent:fixture-bot","at":"2026-12-06T18:08:06.518Z","data":{"previousStatus":"awaiting_approval","reason":"not needed"},"seq":25,"taskId":"task:human:642843910fab09d8fc7a7491","type":"task.cancelled","v":1}	d106a70088357c9bc4788561d82a6d457c077af982b45ec14f2ec535860501b9	task:human:642843910fab09d8fc7a7491
26	{"actor":"did:agent:fixture-bot","approvalId":"approval:human:31a272eff223650623ba66ec","at":"2026-12-06T18:08:06.518Z","data":{"reason":"the task was cancelled"},"seq":26,"taskId":"task:human:642843910fab09d8fc7a7491","type":"approval.cancelled","v":1}	0420364ed5e009228f255c167d29a5638edc98d65ec74f9792475beeac2f883e	task:human:642843910fab09d8fc7a7491
31	{"actor":"system","approvalId":"approval:human:fcbee8e9fff456b7aa08c515","at":"2026-12-06T18:08:07.670Z","data":{"approverRole":"approver","expiresAt":"2026-12-06T18:08:07.806Z"},"seq":31,"taskId":"task:human:4031871eee261132e36dadc9","type":"approval.reminder","v":1}	1747b49b45957b3b85f716fd13ad979cbd91d6610f8fd8b0c3f5f2386e8b9bc9	task:human:4031871eee261132e36dadc9
32	{"actor":"system","approvalId":"approval:human:d8825b39a77b21e4ef8a4d0e","at":"2026-12-06T18:08:07.670Z","data":{"approverRole":"approver","expiresAt":"2026-12-06T18:08:07.843Z"},"seq":32,"taskId":"task:human:99c7b4497ff3e3c70d575d42","type":"approval.reminder","v":1}	d7d8ab6b0e04b2cc4bc6fd3bc1d7972035246ddce6c635759427495b436f9c4a	task:human:99c7b4497ff3e3c70d575d42
33	{"actor":"system","approvalId":"approval:human:d8825b39a77b21e4ef8a4d0e","at":"2026-12-06T18:08:07.921Z","data":{"from":"approver","newApprovalId":"approval:human:7eb9dd6b57361c3794b990f0","to":"ops_lead"},"seq":33,"taskId":"task:human:99c7b4497ff3e3c70d575d42","type":"approval.escalated","v":1}	54597c5455e33b734a5ed57fed0684ea901df467fa90508f9263f7d1a4acbc65	task:human:99c7b4497ff3e3c70d575d42
34	{"actor":"system","approvalId":"approval:human:7eb9dd6b57361c3794b990f0","at":"2026-12-06T18:08:07.921Z","data":{"approverRole":"ops_lead","escalateTo":null,"escalationPolicy":"auto","expiresAt":"2026-12-06T18:08:08.921Z","kind":"execution","reason":"escalated from approver after no decision by 2026-12-06T18:08:07.843Z","required":1,"status":"pending","step":0},"seq":34,"taskId":"task:human:99c7b4497ff3e3c70d575d42","type":"approval.requested","v":1}	a193c6f8f2c0345e15be830ac8ce57073a810a022d4a442ad1633597d02546d9	task:human:99c7b4497ff3e3c70d575d42
35	{"actor":"system","approvalId":"approval:human:fcbee8e9fff456b7aa08c515","at":"2026-12-06T18:08:07.921Z","data":{"expiresAt":"2026-12-06T18:08:07.806Z"},"seq":35,"taskId":"task:human:4031871eee261132e36dadc9","type":"approval.expired","v":1}	7ee5b4467eb587e25efc58f500d9dc53c227057f0e7eea08318522bfae87c0bb	task:human:4031871eee261132e36dadc9
36	{"actor":"system","approvalId":"approval:human:7eb9dd6b57361c3794b990f0","at":"2026-12-06T18:08:08.729Z","data":{"approverRole":"ops_lead","expiresAt":"2026-12-06T18:08:08.921Z"},"seq":36,"taskId":"task:human:99c7b4497ff3e3c70d575d42","type":"approval.reminder","v":1}	5063bd6578e8afc161e2d6f236d9030e35fabb53addae12fcd6f04cd0ea075bd	task:human:99c7b4497ff3e3c70d575d42
39	{"actor":"system","approvalId":"approval:human:dd03ca32cb305ade79f93ba2","at":"2026-12-06T18:08:09.875Z","data":{"approverRole":"admin","expiresAt":"2026-12-06T18:08:09.955Z"},"seq":39,"taskId":"task:human:99c7b4497ff3e3c70d575d42","type":"approval.reminder","v":1}	16e3837d41c5ff44a354801e89b47ec71e41b6bfdd47fb0c836d7cdde7476f3c	task:human:99c7b4497ff3e3c70d575d42
40	{"actor":"system","approvalId":"approval:human:dd03ca32cb305ade79f93ba2","at":"2026-12-06T18:08:10.026Z","data":{"expiresAt":"2026-12-06T18:08:09.955Z"},"seq":40,"taskId":"task:human:99c7b4497ff3e3c70d575d42","type":"approval.expired","v":1}	f510db1db9fc1d01a160e8499e8239d1d8e8204eca5d26246587442c9502b174	task:human:99c7b4497ff3e3c70d575d42
43	{"actor":"did:human:approver","approvalId":"approval:human:60df113d2647bc1c1d6b8ddc","at":"2026-12-06T18:08:10.121Z","data":{"commentId":"comment:e4d23fe2a74f315f4704c8bc","digest":"sha256:80840b35c8af37441fa45a80b626bd3a46f0f9652b7cd0afc17e3c1e0d1fc090","mentions":[]},"seq":43,"taskId":"task:human:51f565e84b6c1255d78e18a5","type":"comment.added","v":1}	dc3ce7d08d3bc75e666860eeee618c401c6d59ca1310ce051ea9e02f6363e8a1	task:human:51f565e84b6c1255d78e18a5
44	{"actor":"did:human:approver","at":"2026-12-06T18:08:10.153Z","data":{"delegate":"did:human:deputy","delegationId":"delegation:human:c724a8f90557b017e98acb0d","delegator":"did:human:approver","endsAt":"2027-01-04T18:08:10.148Z","message":"Away","outOfOffice":true,"roles":["approver"],"scope":{},"startsAt":"2026-12-06T18:08:10.153Z"},"seq":44,"taskId":null,"type":"delegation.created","v":1}	7e679fed1ef61e791fefdc0ed25d01d57097cc376f9b22e663cf02f8f674d2e5	\N
45	{"actor":"did:human:approver","at":"2026-12-06T18:08:10.153Z","data":{"created":44,"delegate":"did:human:deputy","delegationId":"delegation:human:c724a8f90557b017e98acb0d","delegator":"did:human:approver"},"seq":45,"taskId":null,"type":"delegation.started","v":1}	74ca315ef0f04a666983064429834f0fb4114e8a8a8f9abd4c84001e17626159	\N
\.


--
-- Data for Name: ledger_head; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.ledger_head (id, size) FROM stdin;
1	46
\.


--
-- Data for Name: ledger_nodes; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.ledger_nodes (level, idx, hash) FROM stdin;
0	0	93cbcaeae6f0539dcff9a69adb00649737185b47e0cfea73c27e880c7f814fba
0	1	a6411af231dd687c86d2cd82bf8490a031046be8d77751da6efcdf54d22622a2
1	0	ed178f7c1a14f80e3ac63ac9fc6675f64a1d925303ca5721f61c2f5244a1bf2b
0	2	a057333a4cb977da216350f54dfb36ae811733599290a92381ec1a7b14a24d53
0	3	d6f0b1c9c4ddc3ba3398cf4ab894fd3414d7565622353314decb4a5f6b9ca541
1	1	b56cfebbf6112861b308bbe77f41770901ffc574fd8074cc082c9e73c1db1b6b
2	0	5c21214779181d34f9b0442ceb3ae79440bea8f520d9aea5ee57fcd5e5da0311
0	4	995820fcc4e0e6f6fad0d00108996362182bddc8e03a473dd5c5318c6fd865f2
0	5	012c671133ff07bbf9c3b5363ad8d196bf310a6eca3b89dd12a7bfed30381120
1	2	f629646e4a5e7e04c66d0feb9d0839831644085499fab561593d1592e62b8f3a
0	6	5818c18ef47dd4c0a2f3c654f0de06b2f469e15c9d56f9e0ac1b8664d8677e92
0	7	39e8860d9dc535dd1585bf48921dee4e8ce22e425cc3fc331dfce36d98e93cb9
1	3	5fd8a084b713efca95d50f9d5fe0f3477eb2008da5c5a6488149142fd1e35795
2	1	171f4cab8006dafb9ef5ee3a74ee8cc263d384f4bb3477dd7329a9d51f87106d
3	0	a14e12fe12774d776837ea0cad4545cce6fda32925c6c16d1b1000e000dcf186
0	8	2198444c147707184fe49eb4ebec4140a8d2dfc0dd2682c56ed85e82f8caaf80
0	9	79d5cd82f98f030fca290874c3a7613a771f2a1262118a1a25539d11313d7a8e
1	4	0bd5d84651b95818ec26cecd59336f47edb4a5d40bf088650e05edd0b70a8993
0	10	20bccb9c958219eb494ba9757163c9e8163e63c9e1f62c14c4c4575a588c7580
0	11	fe91f09fb26099e6d8bfd63d1ee627ceb56582b0688bd68ec3637a915e779679
1	5	7e2b5c71fbad9869013cccc785230f8315439243d6a27ec6f09944e967a0d795
2	2	8a4080490e4be7157d88b6bdd2b2dcfed581e19f52b44ef6d11aeb9875308837
0	12	1d697db35741b5ea120c6547760623d08adb5f1c840758ee23fdca21062ba417
0	13	64e64f3e4e3c1de631bdea6dde6793ca60c275d9e807d792120a2729cbfb0845
1	6	403ef14551ecdedd311252103823d0a19d804e24a8b18a06c364bbf9b673fc4a
0	14	0d503b1aa79bc2e796d32212decc9a8520c5544588ac1797de87594cfdcfcd63
0	15	ad0410f4dad85f3bf112b90c7899a69f39748a9e59294046b9e35d4eae853e54
1	7	6063f74b20aa028d135d9a4e70fa4534345a9d9e21d90ca04008b897c73c760b
2	3	f9ae6a305ebba4f0f61c9966776884aa69a81e7ea2cac5822f09a7e97f4241a7
3	1	bd80b7b67f9c53d2f165cccb18365f4f4a0ca82e0882773ec15c30a535c90c43
4	0	e955b42ed77a1681eaff8b8fb1f15aa33f517791fe0d4ee5b5125b594828a18b
0	16	622767e931edd3a74ad1a89f934751239fdb52022393c1798d225f028b5f5e6e
0	17	f05004eee5d1d1dcfbee3ed2913dab93e5b0e2874d3ce0a5d72fc198ac04dd7b
1	8	c378a30433abbabd5690d8d4110d2c052ec0500f7ef042aed57b11855a5e1899
0	18	bc8b959e11e7ac938ec86d37819e9b4a647d3d1b6b3c4a608ba771fad300e19f
0	19	775150ca09a1181b4da0c4df031ffb88f0bb4297bcf5d6dceb86586a8105615a
1	9	419b5a13e9306e8d3d50f27cfd70a415881d5f277a8ac73f83f588f9bfd6b974
2	4	71cd3d2f1925a56f4591e319f54e61726e3c892f02e6d461777d06266741634c
0	20	a9da5c3c9c83015e5c2ddcfb91bbde2073e2fb2cd80ef2c20464f3631f8539ee
0	21	fb5fdf7494e9949bf3653b601bbc07c566e2858debbf24f3307ed73e12047b30
1	10	d96bf488187b947d8a34aea94f3b51aa59ae496c5a3d9a4e0fe6233eb3ad632e
0	22	680a7aa0c9b5fb556d22314e2ead7a2b9a27396753be482bbf3a87a3b8ad6552
0	23	d1c239da94110ae961952d250fa5233266d9c2b6267b1e4a86acea5fe662c9bc
1	11	a334ad18a3a98bd9bd5d9088fdae37028011b7f1dc0f7479605b394afd0ad093
2	5	21293b570d553df0ab7ffbc43e580a5429df00e06522fc84c2526827978b14b6
3	2	8854cb8f2ca14a9d195e5d06b1f89d6a98d1701be2cdbed85dcc29bdcea8ae47
0	24	e53e13c448c5174aec6282b8287eeb15faf2257478b7a622888141786f10216c
0	25	d106a70088357c9bc4788561d82a6d457c077af982b45ec14f2ec535860501b9
1	12	2a38678200492494da344e847ec31f080451c89be6c1a3aa2a051410d15dc96e
0	26	0420364ed5e009228f255c167d29a5638edc98d65ec74f9792475beeac2f883e
0	27	7a51fd0db49e9b4bd3d84df99a8ccf9545a945d46fdb08182a3ee12157fe5b40
1	13	49baa1b7f80a4c45bad79816445c4ca645106cf8bd1ffc935bfeb49e7d07ce27
2	6	7bd7a4ec0a41ee63c12f49f8ba7705233ec252e95b436dd6e13ac88e252727a1
0	28	4a76891daaaaedbdd332525ec93cf5e421bdd728cb4fe73e9fd77aa5051e60e3
0	29	146bba982c51ad93e073d507fafd9ea001d994708cb013a870001174f4574c79
1	14	e38f67d09e5493a2eabd47165159202c43cfd7648c7bc1ce821f20f780b0ba29
0	30	169a689aa6a9ee04ad4d950f0ac2b81c39d2b02f48e09930474fb4a635055322
0	31	1747b49b45957b3b85f716fd13ad979cbd91d6610f8fd8b0c3f5f2386e8b9bc9
1	15	0aebe4404f5255c67fe0cbfeced7904502b7b996404da4fdf4ba4ec0d86487db
2	7	d957d57671337a39cb9d90c72bdd453c03c47cfc345c845a1080b206d312d1c3
3	3	72591c136b4806cf52d97965a16b4de5c7e208b323112f97010449680d1ab4ae
4	1	8776367ea4b43aa883ef7b3c628e1e21df7540d2f90d8828e00ed67adb5222e8
5	0	0e25a400a68ca596be3e957a6f4d2ea2565f7ee39cfd6f50ead34331f7dea741
0	32	d7d8ab6b0e04b2cc4bc6fd3bc1d7972035246ddce6c635759427495b436f9c4a
0	33	54597c5455e33b734a5ed57fed0684ea901df467fa90508f9263f7d1a4acbc65
1	16	ec41da516614f16193d43eccb96ea0d2f28266d811c8ce01222073f1ce2bf11e
0	34	a193c6f8f2c0345e15be830ac8ce57073a810a022d4a442ad1633597d02546d9
0	35	7ee5b4467eb587e25efc58f500d9dc53c227057f0e7eea08318522bfae87c0bb
1	17	67d210c9dea6c26ee90bc7c8f83ca4cf6a675b7b0be2f3c17c710d4f03b0427f
2	8	73bf8179664adbcc0633a48cb26cd9a9124b3d7b4a5c4cf3d437d43a543e241f
0	36	5063bd6578e8afc161e2d6f236d9030e35fabb53addae12fcd6f04cd0ea075bd
0	39	16e3837d41c5ff44a354801e89b47ec71e41b6bfdd47fb0c836d7cdde7476f3c
1	19	b008fff9e18cfb43fc6bf0133b3bb6e7bdda99493602f4c04f55c5fc353ae7a4
2	9	d684ba8c4cbcf02c51d1abc748f364f1e9c1882c514ef1e2b3f58090545c9f1e
3	4	046b75aaf9bf6613d7b4dcf60dc251840279495b1942ae20a5f09ef0da938d37
0	40	f510db1db9fc1d01a160e8499e8239d1d8e8204eca5d26246587442c9502b174
0	37	a7f1e0ac10711e70d2a2971c9810a03ec5a5b671f06ed97f0b02a77a65d140ab
1	18	6697ffe150a55b3d6f633f471ca592b6b5c2a0a0f20ebc5cd8b3a3eef02f075a
0	38	df5a7231e10cdf71468316da08ed07a379d38c7812e5fa603dfcdb2684c90f98
0	41	a83624e266c65359beaa574209f82b4a17efeafd40818cc106b5fee754f16271
1	20	9ae56e5c99785c7fa1bb96fcb6d26d3e20bccb79c104a95958345ecb879f008c
0	42	7dbf033dfc7cb767faf4ee6e0ef2cfcd02f73c03a221bacbf7906e7671008d24
0	43	dc3ce7d08d3bc75e666860eeee618c401c6d59ca1310ce051ea9e02f6363e8a1
1	21	217ec1c7025b5273369aeaf30f1f104e47bd0e3a3c987e9fb07658c21df63427
2	10	e213296b777927df7932150f94f4d9d95ac01958c04cd9a9da2e50ddba08f757
0	44	7e679fed1ef61e791fefdc0ed25d01d57097cc376f9b22e663cf02f8f674d2e5
0	45	74ca315ef0f04a666983064429834f0fb4114e8a8a8f9abd4c84001e17626159
1	22	83337a8e19dffcc7f778e3e6127e53cb5f6d512db710319732a666261c6a6e3c
\.


--
-- Data for Name: meta; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.meta (key, value) FROM stdin;
ledger_public_key	d4b98d043d9b7fbb25b761b6160267aad4ddbf60f118abe4c6c9e882d59a7006
ledger_origin	humanos.ledger/61b2fd3d
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
did:human:admin	human	["admin"]	f7ee212df97fc161d19c29d16de2946c53f9262a1e0a8c07c8d5ff9cb94f10cb	\N	1796580485153	did:human:admin	[]	\N	\N	\N	\N	\N	\N	\N
did:agent:fixture-bot	agent	[]	fcdbe14aae7c039c06a00e8ad0f0f96fa0c856967fa8456aeaca825d3718d54d	\N	1796580485225	did:human:admin	[]	\N	\N	\N	Fixture agent	\N	\N	\N
did:human:approver	human	["approver","finance"]	82998fb914df8035faaa5f52bee4d7de676ea35577c5de9dd05d16c4c4822560	\N	1796580485251	did:human:admin	[]	\N	\N	\N	Fixture approver	\N	\N	\N
did:human:deputy	human	[]	011aeb28a09f62fdcd96c526476c2dde7a4b86a62f75a6bb3d215d80411b3007	\N	1796580485291	did:human:admin	[]	\N	\N	\N	Fixture deputy	\N	\N	\N
did:human:lead	human	["ops_lead"]	6e65e9409b3a0d74621064264b64ac7b7489054e69724c276e874ff7171554a2	\N	1796580485322	did:human:admin	[]	\N	\N	\N	Fixture lead	\N	\N	\N
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
0	0	2e683da994bf5477bd95acd3cefba13cc570e379863851337e344e0ffe8e8924
0	1	afb0bbeaf3924578ec83f4e46153eca1091e32f127f90174e3b0143869d54bec
1	0	2944cce067d78185063ac0f2d2f1a14ac816ad1fd885e5458ef55aa2b11772ab
0	2	534afbec5050c021f3b9740c2a3b645bf369ab93fab9313e520fa2df287d5319
0	3	0a250511ecbbfcc20617cd2f84e99e10da383707e308c9492e414ab42c40555a
1	1	10cb0457ec65fbff1a2eebe2de3ed9ad51f21d8ea165e86d83382f7c2751cc29
2	0	56300d773730cffbfd5617400fca380d93259897bc9678600ad66540b539ad18
0	4	9e8a529d7d125e078bc1539095d8298003995e0ca89ff5442e22b9cdeac50e35
0	5	f3207ded7cbf579f608bcf66bcc72c592d8424610311dd3819feb3be999ca0aa
1	2	a7d993896268c8d0626d3fd954e4301c70c33310ab14951b1f72229ae87f48e3
0	6	48137ca942088c11cb10f79954392de2d87b733bc85c2375f18f28bb7428778a
0	7	db36dfd2fd218676257ac50728303ca86debb5bcd6bb1a753797a7cdcf5bb6f9
1	3	f9410a1b08206e347749dcfe4b0baa2ad1f59a613b4231ac2ecde0da4d9c54d0
2	1	971b0d27e906d27c8ca88592943e3dc48823dce50862fe8b0ff4e546b90e3f3b
3	0	4f8c4cda6d56625e65b219e2875702760b62fffdbed4422fc0f89942d2b3656a
\.


--
-- Data for Name: task_heads; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.task_heads (task_id, pos, count, acc) FROM stdin;
task:human:7f426039a53500c5935cbd04	0	6	0c0d5279ec77d33660b9d2d81fd89f8b7b9d264d669954f0c7152291f2e30640
task:human:38b9716c9a19a7de4f152cbd	1	5	6c665af795938570991b91af93541cf9ce987e9c59b3b262ce1f63b348d1166f
task:human:87782d923101fedb0e7ed0fb	2	3	041394b94aa4cfb6c190d6a1f7cdb9e34dd0a057dfb8924789d2e6fe25479eed
task:human:b78d97a84eae8dfce79b68e1	3	4	465e8b68a4b1ed71bcceec4c2f3c2a85719f7e9838eecb19e764c35d9f552527
task:human:642843910fab09d8fc7a7491	4	4	e1843bd8a20e36900c8cea71de880d4c1a9c525c5f9d793d531602a57838838c
task:human:4031871eee261132e36dadc9	5	4	008ed39b35e1b377b228dddb856f6cb93033198b9410132ca3740bfa22065fff
task:human:99c7b4497ff3e3c70d575d42	6	10	dc008b902bafc1eb4dc9a758ec55ec32d07e3e160522830357d6469951d7e4ad
task:human:51f565e84b6c1255d78e18a5	7	3	a7d328cd2a050d7e3cf151d9c3c44c933fc610cf159d5e693c469b2caed700d1
\.


--
-- Data for Name: task_versions; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.task_versions (task_id, version, payload_digest, approval_id, requested_by, feedback, requested_at, requested_seq, revised_at, revised_digest, revised_seq, diff) FROM stdin;
task:human:b78d97a84eae8dfce79b68e1	1	sha256:81a7a9c21eabaaeddce3a680a9e9fcd79e5f674a47fcd8872357c7259051aa03	approval:human:f1da067557cd712e3f551b10	did:human:approver	name the keys	1796580486454	21	\N	\N	\N	\N
\.


--
-- Data for Name: tasks; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.tasks (id, requester, on_behalf_of, description, required_capabilities, payload, approved_payload, approved_digest, hitl, policy, risk, ai_proposal, status, execution_id, executor, result, error, created_at, updated_at, created_seq, client, lease_id, lease_expires_at, attempt, last_confidence, overridden_by, assigned_to, proposed_payload, payload_digest, cap_key, audit_frequency, audit_review_id, warnings, warnings_digest) FROM stdin;
task:human:7f426039a53500c5935cbd04	did:agent:fixture-bot	\N	Rotate the TLS certificate of api.example.com	[]	{"host":"api.example.com"}	{"host":"api.example.com"}	sha256:7c31cd5b2db1f368afd5784b82ce24cdd467527ed3fe83a989747008a0dcfb4e	{"approverRole":"approver"}	{"id":"upgrade-fixture","version":1,"source":"file","rulesApplied":[],"gateRequired":true,"floorApplied":false,"approvalRequired":"before_execution","approverRole":"approver","reason":"client requested before_execution approval","requirements":[{"step":1,"roles":["approver"],"required":1,"origin":"client","rule":null}],"flags":[]}	{"level":"low","factors":[],"mitigations":[]}	{"action":"Rotate the TLS certificate of api.example.com","reasoning":null,"confidence":null,"alternatives":[]}	completed	exec:7f426039a53500c5935cbd04	did:agent:fixture-bot	{"rotated":true}	\N	1796580485469	1796580485848	5	{"autoEscalation":null,"auditFrequency":null}	lease:de4b3b7b5dc310f453be8939	1796580545758	1	0	\N	\N	{"host":"api.example.com"}	sha256:7c31cd5b2db1f368afd5784b82ce24cdd467527ed3fe83a989747008a0dcfb4e	\N	\N	\N	[]	sha256:7c31cd5b2db1f368afd5784b82ce24cdd467527ed3fe83a989747008a0dcfb4e
task:human:38b9716c9a19a7de4f152cbd	did:agent:fixture-bot	\N	Wire 9000 EUR to a new payee	[]	{"amount":9000,"iban":"DE89370400440532013000"}	\N	\N	{"approverRole":"approver"}	{"id":"upgrade-fixture","version":1,"source":"file","rulesApplied":["wires"],"gateRequired":true,"floorApplied":true,"approvalRequired":"before_execution","approverRole":"approver","reason":"policy rule wires (wires go to finance) requires approval by finance; client requested before_execution approval","requirements":[{"step":1,"roles":["approver"],"required":1,"origin":"client","rule":null},{"step":2,"roles":["finance"],"required":1,"origin":"policy","rule":"wires"}],"flags":[]}	{"level":"high","factors":["irreversible_action","financial_transaction","text_payload_mismatch"],"mitigations":[]}	{"action":"Wire 9000 EUR to a new payee","reasoning":null,"confidence":null,"alternatives":[]}	rejected	\N	\N	\N	\N	1796580486061	1796580486199	11	{"autoEscalation":null,"auditFrequency":null}	\N	\N	0	\N	\N	\N	{"amount":9000,"iban":"DE89370400440532013000"}	sha256:5e65a854aa56f3c8bcf7aee0399603b4e3c98d7791ef802f8235b4a2f7391d0a	\N	\N	\N	[{"code":"text_payload_mismatch","source":"description","claimed":"EUR","message":"The description says EUR, but the payload names no currency.","actual":null}]	sha256:5e65a854aa56f3c8bcf7aee0399603b4e3c98d7791ef802f8235b4a2f7391d0a
task:human:87782d923101fedb0e7ed0fb	did:agent:fixture-bot	\N	Scale the worker pool	[]	{"replicas":12}	{"replicas":12}	sha256:220fb4c771a7daf2c030add3e81d542d533dcf4bdea4101e96e2db78942260db	{"approverRole":"approver"}	{"id":"upgrade-fixture","version":1,"source":"file","rulesApplied":[],"gateRequired":true,"floorApplied":false,"approvalRequired":"before_execution","approverRole":"approver","reason":"client requested before_execution approval","requirements":[{"step":1,"roles":["approver"],"required":1,"origin":"client","rule":null}],"flags":[]}	{"level":"low","factors":[],"mitigations":[]}	{"action":"Scale the worker pool","reasoning":null,"confidence":null,"alternatives":[]}	approved	\N	\N	\N	\N	1796580486255	1796580486334	16	{"autoEscalation":null,"auditFrequency":null}	\N	\N	0	\N	\N	\N	{"replicas":40}	sha256:220fb4c771a7daf2c030add3e81d542d533dcf4bdea4101e96e2db78942260db	\N	\N	\N	[]	sha256:220fb4c771a7daf2c030add3e81d542d533dcf4bdea4101e96e2db78942260db
task:human:b78d97a84eae8dfce79b68e1	did:agent:fixture-bot	\N	Drop the staging cache	[]	{"cache":"staging"}	\N	\N	{"approverRole":"approver"}	{"id":"upgrade-fixture","version":1,"source":"file","rulesApplied":[],"gateRequired":true,"floorApplied":false,"approvalRequired":"before_execution","approverRole":"approver","reason":"client requested before_execution approval","requirements":[{"step":1,"roles":["approver"],"required":1,"origin":"client","rule":null}],"flags":[]}	{"level":"medium","factors":["irreversible_action"],"mitigations":[]}	{"action":"Drop the staging cache","reasoning":null,"confidence":null,"alternatives":[]}	changes_requested	\N	\N	\N	\N	1796580486380	1796580486454	19	{"autoEscalation":null,"auditFrequency":null}	\N	\N	0	\N	\N	\N	{"cache":"staging"}	sha256:81a7a9c21eabaaeddce3a680a9e9fcd79e5f674a47fcd8872357c7259051aa03	\N	\N	\N	[]	sha256:81a7a9c21eabaaeddce3a680a9e9fcd79e5f674a47fcd8872357c7259051aa03
task:human:642843910fab09d8fc7a7491	did:agent:fixture-bot	\N	Restart the mail relay	[]	{"host":"mx1"}	\N	\N	{"approverRole":"approver"}	{"id":"upgrade-fixture","version":1,"source":"file","rulesApplied":[],"gateRequired":true,"floorApplied":false,"approvalRequired":"before_execution","approverRole":"approver","reason":"client requested before_execution approval","requirements":[{"step":1,"roles":["approver"],"required":1,"origin":"client","rule":null}],"flags":[]}	{"level":"low","factors":["service_disruption"],"mitigations":[]}	{"action":"Restart the mail relay","reasoning":null,"confidence":null,"alternatives":[]}	cancelled	\N	\N	\N	\N	1796580486499	1796580486518	23	{"autoEscalation":null,"auditFrequency":null}	\N	\N	0	\N	\N	\N	{"host":"mx1"}	sha256:abc3787d5a2b69eced7ccf6c2d3daf33d72dabe06503b44855be94e5d527d3ff	\N	\N	\N	[]	sha256:abc3787d5a2b69eced7ccf6c2d3daf33d72dabe06503b44855be94e5d527d3ff
task:human:4031871eee261132e36dadc9	did:agent:fixture-bot	\N	Purge the old audit bucket	[]	{"bucket":"audit-2019"}	\N	\N	{"approverRole":"approver","approvalTimeout":1,"escalationPolicy":"reject"}	{"id":"upgrade-fixture","version":1,"source":"file","rulesApplied":[],"gateRequired":true,"floorApplied":false,"approvalRequired":"before_execution","approverRole":"approver","reason":"client requested before_execution approval","requirements":[{"step":1,"roles":["approver"],"required":1,"origin":"client","rule":null}],"flags":[]}	{"level":"medium","factors":["irreversible_action"],"mitigations":[]}	{"action":"Purge the old audit bucket","reasoning":null,"confidence":null,"alternatives":[]}	expired	\N	\N	\N	\N	1796580486806	1796580487921	27	{"autoEscalation":null,"auditFrequency":null}	\N	\N	0	\N	\N	\N	{"bucket":"audit-2019"}	sha256:add45fcfdfc8a266eca2f4d52b79da5f8d69726cc98d371958d8b4c2fd74fa00	\N	\N	\N	[]	sha256:add45fcfdfc8a266eca2f4d52b79da5f8d69726cc98d371958d8b4c2fd74fa00
task:human:99c7b4497ff3e3c70d575d42	did:agent:fixture-bot	\N	Fail over the primary database	[]	{"cluster":"db-1"}	\N	\N	{"approverRole":"approver","approvalTimeout":1,"escalationPolicy":"auto","escalateTo":"ops_lead"}	{"id":"upgrade-fixture","version":1,"source":"file","rulesApplied":[],"gateRequired":true,"floorApplied":false,"approvalRequired":"before_execution","approverRole":"approver","reason":"client requested before_execution approval","requirements":[{"step":1,"roles":["approver"],"required":1,"origin":"client","rule":null}],"flags":[]}	{"level":"low","factors":["service_disruption"],"mitigations":[]}	{"action":"Fail over the primary database","reasoning":null,"confidence":null,"alternatives":[]}	expired	\N	\N	\N	\N	1796580486843	1796580490026	29	{"autoEscalation":null,"auditFrequency":null}	\N	\N	0	\N	\N	\N	{"cluster":"db-1"}	sha256:efc2d0fa3f0d23d8d5c3e59652a560bfcfa96173317f8a85f8b172227a9b5109	\N	\N	\N	[]	sha256:efc2d0fa3f0d23d8d5c3e59652a560bfcfa96173317f8a85f8b172227a9b5109
task:human:51f565e84b6c1255d78e18a5	did:agent:fixture-bot	\N	Delete the backup of 2025-10-01	[]	{"backupId":"backup-2025-10-01"}	\N	\N	{"approverRole":"approver"}	{"id":"upgrade-fixture","version":1,"source":"file","rulesApplied":[],"gateRequired":true,"floorApplied":false,"approvalRequired":"before_execution","approverRole":"approver","reason":"client requested before_execution approval","requirements":[{"step":1,"roles":["approver"],"required":1,"origin":"client","rule":null}],"flags":[]}	{"level":"medium","factors":["irreversible_action"],"mitigations":[]}	{"action":"Delete the backup of 2025-10-01","reasoning":null,"confidence":null,"alternatives":[]}	awaiting_approval	\N	\N	\N	\N	1796580490091	1796580490091	41	{"autoEscalation":null,"auditFrequency":null}	\N	\N	0	\N	\N	\N	{"backupId":"backup-2025-10-01"}	sha256:3d0f16c8a9c1bf96c35b7cc3e57844893d6fde58f7eefc51d2aec8def458dc1d	\N	\N	\N	[]	sha256:3d0f16c8a9c1bf96c35b7cc3e57844893d6fde58f7eefc51d2aec8def458dc1d
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

\unrestrict jagles1WBN0fkQKtz1H7uhZkfGDnbY61qV1XqgyKgethQglvg8qkGaM8yF2FAnw

