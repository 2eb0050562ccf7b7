"""Subject access: the privacy officer's lookup through the blind index, the coordinators'
withholdings under the "tenzij" exceptions, the release and the report, and who may do what."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone
from django.utils.formats import date_format

from casework import services
from casework.access import access_case, access_subject_access_review
from casework.models import SubjectAccessItem, SubjectAccessRequest, Withholding
from casework.services import subject_access
from mda import crypto
from mda.models import AuditEvent, Notification
from tests.casework.conftest import IDENTITY_BSN, IDENTITY_NAME, NOTES, Scenario, refer
from tests.casework.test_access_matrix import PERSONAS, TABLE
from tests.conftest import Cast, require_postgresql

CONFIRM = {"confirm": "True"}
# Six weeks after the day the shared scenario is built (today, whatever the date of the run):
# an agreement's due date may not lie in the past.
DUE = timezone.localdate() + timedelta(weeks=6)
ORGANISATIONS = ("Lokaal team Noord", "Politie Noord", "GGZ Noord", "Veilig Thuis Noord")


def prepare(cast: Cast) -> SubjectAccessRequest:
    return subject_access.subject_access_prepare(actor=cast.privacy.user, bsn=IDENTITY_BSN)


def review_url(request: SubjectAccessRequest) -> str:
    return f"/subject-access/reviews/{request.items.get().pk}/"


def withhold(web: Any, request: SubjectAccessRequest, organisation: Any, ground: str) -> Any:
    return web("coordinator").post(
        review_url(request),
        {
            "organisation": organisation.pk if organisation else "",
            "ground": ground,
            "explanation": "EXPLANATION-MARKER the prosecutor asked us to wait",
        },
    )


def release(web: Any, request: SubjectAccessRequest) -> str:
    """The coordinator confirms, the privacy officer releases; the report's HTML."""
    assert web("coordinator").post(review_url(request) + "confirm/").status_code == 302
    url = f"/privacy/subject-access/{request.pk}/"
    assert web("privacy").post(url + "release/", CONFIRM).status_code == 302
    return web("privacy").get(url + "report/").content.decode()


# --- The lookup ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lookup",
    [{"bsn": "1112.22.333"}, {"name": " johanna  vermeulen secret", "date_of_birth": "1990-05-17"}],
)
def test_a_person_is_found_by_bsn_or_name_and_birth_date_and_the_search_is_recorded(
    lookup: dict[str, str], cast: Cast, scenario: Scenario, web: Any
) -> None:
    refer(cast, persona="outsider")  # the same person in region south: not the officer's region
    response = web("privacy").post("/privacy/subject-access/", lookup)
    assert response.status_code == 302
    request = SubjectAccessRequest.objects.get()
    assert [i.case for i in request.items.all()] == [scenario.case]
    search = AuditEvent.objects.get(object_type="subject_search")
    assert search.case_reference == scenario.case.reference and search.action == "view"
    assert IDENTITY_BSN not in str(search.detail) and "johanna" not in str(search.detail)
    page = web("privacy").get(response["Location"]).content.decode()
    assert scenario.case.reference in page and "moeder" in page
    assert "Johanna" not in page and "REASON-MARKER" not in page and IDENTITY_BSN not in page
    told = Notification.objects.filter(kind="subject_access_review")
    assert [n.recipient for n in told] == [cast.coordinator.user]
    assert scenario.case.reference not in told.get().subject + told.get().body


@pytest.mark.parametrize(
    ("lookup", "field"),
    [({"bsn": "123456789"}, "bsn"), ({"name": "KEEP-NAME"}, "__all__"), ({}, "__all__")],
)
def test_a_lookup_with_bad_input_changes_nothing_and_keeps_the_input(
    lookup: dict[str, str], field: str, scenario: Scenario, web: Any
) -> None:
    response = web("privacy").post("/privacy/subject-access/", lookup)
    assert response.status_code == 400 and field in response.context["form"].errors
    if "name" in lookup:
        assert "KEEP-NAME" in response.content.decode()
    assert not SubjectAccessRequest.objects.exists()
    assert not AuditEvent.objects.filter(object_type="subject_search").exists()


# --- Who may do what ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_privacy_officer_s_pages_answer_only_to_privacy_officers(
    persona: str, cast: Cast, scenario: Scenario, web: Any
) -> None:
    request = prepare(cast)
    base = f"/privacy/subject-access/{request.pk}/"
    want = 200 if TABLE[persona][3] else 403
    client = web(persona)
    assert client.get("/privacy/subject-access/").status_code == want
    assert client.post("/privacy/subject-access/", {"bsn": IDENTITY_BSN}).status_code in (
        (302,) if want == 200 else (403,)
    )
    assert client.get(base).status_code == want
    assert client.get(base + "release/").status_code == want
    assert client.get(base + "report/").status_code == (302 if want == 200 else 403)
    assert client.post(base + "release/", CONFIRM).status_code == (409 if want == 200 else 403)
    assert SubjectAccessRequest.objects.filter(status="released").count() == 0


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_case_s_coordinators_review_its_withholdings(
    persona: str, cast: Cast, scenario: Scenario, web: Any
) -> None:
    request = prepare(cast)
    coordinator = TABLE[persona][1]
    client = web(persona)
    listing = client.get("/subject-access/reviews/")
    assert listing.status_code == 200
    assert (scenario.case.reference in listing.content.decode()) == coordinator
    want = 200 if coordinator else 404
    assert client.get(review_url(request)).status_code == want
    posted = withhold(lambda _p: client, request, None, "safety_of_others")
    assert posted.status_code == (302 if coordinator else 404)
    assert Withholding.objects.count() == (1 if coordinator else 0)
    confirmed = client.post(review_url(request) + "confirm/")
    assert confirmed.status_code == (302 if coordinator else 404)
    assert SubjectAccessItem.objects.filter(confirmed_at__isnull=False).count() == int(coordinator)


# --- Release and the report, per exception ------------------------------------------------------


def test_the_report_waits_for_the_coordinator_and_then_holds_the_person_s_data(
    cast: Cast, scenario: Scenario, web: Any
) -> None:
    request = prepare(cast)
    base = f"/privacy/subject-access/{request.pk}/"
    assert web("privacy").post(base + "release/", CONFIRM).status_code == 409
    unconfirmed = web("privacy")
    assert web("coordinator").post(review_url(request) + "confirm/").status_code == 302
    assert unconfirmed.post(base + "release/").status_code == 400  # asked first: nothing done
    assert SubjectAccessRequest.objects.get().status == "preparing"
    report = release(web, request)
    assert IDENTITY_NAME in report and IDENTITY_BSN in report and "17 May 1990" in report
    assert "REASON-MARKER" in report and scenario.case.reference in report
    assert all(org in report for org in ORGANISATIONS)
    assert all(body in report for _p, _v, body in NOTES.values())  # every note, as held
    download = web("privacy").get(base + "report/?download=1")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert IDENTITY_NAME in download.content.decode()
    events = AuditEvent.objects.filter(object_type="subject_access_report")
    assert sorted(events.values_list("action", flat=True)) == ["disclose", "export", "view"]
    assert {e.case_reference for e in events} == {scenario.case.reference}
    assert web("coordinator").get(review_url(request)).status_code == 404  # released: closed


def test_a_criminal_investigation_withholds_what_the_police_received(
    cast: Cast, scenario: Scenario, web: Any
) -> None:
    request = prepare(cast)
    assert withhold(web, request, cast.orgs["police"], "criminal_investigation").status_code == 302
    report = release(web, request)
    assert "Politie Noord" not in report and "EXPLANATION-MARKER" not in report
    assert IDENTITY_NAME in report and "GGZ Noord" in report
    kept = Withholding.objects.get()
    assert kept.ground == "criminal_investigation" and kept.decided_by == cast.coordinator.user
    assert "EXPLANATION-MARKER" in crypto.unseal(kept, "explanation_ct", scenario.case.data_key)
    page = web("privacy").get(f"/privacy/subject-access/{request.pk}/").content.decode()
    assert "EXPLANATION-MARKER" in page  # the reason stays recorded with the request


def test_the_safety_of_others_withholds_the_whole_case(
    cast: Cast, scenario: Scenario, web: Any
) -> None:
    request = prepare(cast)
    assert withhold(web, request, None, "safety_of_others").status_code == 302
    report = release(web, request)
    assert scenario.case.reference not in report and IDENTITY_NAME not in report
    assert "No personal data about you" in report
    assert Withholding.objects.get().ground == "safety_of_others"


def test_a_withholding_with_bad_input_changes_nothing(
    cast: Cast, scenario: Scenario, web: Any
) -> None:
    request = prepare(cast)
    response = web("coordinator").post(
        review_url(request), {"organisation": "", "ground": "curiosity", "explanation": "KEEP"}
    )
    assert response.status_code == 400 and "KEEP" in response.content.decode()
    outsider_org = web("coordinator").post(
        review_url(request),
        {
            "organisation": cast.orgs["south_police"].pk,
            "ground": "criminal_investigation",
            "explanation": "Long enough explanation.",
        },
    )
    assert outsider_org.status_code == 400
    assert not Withholding.objects.exists()


def test_a_privacy_officer_s_proposal_needs_the_coordinator_s_confirmation_again(
    cast: Cast, scenario: Scenario, web: Any
) -> None:
    request = prepare(cast)
    assert web("coordinator").post(review_url(request) + "confirm/").status_code == 302
    item = request.items.get()
    subject_access.withholding_set(
        actor=cast.privacy.user,
        item=item,
        organisation=None,
        ground="safety_of_others",
        explanation="The officer proposes to withhold.",
    )
    item.refresh_from_db()
    assert item.confirmed_at is None
    url = f"/privacy/subject-access/{request.pk}/release/"
    assert web("privacy").post(url, CONFIRM).status_code == 409


# --- The content of the case, and withholding it ------------------------------------------------


def entry_of(case: Any, marker: str) -> str:
    """The form's name (``note:<id>``) of the note whose text holds *marker*."""
    for note in case.notes.all():
        if marker in crypto.unseal(note, "body_ct", case.data_key):
            return f"note:{note.pk}"
    raise AssertionError(marker)


def test_withholding_the_police_also_withholds_the_notes_it_wrote(
    cast: Cast, scenario: Scenario, web: Any
) -> None:
    request = prepare(cast)
    assert withhold(web, request, cast.orgs["police"], "criminal_investigation").status_code == 302
    report = release(web, request)
    assert "POLICE-DOMAIN-NOTE" not in report and "POLICE-SHARED-NOTE" not in report
    assert "SOCIAL-ORG-NOTE" in report and "COORD-ONLY-NOTE" in report


def test_one_note_withheld_alone_leaves_the_rest_of_the_case_in_the_report(
    cast: Cast, scenario: Scenario, web: Any
) -> None:
    request = prepare(cast)
    entry = entry_of(scenario.case, "SOCIAL-ORG-NOTE")
    page = web("coordinator").get(review_url(request) + f"?entry={entry}")
    assert page.status_code == 200 and f'value="{entry}" selected' in page.content.decode()
    posted = web("coordinator").post(
        review_url(request),
        {"entry": entry, "ground": "safety_of_others", "explanation": "EXPLANATION-MARKER x"},
    )
    assert posted.status_code == 302
    kept = Withholding.objects.get()
    assert (kept.entry_kind, f"note:{kept.entry_id}") == ("note", entry)
    assert kept.organisation is None and kept.decided_by == cast.coordinator.user
    report = release(web, request)
    assert "SOCIAL-ORG-NOTE" not in report and "EXPLANATION-MARKER" not in report
    assert "POLICE-SHARED-NOTE" in report and "Lokaal team Noord" in report
    assert IDENTITY_NAME in report and "withheld" not in report.lower()
    page = web("privacy").get(f"/privacy/subject-access/{request.pk}/").content.decode()
    assert "EXPLANATION-MARKER" in page and "SOCIAL-ORG-NOTE" not in page


def test_the_whole_case_withheld_takes_its_notes_and_agreements_with_it(
    cast: Cast, scenario: Scenario, web: Any
) -> None:
    coordinator = cast.coordinator.user
    services.agreement_create(
        actor=coordinator,
        case=access_case(coordinator, scenario.case.pk),
        description="AGREEMENT-MARKER a safety plan",
        owner_organisation=cast.orgs["local_team"],
        due_date=DUE,
    )
    request = prepare(cast)
    assert withhold(web, request, None, "safety_of_others").status_code == 302
    report = release(web, request)
    assert "NOTE" not in report and "AGREEMENT-MARKER" not in report


def test_a_released_report_holds_the_agreements_with_their_owner_due_date_and_status(
    cast: Cast, scenario: Scenario, web: Any
) -> None:
    coordinator = cast.coordinator.user
    services.agreement_create(
        actor=coordinator,
        case=access_case(coordinator, scenario.case.pk),
        description="AGREEMENT-MARKER a safety plan",
        owner_organisation=cast.orgs["local_team"],
        due_date=DUE,
    )
    report = release(web, prepare(cast))
    assert "AGREEMENT-MARKER a safety plan" in report and date_format(DUE, "j M Y") in report
    assert "Open" in report


def test_the_review_shows_no_text_the_coordinator_may_not_read(
    cast: Cast, scenario: Scenario, web: Any
) -> None:
    page = web("coordinator").get(review_url(prepare(cast))).content.decode()
    assert "SOCIAL-ORG-NOTE" in page and "COORD-ONLY-NOTE" in page
    assert "POLICE-DOMAIN-NOTE" not in page  # the justice domain's own note
    assert "domain only; withhold it by organisation or as an entry" in page


def test_an_entry_and_an_organisation_at_once_or_a_foreign_entry_change_nothing(
    cast: Cast, scenario: Scenario, web: Any
) -> None:
    request = prepare(cast)
    entry = entry_of(scenario.case, "SOCIAL-ORG-NOTE")
    for data in (
        {"organisation": cast.orgs["police"].pk, "entry": entry},
        {"entry": "note:00000000-0000-0000-0000-000000000000"},
        {"entry": "curiosity"},
    ):
        posted = web("coordinator").post(
            review_url(request),
            {**data, "ground": "safety_of_others", "explanation": "KEEP-THIS explanation"},
        )
        assert posted.status_code == 400 and "KEEP-THIS" in posted.content.decode()
    with pytest.raises(ValidationError):
        subject_access.withholding_set(
            actor=cast.coordinator.user,
            item=access_subject_access_review(cast.coordinator.user, request.items.get().pk),
            organisation=None,
            ground="safety_of_others",
            explanation="Another case's note.",
            entry_kind="note",
            entry_id=refer(cast, persona="social").pk,  # an id, but not of a note of this case
        )
    assert not Withholding.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_same_withholding_set_twice_at_once_is_one_withholding_and_no_error(
    cast: Cast, scenario: Scenario
) -> None:
    """Two coordinators (or a double click) withhold the same at the same moment: the second
    waits for the first and then replaces its ground, instead of failing on the unique row."""
    require_postgresql("SQLite has one writer: two withholdings cannot overlap")
    item_id = prepare(cast).items.get().pk
    coordinator = cast.coordinator.user
    start, failures = threading.Barrier(2), []

    def withhold_now(ground: str) -> None:
        try:
            item = access_subject_access_review(coordinator, item_id)
            start.wait(timeout=30)
            subject_access.withholding_set(
                actor=coordinator,
                item=item,
                organisation=cast.orgs["police"],
                ground=ground,
                explanation="the prosecutor asked us to wait",
            )
        except BaseException as error:  # reported by the main thread
            failures.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=withhold_now, args=(ground,))
        for ground in ("criminal_investigation", "safety_of_others")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert Withholding.objects.filter(item_id=item_id).count() == 1
