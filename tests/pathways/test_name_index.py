"""The blind name index: a name search is a lookup of keyed digests, never a decryption of the
caseload; the index follows renames, erasure and key rotation (decision 36)."""

from __future__ import annotations

import hashlib
import html
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from tests.factories import ParticipantFactory

from emplus.core import blind_index, crypto
from emplus.pathways import services
from emplus.pathways.models import ParticipantNameToken
from emplus.pathways.rights import participant_erase
from emplus.pathways.selectors import CaseloadFilters, participant_list

pytestmark = pytest.mark.django_db

OLD_KEY, NEW_KEY = "old-search-key-for-tests", "new-search-key-for-tests"


def found(viewer, q: str) -> list[str]:
    people = participant_list(viewer=viewer, filters=CaseloadFilters(q=q), audit_shown=False)
    return sorted(p.participant_ref for p in people)


def test_words_are_normalised_and_prefixes_from_two_letters_are_indexed(settings):
    settings.EMPLUS_SEARCH_KEYS = [OLD_KEY]
    assert blind_index.words("Anna-Karin ÅSBERG") == ["anna", "karin", "åsberg"]
    # "anna": an, ann, anna; "åsberg": 5 prefixes of two letters or more
    assert len(blind_index.index_digests("Anna", "Åsberg")) == 3 + 5
    # one-letter words have nothing to look up; each other word has one digest per key
    settings.EMPLUS_SEARCH_KEYS = [NEW_KEY, OLD_KEY]
    wanted = blind_index.term_digests("a ÅS kar")
    assert [len(digests) for digests in wanted] == [2, 2]
    assert blind_index.term_digests("a") == []


def test_the_index_holds_neither_names_nor_unkeyed_hashes(settings, coach, unit_a1):
    settings.EMPLUS_SEARCH_KEYS = [OLD_KEY]
    person = ParticipantFactory(actor=coach, unit=unit_a1, given_name="Berit", family_name="Ek")
    digests = set(person.name_tokens.values_list("digest", flat=True))
    assert digests == blind_index.index_digests("Berit", "Ek")
    assert all(len(d) == 32 and set(d) <= set("0123456789abcdef") for d in digests)
    unkeyed = {hashlib.sha256(p.encode()).hexdigest()[:32] for p in ("be", "berit", "ek")}
    assert digests.isdisjoint(unkeyed)
    settings.EMPLUS_SEARCH_KEYS = [NEW_KEY]  # another key: other digests
    assert digests.isdisjoint(blind_index.index_digests("Berit", "Ek"))


def test_a_search_finds_word_prefixes_of_either_name_or_with_a_digit_any_part_of_the_reference(
    coach, unit_a1
):
    ParticipantFactory(
        actor=coach, unit=unit_a1, participant_ref="A-101", given_name="Åsa", family_name="Lind"
    )
    ParticipantFactory(
        actor=coach,
        unit=unit_a1,
        participant_ref="A-102",
        given_name="Anna-Karin",
        family_name="Lindqvist",
    )
    ParticipantFactory(
        actor=coach, unit=unit_a1, participant_ref="B-200", given_name="Omar", family_name="Berg"
    )
    assert found(coach, "lind") == ["A-101", "A-102"]
    assert found(coach, "ÅSA") == ["A-101"]  # case and composed letters do not matter
    assert found(coach, "karin lind") == ["A-102"]  # every word must match
    assert found(coach, "anna-karin") == ["A-102"]
    assert found(coach, "karin berg") == []
    assert found(coach, "a-10") == ["A-101", "A-102"]  # a digit: the reference, any part
    assert found(coach, "-20") == ["B-200"]
    assert found(coach, "qvist") == []  # inside a word is not a prefix: documented
    assert found(coach, "x") == []  # one letter: only references could match


def test_a_search_never_reaches_beyond_the_scope(coach, other_unit_coach, unit_a1, unit_a2):
    ParticipantFactory(actor=coach, unit=unit_a1, participant_ref="A1-1", family_name="Sameson")
    ParticipantFactory(
        actor=other_unit_coach, unit=unit_a2, participant_ref="A2-1", family_name="Sameson"
    )
    assert found(coach, "sameson") == ["A1-1"]
    assert found(other_unit_coach, "sameson") == ["A2-1"]


def test_a_rename_moves_the_index_and_erasure_empties_it(coach, unit_a1):
    person = ParticipantFactory(
        actor=coach, unit=unit_a1, participant_ref="R-1", given_name="Eva", family_name="Ström"
    )
    services.participant_update(actor=coach, participant=person, family_name="Nordin")
    assert found(coach, "ström") == []
    assert found(coach, "eva nord") == ["R-1"]
    participant_erase(actor=coach, participant=person, reason="request")
    assert not ParticipantNameToken.objects.filter(participant=person).exists()
    assert found(coach, "eva") == []


def test_rotate_field_keys_rewrites_the_index_with_the_newest_key(settings, coach, unit_a1):
    settings.EMPLUS_SEARCH_KEYS = [OLD_KEY]
    ParticipantFactory(actor=coach, unit=unit_a1, participant_ref="K-1", family_name="Holm")
    # the new key first: the index still answers from the old digests during the rotation
    settings.EMPLUS_SEARCH_KEYS = [NEW_KEY, OLD_KEY]
    assert found(coach, "holm") == ["K-1"]
    call_command("rotate_field_keys", stdout=(out := StringIO()))
    assert "Search index rewritten for 1 records." in out.getvalue()
    # the old key can go
    settings.EMPLUS_SEARCH_KEYS = [NEW_KEY]
    assert found(coach, "holm") == ["K-1"]
    stored = set(ParticipantNameToken.objects.values_list("digest", flat=True))
    assert stored == blind_index.index_digests("Testa", "Holm")


def test_the_caseload_search_decrypts_only_the_page_it_shows(
    client, coach, unit_a1, monkeypatch, django_assert_max_num_queries
):
    for _ in range(60):
        ParticipantFactory(actor=coach, unit=unit_a1, given_name="Gemensam")
    ParticipantFactory(actor=coach, unit=unit_a1, given_name="Annan")
    decrypted = []
    real = crypto.decrypt
    monkeypatch.setattr(crypto, "decrypt", lambda token: decrypted.append(1) or real(token))
    client.force_login(coach)
    url = reverse("pathways:caseload")
    with django_assert_max_num_queries(20):
        response = client.post(url, {"q": "gemensam"})
    people = response.context["people"]
    assert len(people) == 50 and response.context["page"].paginator.count == 60
    # the two names of each row shown; the 61 matching or not would be 122
    assert len(decrypted) == 50 * 2
    # and the second page, by the link of the first, decrypts its ten rows' names
    link = re.search(r'href="(\?search=[^"&]+&amp;page=2)"', response.content.decode())
    assert link is not None
    decrypted.clear()
    with django_assert_max_num_queries(20):
        second = client.get(url + html.unescape(link[1]))
    assert len(second.context["people"]) == 10 and len(decrypted) == 10 * 2
