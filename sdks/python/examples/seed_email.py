# The seed's Python example (human-in-the-loop.md), runnable against a real HumanOS server.
#
# Two changes from the seed, both marked CHANGE below (see docs/python.md, "The seed's example"):
#   1. create_task(..., payload=email_draft): the draft is the task's payload, so the approver sees it,
#      may edit it, and the approved payload (draft + edits) is exactly what executes.
#   2. The prompt reads the draft from req.payload[...] (the seed's req.email_draft does not exist:
#      an approval request carries the task's payload, whatever its shape).
#
# Run it with a worker that sends the emails (examples/email_worker.py) and an approver (the web inbox
# at HUMANOS_URL/inbox, the CLI, or the SDK):
#   HUMANOS_URL=http://127.0.0.1:8787 HUMANOS_API_KEY=<agent token> python examples/seed_email.py
from human_sdk import HumanOS
from typing import Optional


async def process_email_with_approval(
    email_draft: dict,
    recipient: str
):
    try:
        # Create task with HITL enabled
        task = await HumanOS.create_task(
            description=f"Send email to {recipient}",
            required_capabilities=['email_composition', 'professional_communication'],
            human_in_loop={
                'enabled': True,
                'approval_required': 'before_execution',
                'approver_role': 'communications_lead',
                'approval_timeout': 1800,  # 30 minutes
                'show_ai_reasoning': True,  # Show why AI generated this email
            },
            payload=email_draft,  # CHANGE 1: the draft is what gets approved (and edited)
        )

        print(f"Task created: {task.id}")
        print(f"Awaiting approval from communications lead...")

        # Wait for human approval
        approval = await HumanOS.wait_for_approval(
            task.id,
            on_approval_request=lambda req: print(
                f"📧 Email draft ready for approval:\n"
                f"   To: {req.payload['to']}\n"  # CHANGE 2: req.payload (seed: req.email_draft)
                f"   Subject: {req.payload['subject']}\n"
                f"   Preview: {req.payload['body'][:100]}...\n"
                f"   AI Confidence: {req.ai_proposal.confidence}\n"
            )
        )

        if approval.approved:
            print(f"✅ Email approved by {approval.approved_by}")

            # Apply any human edits
            if approval.edits:
                email_draft.update(approval.edits)
                print(f"   Human made {len(approval.edits)} edits")

            # Send the email
            result = await HumanOS.execute_task(task.id, payload=email_draft)
            return result
        else:
            print(f"❌ Email rejected by {approval.rejected_by}")
            print(f"   Reason: {approval.rejection_reason}")
            return None

    except Exception as e:
        print(f"HITL email processing failed: {e}")
        raise


# Example usage
# email = {
#     'to': 'client@example.com',
#     'subject': 'Q4 Performance Review',
#     'body': 'AI-generated email content...'
# }
# await process_email_with_approval(email, 'client@example.com')

if __name__ == '__main__':
    import asyncio

    email = {
        'to': 'client@example.com',
        'subject': 'Q4 Performance Review',
        'body': 'AI-generated email content...',
    }
    result = asyncio.run(process_email_with_approval(email, 'client@example.com'))
    print(f'Result: {result.status if result else None} {result.result if result else ""}')
