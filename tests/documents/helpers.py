"""Issuing a small document directly through the service (the owning app's renderer is not needed to
test the seal): a "batch letter" whose renderer prints the content and the seal lines as PDF-like bytes."""

import json

from cpaudit.documents.services import document_issue

from ..applications.docfixtures import make_batch


def fake_render(doc: dict) -> bytes:
    """Bytes that depend on everything given, the seal lines included (as a real footer would)."""
    return b"%PDF-1.4\n" + json.dumps(doc, ensure_ascii=False, sort_keys=True).encode("utf-8")


def issue_letter(world, *, actor=None, fmt="pdf", batch=None, render=fake_render):
    from cpaudit.org.roles import Role

    batch = batch or make_batch(world)
    content = {"title": batch.title, "letter": batch.letter}
    return document_issue(actor=actor or world.users[Role.BRANCH_LEADER], kind="batch_letter", obj=batch,
                          fmt=fmt, content=content, render=render, title=batch.title)
