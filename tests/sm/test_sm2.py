"""SM mode's primitives: SM3 through `cryptography`, SM2 signatures through OpenSSL
(`ledger.infra.sm2`) and in plain Python (`ledger.offline.sm2_verify`), held to the standards'
published examples, to each other and to the `openssl` command line, and the trap pinned:
OpenSSL 3.0 signs with an empty user id unless it is given the one our profile fixes."""

from __future__ import annotations

import base64
import ctypes.util
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.infra import sm2
from ledger.offline import _SM2_GX, _SM2_GY, _SM2_N, SM2_ID, _sm2_linear, sm2_verify, za
from ledger.offline import sm3 as _sm3

# The SM2 signature example on the recommended curve sm2p256v1, as published in
# GB/T 32918.5-2017 (SM2 part 5, parameter definitions; the same example as GM/T 0003.5-2012):
# private key d, its public key, user id "1234567812345678", message "message digest",
# nonce k and the signature (r, s). Z_A and e are the intermediate values as other SM2
# implementations' tests print them; the first test shows all of these agree.
EXAMPLE_D = 0x3945208F_7B2144B1_3F36E38A_C6D39F95_88939369_2860B51A_42FB81EF_4DF7C5B8
EXAMPLE_PUBLIC = bytes.fromhex(
    "04 09F9DF31 1E5421A1 50DD7D16 1E4BC5C6 72179FAD 1833FC07 6BB08FF3 56F35020"
    "   CCEA490C E26775A5 2DC6EA71 8CC1AA60 0AED05FB F35E084A 6632F607 2DA9AD13"
)
EXAMPLE_ID = b"1234567812345678"
EXAMPLE_MESSAGE = b"message digest"
EXAMPLE_K = 0x59276E27_D506861A_16680F3A_D9C02DCC_EF3CC1FA_3CDBE4CE_6D54B80D_EAC1BC21
EXAMPLE_ZA = bytes.fromhex(
    "B2E14C5C 79C6DF5B 85F4FE7E D8DB7A26 2B9DA7E0 7CCB0EA9 F4747B8C CDA8A4F3"
)
EXAMPLE_E = bytes.fromhex("F0B43E94 BA45ACCA ACE692ED 534382EB 17E6AB5A 19CE7B31 F4486FDF C0D28640")
EXAMPLE_SIGNATURE = bytes.fromhex(
    "F5A03B06 48D2C463 0EEAC513 E1BB81A1 5944DA38 27D5B741 43AC7EAC EEE720B3"
    "B1B6AA29 DF212FD8 763182BC 0D421CA1 BB9038FD 1F7F42D4 840B69C4 85BBC1AA"
)
# The other well-known example (GB/T 32918.2 Annex A, id "ALICE123@YAHOO.COM") is on a
# 256-bit test curve, not sm2p256v1, so it cannot exercise a verifier of sm2p256v1.

needs_sm2 = pytest.mark.skipif(sm2.available() is not None, reason=str(sm2.available()))
needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl command")


def _public(d: int) -> bytes:
    point = _sm2_linear(d, 0, (_SM2_GX, _SM2_GY))
    assert point is not None
    return b"\x04" + point[0].to_bytes(32, "big") + point[1].to_bytes(32, "big")


def _sign_for_tests_only(d: int, message: bytes, k: int, user_id: bytes = SM2_ID) -> bytes:
    """NOT FOR SIGNING ANYTHING REAL: the SM2 signing equations with the nonce ``k`` chosen by
    the caller, in plain Python and not constant-time, only to reproduce the standard's
    example and to make signatures for OpenSSL to check. The ledger signs with OpenSSL."""
    e = int.from_bytes(_sm3(za(_public(d), user_id) + message), "big")
    x1 = _sm2_linear(k, 0, (_SM2_GX, _SM2_GY))
    assert x1 is not None
    r = (e + x1[0]) % _SM2_N
    s = pow(1 + d, -1, _SM2_N) * (k - r * d) % _SM2_N
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def _flip(data: bytes, index: int) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


def test_sm3_gives_the_standards_answers() -> None:
    # GB/T 32905-2016, Appendix A: examples 1 and 2.
    for message, expected in [
        (b"abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"),
        (b"abcd" * 16, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"),
    ]:
        digest = hashes.Hash(hashes.SM3())
        digest.update(message)
        assert digest.finalize().hex() == expected


def test_the_standards_example_comes_out_of_the_signing_equations() -> None:
    """The published numbers agree with one another: d gives the public key, Z_A and e are
    as printed, and signing with the fixed k gives the printed (r, s)."""
    assert _public(EXAMPLE_D) == EXAMPLE_PUBLIC
    assert za(EXAMPLE_PUBLIC, EXAMPLE_ID) == EXAMPLE_ZA
    assert _sm3(EXAMPLE_ZA + EXAMPLE_MESSAGE) == EXAMPLE_E
    signature = _sign_for_tests_only(EXAMPLE_D, EXAMPLE_MESSAGE, EXAMPLE_K, EXAMPLE_ID)
    assert signature == EXAMPLE_SIGNATURE


def test_sm2_verify_accepts_the_standards_signature_and_nothing_altered() -> None:
    assert EXAMPLE_ID == SM2_ID  # the example's id is the one our profile fixes
    assert sm2_verify(EXAMPLE_PUBLIC, EXAMPLE_MESSAGE, EXAMPLE_SIGNATURE, EXAMPLE_ID)
    assert sm2_verify(EXAMPLE_PUBLIC, EXAMPLE_MESSAGE, EXAMPLE_SIGNATURE)
    assert not sm2_verify(EXAMPLE_PUBLIC, b"message digesT", EXAMPLE_SIGNATURE)
    assert not sm2_verify(EXAMPLE_PUBLIC, EXAMPLE_MESSAGE + b"\x00", EXAMPLE_SIGNATURE)
    assert not sm2_verify(EXAMPLE_PUBLIC, EXAMPLE_MESSAGE, _flip(EXAMPLE_SIGNATURE, 31))  # r
    assert not sm2_verify(EXAMPLE_PUBLIC, EXAMPLE_MESSAGE, _flip(EXAMPLE_SIGNATURE, 63))  # s
    assert not sm2_verify(_public(EXAMPLE_D + 1), EXAMPLE_MESSAGE, EXAMPLE_SIGNATURE)
    assert not sm2_verify(_flip(EXAMPLE_PUBLIC, 64), EXAMPLE_MESSAGE, EXAMPLE_SIGNATURE)
    for other_id in (b"", b"ALICE123@YAHOO.COM", b"1234567812345679"):
        assert not sm2_verify(EXAMPLE_PUBLIC, EXAMPLE_MESSAGE, EXAMPLE_SIGNATURE, other_id)


@pytest.mark.parametrize(
    ("public_key", "signature"),
    [
        (EXAMPLE_PUBLIC[:-1], EXAMPLE_SIGNATURE),
        (b"\x02" + EXAMPLE_PUBLIC[1:], EXAMPLE_SIGNATURE),
        (b"\x04" + b"\xff" * 64, EXAMPLE_SIGNATURE),  # coordinates past p
        (EXAMPLE_PUBLIC, EXAMPLE_SIGNATURE[:-1]),
        (EXAMPLE_PUBLIC, bytes(32) + EXAMPLE_SIGNATURE[32:]),  # r = 0
        (EXAMPLE_PUBLIC, EXAMPLE_SIGNATURE[:32] + bytes(32)),  # s = 0
        (EXAMPLE_PUBLIC, _SM2_N.to_bytes(32, "big") + EXAMPLE_SIGNATURE[32:]),  # r = n
        (EXAMPLE_PUBLIC, EXAMPLE_SIGNATURE[:32] + _SM2_N.to_bytes(32, "big")),  # s = n
    ],
)
def test_malformed_input_is_no_signature(public_key: bytes, signature: bytes) -> None:
    assert not sm2_verify(public_key, EXAMPLE_MESSAGE, signature)
    if sm2.available() is None:
        assert not sm2.verify(public_key, EXAMPLE_MESSAGE, signature)


@needs_sm2
def test_openssl_accepts_the_standards_signature_under_our_id() -> None:
    assert sm2.SM2_ID == SM2_ID
    assert sm2.verify(EXAMPLE_PUBLIC, EXAMPLE_MESSAGE, EXAMPLE_SIGNATURE)
    assert not sm2.verify(EXAMPLE_PUBLIC, b"message digesT", EXAMPLE_SIGNATURE)


@needs_sm2
@pytest.mark.parametrize("message", [b"", b"x", b"message digest", os.urandom(1 << 20)])
def test_the_binding_signs_and_both_verifiers_agree(message: bytes) -> None:
    key = sm2.generate_private_key()
    public, signature = key.public_key(), key.sign(message)
    assert len(public) == 65 and public[0] == 4 and len(signature) == 64
    assert key.sign(message) != signature  # a fresh nonce each time
    for check in (sm2.verify, sm2_verify):
        assert check(public, message, signature)
        assert not check(public, message + b"!", signature)
        assert not check(public, message, _flip(signature, 0))
        assert not check(public, message, _flip(signature, 40))
        assert not check(sm2.generate_private_key().public_key(), message, signature)


@needs_sm2
def test_signatures_made_outside_openssl_verify_in_the_binding() -> None:
    for k in (1, 2, EXAMPLE_K, _SM2_N - 1, int.from_bytes(os.urandom(32), "big") % _SM2_N):
        signature = _sign_for_tests_only(EXAMPLE_D, b"checkpoint %d" % k, k)
        assert sm2.verify(EXAMPLE_PUBLIC, b"checkpoint %d" % k, signature)
        assert not sm2.verify(EXAMPLE_PUBLIC, b"checkpoint", signature)


@needs_sm2
def test_one_key_signs_from_many_threads() -> None:
    key = sm2.generate_private_key()
    messages = [b"entry %d" % n for n in range(200)]
    with ThreadPoolExecutor(8) as pool:
        signatures = list(pool.map(key.sign, messages))
        checks = pool.map(sm2.verify, [key.public_key()] * 200, messages, signatures)
        assert all(checks)


@needs_sm2
def test_keys_go_to_pem_and_back() -> None:
    key = sm2.generate_private_key()
    pem = key.private_bytes_pem()
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----\n")
    again = sm2.load_private_key_pem(pem)
    assert again.public_key() == key.public_key()
    assert sm2.verify(key.public_key(), b"m", again.sign(b"m"))
    spki = b"".join(key.public_key_pem().splitlines()[1:-1])
    assert base64.b64decode(spki) == sm2._SPKI_PREFIX + key.public_key()
    key.close()
    key.close()
    with pytest.raises(ValueError, match="closed"):
        key.sign(b"m")


@needs_sm2
@pytest.mark.parametrize(
    "pem",
    [
        b"not a key",
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    ],
)
def test_what_is_not_an_sm2_key_is_refused(pem: bytes) -> None:
    with pytest.raises(ValueError):
        sm2.load_private_key_pem(pem)


def test_signatures_go_to_der_and_back() -> None:
    for signature in (EXAMPLE_SIGNATURE, bytes(31) + b"\x01" + b"\x7f" * 32, b"\xff" * 64):
        der = sm2.raw_to_der(signature)
        assert der[0] == 0x30 and sm2.der_to_raw(der) == signature
    assert sm2.raw_to_der(EXAMPLE_SIGNATURE)[:4] == bytes.fromhex("30460221")  # sign bytes
    with pytest.raises(ValueError):
        sm2.der_to_raw(b"\x30\x00")
    with pytest.raises(ValueError):
        sm2.raw_to_der(EXAMPLE_SIGNATURE[:63])


def _openssl(*args: str, folder: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["openssl", *args], cwd=folder, capture_output=True, timeout=30)


def _openssl_sign(folder: Path, *distid: str) -> bytes:
    sign = ["pkeyutl", "-sign", "-rawin", "-digest", "sm3", *distid]
    done = _openssl(*sign, "-inkey", "key.pem", "-in", "msg", "-out", "sig.der", folder=folder)
    assert done.returncode == 0, done.stderr
    return (folder / "sig.der").read_bytes()


DISTID = ("-pkeyopt", "distid:1234567812345678")


@needs_sm2
@needs_openssl
def test_openssl_command_line_keys_and_signatures_verify_here(tmp_path: Path) -> None:
    assert (
        _openssl("genpkey", "-algorithm", "SM2", "-out", "key.pem", folder=tmp_path).returncode == 0
    )
    key = sm2.load_private_key_pem((tmp_path / "key.pem").read_bytes())
    der_public = _openssl("pkey", "-in", "key.pem", "-pubout", "-outform", "DER", folder=tmp_path)
    assert der_public.stdout == sm2._SPKI_PREFIX + key.public_key()
    message = b"tree size 42\n"
    (tmp_path / "msg").write_bytes(message)
    signature = sm2.der_to_raw(_openssl_sign(tmp_path, *DISTID))
    assert sm2.verify(key.public_key(), message, signature)
    assert sm2_verify(key.public_key(), message, signature)
    assert not sm2.verify(key.public_key(), message + b".", signature)


@needs_sm2
@needs_openssl
def test_signatures_made_here_verify_on_the_openssl_command_line(tmp_path: Path) -> None:
    key = sm2.generate_private_key()
    (tmp_path / "pub.pem").write_bytes(key.public_key_pem())
    (tmp_path / "msg").write_bytes(b"tree size 42\n")
    (tmp_path / "sig.der").write_bytes(sm2.raw_to_der(key.sign(b"tree size 42\n")))
    verify = ["pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pubin", "-inkey", "pub.pem"]
    files = ["-in", "msg", "-sigfile", "sig.der"]
    done = _openssl(*verify, *DISTID, *files, folder=tmp_path)
    assert done.returncode == 0 and b"Verified Successfully" in done.stdout, done.stderr
    assert _openssl(*verify, *files, folder=tmp_path).returncode != 0  # OpenSSL's empty id
    (tmp_path / "msg").write_bytes(b"tree size 43\n")
    assert _openssl(*verify, *DISTID, *files, folder=tmp_path).returncode != 0


@needs_sm2
@needs_openssl
def test_the_trap_openssls_default_id_is_empty_and_not_ours(tmp_path: Path) -> None:
    """Left to its default, OpenSSL 3.0 signs under an EMPTY user id: such a signature
    must not pass as one under our fixed id (which is why the id is always set)."""
    key = sm2.generate_private_key()
    (tmp_path / "key.pem").write_bytes(key.private_bytes_pem())
    (tmp_path / "msg").write_bytes(b"tree size 42\n")
    signature = sm2.der_to_raw(_openssl_sign(tmp_path))  # no distid
    public = key.public_key()
    if sm2_verify(public, b"tree size 42\n", signature):
        pytest.skip("this openssl signs under 1234567812345678 by default: no trap here")
    assert not sm2.verify(public, b"tree size 42\n", signature)
    assert not sm2_verify(public, b"tree size 42\n", signature)
    assert sm2_verify(public, b"tree size 42\n", signature, user_id=b"")  # it is the empty id


def test_without_libcrypto_sm2_is_refused_plainly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    sm2._load.cache_clear()
    try:
        with pytest.raises(sm2.SM2Unavailable, match="no libcrypto found"):
            sm2.generate_private_key()
        with pytest.raises(sm2.SM2Unavailable, match="no libcrypto found"):
            sm2.verify(EXAMPLE_PUBLIC, EXAMPLE_MESSAGE, EXAMPLE_SIGNATURE)
    finally:
        sm2._load.cache_clear()
