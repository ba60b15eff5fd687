"""Where a dataset or an input lives: a local folder, or a prefix in an S3 or GCS bucket.

One filesystem layer for all of them: fsspec (``LocalFileSystem``, ``s3fs``, ``gcsfs``). Why fsspec
rather than pyarrow.fs or Beam's FileSystems: every reader of the dataset takes an fsspec filesystem
as it is (pyarrow, DuckDB's ``register_filesystem``, Polars, Dask), its S3 and GCS back ends offer
the exclusive create that the dataset lock needs (``open(path, "xb")``: ``If-None-Match: *`` on S3,
``ifGenerationMatch=0`` on GCS), and they read endpoint and credentials from the usual environment
variables (``AWS_ENDPOINT_URL``, ``AWS_ACCESS_KEY_ID``, ... ; ``STORAGE_EMULATOR_HOST``, application
default credentials). pyarrow.fs has no exclusive create, and Beam's FileSystems has no rename for
S3 nor conditional writes.

A :class:`Location` is a plain, picklable value (a URL and storage options): each worker builds its
own filesystem object from it, so nothing that holds a connection is shipped between processes.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

import fsspec

# Schemes newsbeam can read and write; anything else is refused up front, never taken for a folder.
OBJECT_SCHEMES = ("s3", "gs")
# What each scheme needs installed: a missing back end is a one-line error naming the extra.
_BACKENDS = {"s3": ("s3fs", "newsbeam[s3]"), "gs": ("gcsfs", "newsbeam[gcs]")}
_SCHEME_ALIASES = {"gcs": "gs", "s3a": "s3"}


class StorageError(ValueError):
    """A location that cannot be used (unknown scheme, missing bucket, refused credentials); one line."""


def has_scheme(spec: str) -> bool:
    return "://" in spec


def scheme_of(spec: str) -> str:
    scheme = spec.split("://", 1)[0].lower() if has_scheme(spec) else "file"
    return _SCHEME_ALIASES.get(scheme, scheme)


def is_object_store(spec: str) -> bool:
    return scheme_of(spec) in OBJECT_SCHEMES


@dataclass(frozen=True)
class Location:
    """A folder on some filesystem: ``url`` is an absolute local path or ``s3://bucket/prefix``."""

    url: str
    options: tuple[tuple[str, Any], ...] = ()  # fsspec storage options, as sorted pairs (hashable)

    @classmethod
    def parse(cls, spec: str, options: Mapping[str, Any] | None = None) -> "Location":
        """A location from what a user wrote; raises StorageError for a scheme newsbeam cannot use."""
        scheme = scheme_of(spec)
        if scheme == "file":
            path = spec.split("://", 1)[1] if has_scheme(spec) else spec
            return cls(os.path.abspath(os.path.expanduser(path)))
        if scheme not in OBJECT_SCHEMES:
            supported = ", ".join(f"{name}://" for name in OBJECT_SCHEMES)
            raise StorageError(f"{spec}: unsupported location scheme {scheme}:// (use a local path, {supported})")
        rest = spec.split("://", 1)[1].strip("/")
        if not rest:
            raise StorageError(f"{spec}: a bucket name is needed ({scheme}://BUCKET/PREFIX)")
        relevant = {key: value for key, value in (options or {}).items() if value is not None}
        return cls(f"{scheme}://{rest}", tuple(sorted(relevant.items())))

    @property
    def scheme(self) -> str:
        return scheme_of(self.url)

    @property
    def is_local(self) -> bool:
        return self.scheme == "file"

    @property
    def root(self) -> str:
        """The location's path as its filesystem names it (no scheme)."""
        return self.url if self.is_local else self.url.split("://", 1)[1]

    @property
    def bucket(self) -> str | None:
        return None if self.is_local else self.root.split("/", 1)[0]

    @property
    def fs(self) -> fsspec.AbstractFileSystem:
        return filesystem(self.scheme, self.options)

    def path(self, *parts: str) -> str:
        """A path below this location, as the filesystem names it."""
        return posixpath.join(self.root, *parts) if parts else self.root

    def url_of(self, *parts: str) -> str:
        """A path below this location, as a user (and DuckDB or Spark) names it."""
        inner = self.path(*parts)
        return inner if self.is_local else f"{self.scheme}://{inner}"

    def __str__(self) -> str:
        return self.url


@lru_cache(maxsize=None)
def filesystem(scheme: str, options: tuple[tuple[str, Any], ...] = ()) -> fsspec.AbstractFileSystem:
    """One filesystem object per scheme and options in each process (fsspec caches instances too)."""
    if scheme == "gs" and os.environ.get("STORAGE_EMULATOR_HOST"):
        # gcsfs picks its filesystem class at import; the default one asks a gRPC API first, which
        # an emulator does not serve (a minute of retries per bucket before it falls back).
        os.environ.setdefault("GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT", "false")
    if scheme in _BACKENDS:
        module, extra = _BACKENDS[scheme]
        try:
            __import__(module)
        except ImportError:
            raise StorageError(f"{scheme}:// needs the {module} package: pip install '{extra}'") from None
    kwargs = dict(options)
    if scheme == "s3":
        kwargs = _s3_options(kwargs)
    if scheme in OBJECT_SCHEMES:
        # Listings are what tells a run what is stored and a commit what to publish: a cached listing
        # (fsspec's default) would hide files another process or another step has just written.
        kwargs.setdefault("use_listings_cache", False)
    return fsspec.filesystem("file" if scheme == "file" else scheme, **kwargs)


def _s3_options(options: dict[str, Any]) -> dict[str, Any]:
    """Config keys -> s3fs arguments; what config leaves out comes from the AWS environment variables.

    botocore reads AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_DEFAULT_REGION by
    itself; the endpoint is passed on explicitly as well, since older aiobotocore releases ignore it.
    """
    endpoint = options.pop("endpoint_url", None) or os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    region = options.pop("region", None)
    client_kwargs = dict(options.pop("client_kwargs", {}) or {})
    if endpoint:
        options["endpoint_url"] = endpoint
    if region:
        client_kwargs["region_name"] = region
    if client_kwargs:
        options["client_kwargs"] = client_kwargs
    return options
