"""The worker that sends the seed example's emails once a human approved them.

It claims approved tasks needing ``email_composition`` and ``professional_communication`` and "sends"
the approved payload (here: appends it to an outbox list and prints it; put your mail client here).
Its principal needs the ``executor`` role:

    HUMANOS_URL=http://127.0.0.1:8787 HUMANOS_API_KEY=<executor token> python examples/email_worker.py
"""

from __future__ import annotations

from typing import Any

from human_sdk import AsyncExecutionContext, AsyncHumanOSClient, Worker

CAPABILITIES = ['email_composition', 'professional_communication']

#: What was sent, in order (tests read it).
outbox: list[dict[str, Any]] = []


async def send_email(payload: dict[str, Any], ctx: AsyncExecutionContext) -> dict[str, Any]:
    """Sends the approved email; the execution id is the idempotency key of the side effect."""
    await ctx.report(confidence=0.95, progress=f'sending to {payload["to"]}')
    message = {'to': payload['to'], 'subject': payload['subject'], 'body': payload['body']}
    outbox.append({**message, 'messageId': ctx.execution.execution_id})
    print(f'📤 sent "{message["subject"]}" to {message["to"]}')
    return {'sent': True, 'messageId': ctx.execution.execution_id, **message}


def make_worker(client: AsyncHumanOSClient, **options: Any) -> Worker:
    return Worker(client, capabilities=CAPABILITIES, handler=send_email, **options)


if __name__ == '__main__':
    make_worker(AsyncHumanOSClient(), concurrency=4).run_forever()
