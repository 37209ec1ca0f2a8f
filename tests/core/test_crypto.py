"""Field encryption with key rotation, keyed pseudonyms and masking of personal identity numbers."""

from __future__ import annotations

import base64
import hmac
from io import StringIO

import pytest
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.apps import apps
from django.apps.registry import Apps
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, models
from django.db.migrations.writer import MigrationWriter

from emplus.core.crypto import (
    DecryptionError,
    EncryptedTextField,
    decrypt,
    encrypt,
    encrypt_many,
    is_current,
    mask_personal_id,
    pseudonym,
    pseudonyms,
    rotate,
)
from emplus.core.management.commands.rotate_field_keys import encrypted_fields

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()

# A stand-in for the first real user of the field (the pathway module), kept in its own app
# registry so that it never reaches migrations or the rest of the suite.
_isolated = Apps(["emplus.core"])


class SealedNote(models.Model):
    id = models.IntegerField(primary_key=True)
    body = EncryptedTextField()
    remark = EncryptedTextField(null=True, blank=True)

    class Meta:
        apps = _isolated
        app_label = "core"
        db_table = "test_core_sealednote"

    def __str__(self) -> str:
        return f"note {self.pk}"


@pytest.fixture
def old_key(settings):
    settings.EMPLUS_FIELD_KEYS = [OLD_KEY]


@pytest.fixture
def sealed_notes(db, monkeypatch):
    """The table, inside the test's transaction (rolled back with it), and the model made
    visible to the rotation command's model discovery."""
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {q(SealedNote._meta.db_table)} "
            "(id integer PRIMARY KEY, body text NOT NULL, remark text NULL)"
        )
    real_models = apps.get_models()
    monkeypatch.setattr(apps, "get_models", lambda *a, **kw: [*real_models, SealedNote])
    return SealedNote


def _raw_row(pk: int) -> tuple[str, str | None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT body, remark FROM test_core_sealednote WHERE id = %s", [pk])
        return cursor.fetchone()


def test_round_trip(old_key):
    assert decrypt(encrypt("Anna Andersson, 070-123 45 67")) == "Anna Andersson, 070-123 45 67"
    assert decrypt(encrypt("")) == ""


def test_each_encryption_differs_so_ciphertext_reveals_no_equality(old_key):
    assert encrypt("same") != encrypt("same")


def test_wrong_keys_raise_a_decryption_error(settings, old_key):
    # given
    token = encrypt("secret")
    # when
    settings.EMPLUS_FIELD_KEYS = [NEW_KEY]
    # then
    with pytest.raises(DecryptionError):
        decrypt(token)
    with pytest.raises(DecryptionError):
        rotate(token)


def test_old_tokens_decrypt_after_a_new_key_is_put_first_and_rotate_to_it(settings, old_key):
    # given
    token = encrypt("secret")
    # when
    settings.EMPLUS_FIELD_KEYS = [NEW_KEY, OLD_KEY]
    # then
    assert decrypt(token) == "secret"
    assert not is_current(token)
    rotated = rotate(token)
    assert is_current(rotated)
    settings.EMPLUS_FIELD_KEYS = [NEW_KEY]
    assert decrypt(rotated) == "secret"


def test_field_prepares_ciphertext_and_reads_plaintext(old_key):
    field = EncryptedTextField()
    stored = field.get_prep_value("Storgatan 1")
    assert stored != "Storgatan 1"
    assert "Storgatan" not in stored
    assert field.from_db_value(stored, None, connection) == "Storgatan 1"
    assert field.get_prep_value(None) is None
    assert field.from_db_value(None, None, connection) is None


def test_field_deconstructs_to_a_plain_path_that_migrations_can_write():
    field = EncryptedTextField(null=True, blank=True)
    name, path, args, kwargs = field.deconstruct()
    assert path == "emplus.core.crypto.EncryptedTextField"
    assert kwargs == {"null": True, "blank": True}
    rebuilt = EncryptedTextField(*args, **kwargs)
    assert rebuilt.null and rebuilt.blank
    source, imports = MigrationWriter.serialize(field)
    assert source == "emplus.core.crypto.EncryptedTextField(blank=True, null=True)"
    assert imports == {"import emplus.core.crypto"}


def test_field_refuses_unique_or_index():
    class Indexed(models.Model):
        secret = EncryptedTextField(db_index=True)

        class Meta:
            apps = _isolated
            app_label = "core"

        def __str__(self) -> str:
            return "indexed"

    assert [e.id for e in Indexed._meta.get_field("secret").check()] == ["emplus.E001"]


def test_database_holds_ciphertext_not_plaintext(old_key, sealed_notes):
    # when
    sealed_notes.objects.create(id=1, body="Anna Andersson", remark=None)
    # then
    body, remark = _raw_row(1)
    assert "Anna" not in body
    assert remark is None
    assert decrypt(body) == "Anna Andersson"
    assert sealed_notes.objects.get(pk=1).body == "Anna Andersson"


def test_only_isnull_lookups_are_allowed(old_key, sealed_notes):
    sealed_notes.objects.create(id=1, body="x", remark=None)
    assert sealed_notes.objects.filter(remark__isnull=True).count() == 1
    with pytest.raises(FieldError):
        sealed_notes.objects.filter(body="x").count()
    with pytest.raises(FieldError):
        sealed_notes.objects.filter(body__icontains="x").count()


def test_rotate_field_keys_re_encrypts_every_value_to_the_newest_key(settings, sealed_notes):
    # given: rows written while only the old key existed
    settings.EMPLUS_FIELD_KEYS = [OLD_KEY]
    for pk in range(1, 8):
        sealed_notes.objects.create(id=pk, body=f"note {pk}", remark="kept" if pk % 2 else None)
    settings.EMPLUS_FIELD_KEYS = [NEW_KEY, OLD_KEY]
    assert sealed_notes.objects.get(pk=3).body == "note 3"  # old data still readable
    # when
    call_command("rotate_field_keys", batch_size=3, stdout=(out := StringIO()))
    # then: the old key can go
    assert "core.SealedNote: 11 values re-encrypted" in out.getvalue()
    settings.EMPLUS_FIELD_KEYS = [NEW_KEY]
    notes = {n.pk: (n.body, n.remark) for n in sealed_notes.objects.all()}
    assert notes == {pk: (f"note {pk}", "kept" if pk % 2 else None) for pk in range(1, 8)}
    # and a second run has nothing left to do
    call_command("rotate_field_keys", stdout=(out := StringIO()))
    assert "core.SealedNote: 0 values re-encrypted" in out.getvalue()


def test_rotate_field_keys_stops_on_a_value_no_key_opens(settings, sealed_notes):
    settings.EMPLUS_FIELD_KEYS = [OLD_KEY]
    sealed_notes.objects.create(id=1, body="note")
    settings.EMPLUS_FIELD_KEYS = [NEW_KEY]
    with pytest.raises(Exception, match="core.SealedNote 1 body: no key"):
        call_command("rotate_field_keys", stdout=StringIO())


@pytest.mark.django_db
def test_rotate_field_keys_finds_no_fields_among_current_platform_models():
    # The pathway module will be the first real user; until then there is nothing to rotate.
    assert all(model is not SealedNote for model, _ in encrypted_fields())
    call_command("rotate_field_keys", stdout=(out := StringIO()))
    assert "Re-encrypted" in out.getvalue()


def test_encrypting_many_gives_fernet_tokens_that_decrypt_and_rotate(settings, old_key):
    # given values of one, two and several AES blocks, empty and non-ASCII ones
    values = ["199001011234", "", "x" * 16, "Åsa Lindqvist-Öberg, Storgatan 1", "z" * 100, "a"]
    # when
    tokens = encrypt_many(values)
    # then each is a Fernet token of the newest key, read by `decrypt` and by Fernet itself
    assert [decrypt(t) for t in tokens] == values
    assert [Fernet(OLD_KEY).decrypt(t.encode()).decode() for t in tokens] == values
    assert all(is_current(t) for t in tokens)
    # and no two are equal, not even for equal values (a random IV each)
    again = encrypt_many(values * 2)
    assert len(set(again) | set(tokens)) == len(again) + len(tokens)
    # and the key rotation takes them like any other token
    settings.EMPLUS_FIELD_KEYS = [NEW_KEY, OLD_KEY]
    assert [decrypt(rotate(t)) for t in tokens] == values
    assert encrypt_many([]) == []


def test_encrypting_many_needs_a_valid_key(settings):
    settings.EMPLUS_FIELD_KEYS = []
    with pytest.raises(ImproperlyConfigured):
        encrypt_many(["x"])


# A short key, one of exactly a SHA-256 block, and a longer one (hashed first, RFC 2104).
@pytest.mark.parametrize("key", ["key-one", "k" * 64, "nyckel-å" * 20])
def test_pseudonyms_of_many_are_the_pseudonyms_of_each(settings, key):
    settings.EMPLUS_PSEUDONYM_KEY = key
    numbers = ["199001011234", "199001011235", "20000101-0000"]
    assert pseudonyms(numbers) == [pseudonym(n) for n in numbers]
    assert pseudonyms([]) == []
    with pytest.raises(ValueError):
        pseudonyms(["199001011234", ""])


def test_pseudonym_is_stable_keyed_and_not_the_identifier(settings):
    settings.EMPLUS_PSEUDONYM_KEY = "key-one"
    first = pseudonym("199001011234")
    assert first == pseudonym("199001011234")
    assert len(first) == 64 and int(first, 16) >= 0
    assert "199001011234" not in first
    assert pseudonym("199001011235") != first
    settings.EMPLUS_PSEUDONYM_KEY = "key-two"
    assert pseudonym("199001011234") != first


def test_pseudonym_of_nothing_is_refused(settings):
    with pytest.raises(ValueError):
        pseudonym("")


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("199001011234", "19900101-****"),
        ("19900101-1234", "19900101-****"),
        ("9001011234", "900101-****"),
        ("900101-1234", "900101-****"),
        ("121212+1212", "121212+****"),
        (" 199001611234 ", "19900161-****"),
        ("", ""),
        (None, ""),
        ("not a number 1234", "****"),
    ],
)
def test_mask_personal_id(value, masked):
    assert mask_personal_id(value) == masked


@pytest.mark.parametrize(
    "plaintext", ["", "a", "x" * 15, "x" * 16, "x" * 17, "Åsa Öberg-Ängström", "名前 " * 40]
)
def test_decrypt_reads_every_fernet_token_as_fernet_does(settings, plaintext):
    # given: tokens of the older key and of the newest, as Fernet writes them
    settings.EMPLUS_FIELD_KEYS = [NEW_KEY, OLD_KEY]
    tokens = [Fernet(key).encrypt(plaintext.encode()).decode() for key in (NEW_KEY, OLD_KEY)]
    # then
    assert [decrypt(token) for token in tokens] == [plaintext, plaintext]


def test_decrypt_refuses_what_fernet_refuses(settings, old_key):
    # given: a token and every single-byte change of it, a shortened one and a foreign key's
    token = encrypt("Anna Andersson")
    raw = bytearray(base64.urlsafe_b64decode(token))
    tampered = []
    for position in range(len(raw)):
        changed = bytearray(raw)
        changed[position] ^= 0x01
        tampered.append(base64.urlsafe_b64encode(bytes(changed)).decode())
    truncated = base64.urlsafe_b64encode(bytes(raw[:-16])).decode()
    foreign = Fernet(NEW_KEY).encrypt(b"Anna Andersson").decode()
    reference = MultiFernet([Fernet(OLD_KEY)])
    for bad in [*tampered, truncated, foreign, "", "not a token", "gAAAA"]:
        # then: both refuse it (the time stamp is signed too, so no change goes unnoticed)
        with pytest.raises(InvalidToken):
            reference.decrypt(bad.encode())
        with pytest.raises(DecryptionError):
            decrypt(bad)


def test_decrypt_refuses_a_signed_token_with_bad_padding(settings, old_key):
    # given: a token signed with the right key whose last block does not unpad (Fernet would
    # only ever write it with the key in hand)
    raw_key = base64.urlsafe_b64decode(OLD_KEY)
    signing_key, encryption_key = raw_key[:16], raw_key[16:]
    iv = bytes(16)
    encryptor = Cipher(algorithms.AES(encryption_key), modes.CBC(iv)).encryptor()
    body = encryptor.update(b"sixteen bytes!!\x00") + encryptor.finalize()
    signed = b"\x80" + bytes(8) + iv + body
    token = base64.urlsafe_b64encode(signed + hmac.digest(signing_key, signed, "sha256")).decode()
    # then
    with pytest.raises(InvalidToken):
        Fernet(OLD_KEY).decrypt(token.encode())
    with pytest.raises(DecryptionError):
        decrypt(token)
