"""SM2 signatures with SM3 (GB/T 32918.2, GM/T 0003) through the system's OpenSSL 3.

`cryptography` has no SM2, pure-Python SM2 is slow and not constant-time: keys are made and
messages signed by OpenSSL's libcrypto through ctypes (``offline.sm2_verify`` checks only).

Fixed here so that every signature means one thing: the signer's distinguishing id, hashed
into Z_A, is always set to ``SM2_ID`` (OpenSSL 3.0 defaults to an empty id, other tools to
"1234567812345678", and a signature made under one id fails under another); a signature
leaves this module as 64 bytes r ‖ s (32 each, big-endian), a public key as the 65-byte
point 04 ‖ x ‖ y, and OpenSSL's DER signatures are converted at the edge (``der_to_raw``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from ledger.offline import SM2_ID as SM2_ID  # the profile's id, one constant

_SIZE = 32  # bytes in a coordinate, in r and in s
_BIO_CTRL_INFO = 3  # BIO_get_mem_data
# SubjectPublicKeyInfo DER up to the point: id-ecPublicKey, curve sm2p256v1, a 66-byte BIT STRING
_SPKI_PREFIX = bytes.fromhex("3059301306072a8648ce3d020106082a811ccf5501822d034200")
# A known answer: the signature example on the recommended curve in GB/T 32918.5-2017 (the
# same as GM/T 0003.5-2012), of b"message digest" under SM2_ID, with its public key.
_KNOWN_KEY = bytes.fromhex(
    "0409f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020"
    "ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13"
)
_KNOWN_SIGNATURE = bytes.fromhex(
    "f5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3"
    "b1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa"
)


class SM2Unavailable(RuntimeError):
    """The system's libcrypto is missing, older than OpenSSL 3.0, or cannot do SM2."""


_P, _INT, _SIZE_T, _TEXT = ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t, ctypes.c_char_p
_PP, _SIZE_P = ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_size_t)
_FUNCTIONS: dict[str, tuple[Any, list[Any]]] = {  # name: (result type, argument types)
    "ERR_get_error": (ctypes.c_ulong, []),
    "ERR_error_string_n": (None, [ctypes.c_ulong, _TEXT, _SIZE_T]),
    "BIO_new_mem_buf": (_P, [_TEXT, _INT]),
    "BIO_s_mem": (_P, []),
    "BIO_new": (_P, [_P]),
    "BIO_ctrl": (ctypes.c_long, [_P, _INT, ctypes.c_long, _P]),
    "BIO_free": (_INT, [_P]),
    "PEM_read_bio_PrivateKey": (_P, [_P, _P, _P, _TEXT]),
    "PEM_write_bio_PKCS8PrivateKey": (_INT, [_P, _P, _P, _TEXT, _INT, _P, _P]),
    "PEM_write_bio_PUBKEY": (_INT, [_P, _P]),
    "EVP_PKEY_CTX_new_from_name": (_P, [_P, _TEXT, _TEXT]),
    "EVP_PKEY_CTX_new_from_pkey": (_P, [_P, _P, _TEXT]),
    "EVP_PKEY_CTX_set1_id": (_INT, [_P, _TEXT, _INT]),
    "EVP_PKEY_CTX_free": (None, [_P]),
    "EVP_PKEY_keygen_init": (_INT, [_P]),
    "EVP_PKEY_keygen": (_INT, [_P, _PP]),
    "d2i_PUBKEY": (_P, [_P, ctypes.POINTER(_TEXT), ctypes.c_long]),
    "EVP_PKEY_is_a": (_INT, [_P, _TEXT]),
    "EVP_PKEY_get_octet_string_param": (_INT, [_P, _TEXT, _TEXT, _SIZE_T, _SIZE_P]),
    "EVP_PKEY_free": (None, [_P]),
    "EVP_MD_CTX_new": (_P, []),
    "EVP_MD_CTX_set_pkey_ctx": (None, [_P, _P]),
    "EVP_MD_CTX_free": (None, [_P]),
    "EVP_DigestSignInit_ex": (_INT, [_P, _PP, _TEXT, _P, _TEXT, _P, _P]),
    "EVP_DigestSign": (_INT, [_P, _TEXT, _SIZE_P, _TEXT, _SIZE_T]),
    "EVP_DigestVerifyInit_ex": (_INT, [_P, _PP, _TEXT, _P, _TEXT, _P, _P]),
    "EVP_DigestVerify": (_INT, [_P, _TEXT, _SIZE_T, _TEXT, _SIZE_T]),
}


@functools.cache
def _load() -> ctypes.CDLL | str:
    """The system libcrypto with its functions typed, or why it cannot do SM2."""
    name = ctypes.util.find_library("crypto")
    if name is None:
        return "no libcrypto found (ctypes.util.find_library('crypto') found none)"
    try:
        lib = ctypes.CDLL(name)
        lib.OpenSSL_version_num.restype = ctypes.c_ulong
        lib.OpenSSL_version.restype, lib.OpenSSL_version.argtypes = _TEXT, [_INT]
        number = int(lib.OpenSSL_version_num())
        found = f"{name} ({lib.OpenSSL_version(0).decode(errors='replace')})"
    except (OSError, AttributeError) as error:
        return f"{name} is not a usable OpenSSL 3 libcrypto ({error})"
    if number < 0x3000_0000:  # OpenSSL_version_num() of 3.0.0
        return f"{found} is older than OpenSSL 3.0, which SM2 signing here needs"
    try:
        for function, (result, arguments) in _FUNCTIONS.items():
            getattr(lib, function).restype = result
            getattr(lib, function).argtypes = arguments
    except AttributeError as error:
        return f"{found} lacks an OpenSSL 3 function: {error}"
    context = lib.EVP_PKEY_CTX_new_from_name(None, b"SM2", None)
    if not context:
        return f"{found} has no SM2 ({_errors(lib)})"
    lib.EVP_PKEY_CTX_free(context)
    return lib


def _lib() -> ctypes.CDLL:
    if isinstance(loaded := _load(), str):
        raise SM2Unavailable(loaded)
    return loaded


def _errors(lib: ctypes.CDLL) -> str:
    """OpenSSL's queued error messages, emptying the queue (for the thread calling)."""
    messages, text = [], ctypes.create_string_buffer(256)
    while code := lib.ERR_get_error():
        lib.ERR_error_string_n(code, text, len(text))
        messages.append(text.value.decode(errors="replace"))
    return "; ".join(messages) or "OpenSSL gave no reason"


def _pem(lib: ctypes.CDLL, write: Any, *args: Any) -> bytes:
    """The PEM that OpenSSL's writer ``write`` makes of ``args``, through a memory BIO."""
    bio, data = lib.BIO_new(lib.BIO_s_mem()), ctypes.c_void_p()
    try:
        if not bio or write(bio, *args) != 1:
            raise RuntimeError(f"OpenSSL could not write PEM: {_errors(lib)}")
        size = lib.BIO_ctrl(bio, _BIO_CTRL_INFO, 0, ctypes.byref(data))  # points data at it
        return ctypes.string_at(data, size)
    finally:
        lib.BIO_free(bio)


def der_to_raw(der: bytes) -> bytes:
    """A DER SM2 signature (SEQUENCE of INTEGER r, s, as OpenSSL writes) as 64 bytes r ‖ s."""
    r, s = decode_dss_signature(der)
    if not (0 <= r < 1 << (8 * _SIZE) and 0 <= s < 1 << (8 * _SIZE)):
        raise ValueError("an SM2 signature's r and s are 32-byte numbers")
    return r.to_bytes(_SIZE, "big") + s.to_bytes(_SIZE, "big")


def raw_to_der(signature: bytes) -> bytes:
    """64 bytes r ‖ s as the DER OpenSSL reads."""
    if len(signature) != 2 * _SIZE:
        raise ValueError(f"an SM2 signature here is {2 * _SIZE} bytes r ‖ s")
    return encode_dss_signature(
        int.from_bytes(signature[:_SIZE], "big"), int.from_bytes(signature[_SIZE:], "big")
    )


@contextmanager
def _digest_context(lib: ctypes.CDLL, pkey: int, init: Any) -> Iterator[int]:
    """An EVP_MD_CTX ready to sign or verify (``init``) with SM3 under ``SM2_ID``: the id
    goes on our own pkey context before the digest is set up, so that Z_A is made with it."""
    digest = lib.EVP_MD_CTX_new()
    pkey_context = lib.EVP_PKEY_CTX_new_from_pkey(None, pkey, None)
    try:
        if not digest or not pkey_context:
            raise MemoryError(f"OpenSSL could not make a signing context: {_errors(lib)}")
        if lib.EVP_PKEY_CTX_set1_id(pkey_context, SM2_ID, len(SM2_ID)) != 1:
            raise RuntimeError(f"OpenSSL refused the SM2 id: {_errors(lib)}")
        lib.EVP_MD_CTX_set_pkey_ctx(digest, pkey_context)
        if init(digest, None, b"SM3", None, None, pkey, None) != 1:
            raise RuntimeError(f"OpenSSL could not start SM2 with SM3: {_errors(lib)}")
        yield digest
    finally:
        lib.EVP_MD_CTX_free(digest)  # first: it does not own the pkey context it borrows
        lib.EVP_PKEY_CTX_free(pkey_context)


class SM2PrivateKey:
    """An SM2 signing key held inside OpenSSL (an EVP_PKEY), freed by ``close`` or when the
    object is collected. Make one with ``generate_private_key`` or ``load_private_key_pem``."""

    def __init__(self, lib: ctypes.CDLL, pkey: int) -> None:
        self._lib, self._pkey = lib, pkey

    def close(self) -> None:
        pkey, self._pkey = self._pkey, 0
        if pkey:
            self._lib.EVP_PKEY_free(pkey)

    def __del__(self) -> None:
        self.close()

    def _key(self) -> int:
        if not self._pkey:
            raise ValueError("this SM2 key is closed")
        return self._pkey

    def private_bytes_pem(self) -> bytes:
        """The key as unencrypted PKCS#8 PEM, as `openssl genpkey -algorithm SM2` writes."""
        write = self._lib.PEM_write_bio_PKCS8PrivateKey
        return _pem(self._lib, write, self._key(), None, None, 0, None, None)

    def public_key(self) -> bytes:
        """The public key as the 65-byte uncompressed point 04 ‖ x ‖ y."""
        point, size = ctypes.create_string_buffer(1 + 2 * _SIZE), ctypes.c_size_t()
        got = self._lib.EVP_PKEY_get_octet_string_param(
            self._key(), b"encoded-pub-key", point, len(point), ctypes.byref(size)
        )
        if got != 1 or size.value != len(point) or point.raw[0] != 4:
            raise RuntimeError(f"OpenSSL gave no uncompressed point: {_errors(self._lib)}")
        return point.raw

    def public_key_pem(self) -> bytes:
        """The public key as SubjectPublicKeyInfo PEM, for `openssl pkeyutl -pubin`."""
        return _pem(self._lib, self._lib.PEM_write_bio_PUBKEY, self._key())

    def sign(self, message: bytes) -> bytes:
        """The SM2 signature with SM3 of ``message`` under ``SM2_ID``: 64 bytes r ‖ s."""
        lib, key = self._lib, self._key()
        with _digest_context(lib, key, lib.EVP_DigestSignInit_ex) as digest:
            der, size = ctypes.create_string_buffer(80), ctypes.c_size_t(80)  # DER is ≤ 72
            if lib.EVP_DigestSign(digest, der, ctypes.byref(size), message, len(message)) != 1:
                raise RuntimeError(f"OpenSSL could not sign with SM2: {_errors(lib)}")
        return der_to_raw(der.raw[: size.value])


def _sm2(lib: ctypes.CDLL, pkey: int | None, what: str) -> int:
    """``pkey`` if OpenSSL made one and it is an SM2 key (else it is freed: ValueError)."""
    if not pkey:
        raise ValueError(f"OpenSSL could not {what}: {_errors(lib)}")
    if lib.EVP_PKEY_is_a(pkey, b"SM2") != 1:
        lib.EVP_PKEY_free(pkey)
        raise ValueError(f"not an SM2 key (could not {what} as SM2)")
    return pkey


def generate_private_key() -> SM2PrivateKey:
    """A new SM2 key pair on sm2p256v1, from OpenSSL's random generator."""
    lib, pkey = _lib(), ctypes.c_void_p()
    context = lib.EVP_PKEY_CTX_new_from_name(None, b"SM2", None)
    try:
        if not context or lib.EVP_PKEY_keygen_init(context) != 1:
            raise RuntimeError(f"OpenSSL could not start SM2 key generation: {_errors(lib)}")
        if lib.EVP_PKEY_keygen(context, ctypes.byref(pkey)) != 1:
            raise RuntimeError(f"OpenSSL could not generate an SM2 key: {_errors(lib)}")
    finally:
        lib.EVP_PKEY_CTX_free(context)
    return SM2PrivateKey(lib, _sm2(lib, pkey.value, "generate an SM2 key"))


def load_private_key_pem(data: bytes) -> SM2PrivateKey:
    """The SM2 key in unencrypted PKCS#8 PEM ``data`` (as `openssl genpkey` writes)."""
    lib = _lib()
    bio = lib.BIO_new_mem_buf(data, len(data))
    try:
        pkey = lib.PEM_read_bio_PrivateKey(bio, None, None, b"")  # "": fail, never prompt
    finally:
        lib.BIO_free(bio)
    return SM2PrivateKey(lib, _sm2(lib, pkey, "read an unencrypted PEM private key"))


def _public_pkey(lib: ctypes.CDLL, point: bytes) -> int:
    """An EVP_PKEY for the SM2 public key ``point`` (04 ‖ x ‖ y); ValueError if it is not
    one (OpenSSL refuses a point that is not on the curve)."""
    der = _SPKI_PREFIX + point
    cursor = ctypes.c_char_p(der)  # d2i_PUBKEY moves it past what it reads
    return _sm2(lib, lib.d2i_PUBKEY(None, ctypes.byref(cursor), len(der)), "read the point")


def verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Whether ``signature`` (64 bytes r ‖ s) is the SM2 signature with SM3 of ``message``
    under ``SM2_ID`` by ``public_key`` (65 bytes 04 ‖ x ‖ y). Malformed input is False."""
    lib = _lib()
    if len(public_key) != 1 + 2 * _SIZE or public_key[0] != 4 or len(signature) != 2 * _SIZE:
        return False
    try:
        pkey = _public_pkey(lib, public_key)
    except ValueError:
        return False
    try:
        der = raw_to_der(signature)
        with _digest_context(lib, pkey, lib.EVP_DigestVerifyInit_ex) as digest:
            return bool(lib.EVP_DigestVerify(digest, der, len(der), message, len(message)) == 1)
    finally:
        lib.EVP_PKEY_free(pkey)
        _errors(lib)  # empties the queue: a refused signature leaves its reason there


@functools.cache
def available() -> str | None:
    """None if SM2 works here, else why not, for the service to refuse SM2 mode plainly at
    start. It checks a known answer (which fails if the id is not applied) and a round trip."""
    if isinstance(loaded := _load(), str):
        return loaded
    try:
        key = generate_private_key()
        if not verify(_KNOWN_KEY, b"message digest", _KNOWN_SIGNATURE):
            return "SM2 self-test: OpenSSL rejects the standard's example signature"
        if not verify(key.public_key(), b"self-test", key.sign(b"self-test")):
            return "SM2 self-test: OpenSSL's own signature does not verify"
        return None
    except (RuntimeError, ValueError, MemoryError) as error:
        return f"SM2 self-test failed: {error}"
