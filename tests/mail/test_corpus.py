"""Every message of the corpus becomes what a person expects: a new case with the sender's
words and files, a reply on the right case with the quoted history cut off, an auto-reply
recorded and never answered, or a message waiting in quarantine with its reason."""

import pytest

from cases.models import Case, EntryKind, Status, TimelineEntry
from notifications import inbound
from notifications.models import InboundMessage, Notice
from tests.mail.corpus import CORPUS, IGNORED, NEW_CASE, QUARANTINED, REPLY, Sample

STORED_AS = {
    NEW_CASE: InboundMessage.Status.PROCESSED,
    REPLY: InboundMessage.Status.PROCESSED,
    IGNORED: InboundMessage.Status.IGNORED,
    QUARANTINED: InboundMessage.Status.QUARANTINED,
}


def test_the_corpus_is_large_and_named_uniquely():
    names = [sample.name for sample in CORPUS]
    assert len(names) >= 30
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("sample", CORPUS, ids=str)
def test_it_reads_the_message(sample: Sample, context, case, closed_case, acme):
    targets = {"open": case, "closed": closed_case}
    cases_before = set(Case.objects.values_list("pk", flat=True))
    entries_before = TimelineEntry.objects.count()
    notices_before = Notice.objects.count()
    statuses_before = {c.pk: c.status for c in targets.values()}

    stored = inbound.receive(sample.build(context))

    stored.refresh_from_db()
    assert stored.status == STORED_AS[sample.outcome], stored.reason
    with stored.raw.open("rb") as raw:  # the raw source is kept, whatever became of it
        assert raw.read()
    new_cases = Case.objects.exclude(pk__in=cases_before)
    target = targets.get(sample.target)

    if sample.outcome == NEW_CASE:
        new_case = new_cases.get()
        assert stored.case == new_case
        assert new_case.organization == acme
        assert new_case.status == Status.NEW
        entry = stored.entry
        assert entry.kind == EntryKind.CASE_OPENED and entry.case == new_case
        assert new_case.description == entry.body
        if sample.title:
            assert new_case.title == sample.title
        if sample.sender_name:
            assert new_case.customer.full_name == sample.sender_name
            assert new_case.customer.organization == acme
        _assert_entry(entry, sample)
    elif sample.outcome == REPLY:
        assert not new_cases.exists()
        assert stored.case == target
        entry = stored.entry
        assert entry.kind == EntryKind.CUSTOMER_MESSAGE and entry.case == target
        assert entry.actor.email == "customer@example.test"
        _assert_entry(entry, sample)
    else:
        # Auto-replies, bounces and quarantined mail write nothing and answer nobody.
        assert not new_cases.exists()
        assert TimelineEntry.objects.count() == entries_before
        assert Notice.objects.count() == notices_before
        assert stored.entry is None
        assert stored.case == target
        if sample.outcome == QUARANTINED:
            assert sample.reason in stored.reason

    if target is not None:
        target.refresh_from_db()
        assert target.status == (sample.status_after or statuses_before[target.pk])
    for other in targets.values():
        if other != target:
            other.refresh_from_db()
            assert other.status == statuses_before[other.pk]


def _assert_entry(entry: TimelineEntry, sample: Sample) -> None:
    for words in sample.says:
        assert words in entry.body
    for words in sample.never:
        assert words not in entry.body
        assert words not in entry.body_html
    attachments = list(entry.attachments.order_by("pk"))
    assert [(a.filename, a.content_type) for a in attachments] == [
        (name, content_type) for name, content_type, _content in sample.files
    ]
    for attachment, (_name, _type, content) in zip(attachments, sample.files, strict=True):
        with attachment.file.open("rb") as stored_file:
            data = stored_file.read()
        assert content in data
        assert attachment.size == len(data)
