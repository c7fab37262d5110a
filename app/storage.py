"""Where the portal keeps files: one interface, a local folder or S3-compatible storage.

Three kinds of files live here, each in its own *area*:

* ``jobs``    -- background jobs' result files and the uploads they read
  (an import's file), under random names (``app.jobs.services``);
* ``uploads`` -- documents attached to records (``providers/<name>``,
  ``selection/<name>``), under random names.

``STORAGE_BACKEND`` picks the backend:

* ``local`` (the default: one machine, today's layout) -- the ``jobs`` area is
  the folder ``JOBS_FOLDER`` (``instance/jobs``), the ``uploads`` area the
  folder ``UPLOAD_FOLDER`` (``instance/uploads``);
* ``s3`` -- one bucket (``S3_BUCKET``) of an S3-compatible service
  (``S3_ENDPOINT_URL``; empty: AWS itself), keys ``<S3_PREFIX><area>/<key>``,
  credentials from ``S3_ACCESS_KEY_ID``/``S3_SECRET_ACCESS_KEY`` (or boto3's
  usual chain: environment, instance role). Every web host and every worker
  sees the same files.

Downloads always stream through the portal (:meth:`Storage.send`), after the
view has checked that the reader may have the file: the bucket is never
public and the browser never learns its address.

Keys are chosen by the portal, never by a user; :func:`check_key` still
refuses anything that could leave the area (``..``, absolute paths).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from typing import BinaryIO

from flask import Response, send_file, stream_with_context

from .extensions import get_app

AREAS = ("jobs", "uploads")
_KEY = re.compile(r"(?:[A-Za-z0-9_-]{1,64}/){0,3}[A-Za-z0-9][A-Za-z0-9._-]{0,199}")
CHUNK = 256 * 1024


def check_key(key: str) -> str:
    if not key or not _KEY.fullmatch(key) or ".." in key:
        raise ValueError(f"not a storage key: {key!r}")
    return key


class Storage:
    """One area of the portal's files (``jobs`` or ``uploads``)."""

    backend = "?"
    #: True when files are ordinary files of this machine (``local_path`` works).
    is_local = False

    def put(self, key: str, data: bytes) -> None:
        raise NotImplementedError

    def put_file(self, key: str, path: str) -> None:
        """Store the local file ``path`` under ``key`` (the file stays)."""
        raise NotImplementedError

    def open(self, key: str) -> BinaryIO:
        """The file for reading (raises FileNotFoundError)."""
        raise NotImplementedError

    def read(self, key: str) -> bytes:
        with self.open(key) as fh:
            return fh.read()

    def exists(self, key: str) -> bool:
        raise NotImplementedError

    def size(self, key: str) -> int | None:
        raise NotImplementedError

    def delete(self, key: str) -> None:
        """Remove the file; a missing file is not an error."""
        raise NotImplementedError

    def keys(self) -> list[str]:
        """Every key of the area (housekeeping and tests)."""
        raise NotImplementedError

    def fetch_to(self, key: str, path: str) -> str:
        """Copy the file to the local ``path`` (a worker reading a job's input)."""
        with self.open(key) as src, open(path, "wb") as out:
            shutil.copyfileobj(src, out, CHUNK)
        return path

    def send(self, key: str, download_name: str, mimetype: str) -> Response:
        """The file as an attachment, streamed (never cached by the browser)."""
        raise NotImplementedError


class LocalStorage(Storage):
    """A folder of this machine (one host; the embedded default)."""

    backend = "local"
    is_local = True

    def __init__(self, root: str):
        self.root = root

    def _folder(self) -> str:
        os.makedirs(self.root, mode=0o700, exist_ok=True)
        return self.root

    def local_path(self, key: str) -> str:
        return os.path.join(self._folder(), *check_key(key).split("/"))

    def put(self, key: str, data: bytes) -> None:
        path = self.local_path(key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as out:
            out.write(data)

    def put_file(self, key: str, path: str) -> None:
        target = self.local_path(key)
        if os.path.abspath(target) != os.path.abspath(path):
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copyfile(path, target)

    def open(self, key: str) -> BinaryIO:
        return open(self.local_path(key), "rb")

    def exists(self, key: str) -> bool:
        try:
            return os.path.isfile(self.local_path(key))
        except ValueError:
            return False

    def size(self, key: str) -> int | None:
        try:
            return os.path.getsize(self.local_path(key))
        except (OSError, ValueError):
            return None

    def delete(self, key: str) -> None:
        try:
            os.remove(self.local_path(key))
        except FileNotFoundError:
            pass

    def keys(self) -> list[str]:
        root = self._folder()
        found = []
        for folder, _dirs, files in os.walk(root):
            for name in files:
                found.append(os.path.relpath(os.path.join(folder, name), root).replace(os.sep, "/"))
        return sorted(found)

    def send(self, key: str, download_name: str, mimetype: str) -> Response:
        response = send_file(
            self.local_path(key),
            mimetype=mimetype,
            as_attachment=True,
            download_name=download_name,
            max_age=0,
        )
        response.headers["Cache-Control"] = "no-store"
        return response


class S3Storage(Storage):
    """An area of one bucket of an S3-compatible service (boto3)."""

    backend = "s3"

    def __init__(self, client, bucket: str, prefix: str):
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)

    def put_file(self, key: str, path: str) -> None:
        self.client.upload_file(path, self.bucket, self._key(key))

    def open(self, key: str) -> BinaryIO:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
        except self._missing() as error:
            raise FileNotFoundError(key) from error
        return body

    def _head(self, key: str):
        try:
            return self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except self._missing():
            return None

    def exists(self, key: str) -> bool:
        try:
            return self._head(key) is not None
        except ValueError:
            return False

    def size(self, key: str) -> int | None:
        head = self._head(key)
        return None if head is None else int(head["ContentLength"])

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def keys(self) -> list[str]:
        found: list[str] = []
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        for page in pages:
            found.extend(item["Key"][len(self.prefix) :] for item in page.get("Contents", []))
        return sorted(found)

    def send(self, key: str, download_name: str, mimetype: str) -> Response:
        try:
            obj = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except self._missing() as error:
            raise FileNotFoundError(key) from error
        body = obj["Body"]

        def chunks() -> Iterator[bytes]:
            try:
                yield from body.iter_chunks(CHUNK)
            finally:
                body.close()

        from urllib.parse import quote

        from werkzeug.utils import secure_filename

        response = Response(
            stream_with_context(chunks()), mimetype=mimetype, direct_passthrough=True
        )
        response.headers["Content-Length"] = str(obj["ContentLength"])
        ascii_name = secure_filename(download_name) or "download"
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{ascii_name}"; '
            f"filename*=UTF-8''{quote(download_name, safe='')}"
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    @staticmethod
    def _missing():
        from botocore.exceptions import ClientError

        return ClientError


# --- which storage --------------------------------------------------------------------
_clients: dict[tuple, object] = {}
_clients_lock = threading.Lock()


def _s3_client(config):
    import boto3
    from botocore.config import Config

    settings = (
        config.get("S3_ENDPOINT_URL") or None,
        config.get("S3_REGION") or "us-east-1",
        config.get("S3_ACCESS_KEY_ID") or None,
        config.get("S3_SECRET_ACCESS_KEY") or None,
        os.getpid(),
    )
    with _clients_lock:
        client = _clients.get(settings)
        if client is None:
            client = _clients[settings] = boto3.session.Session().client(
                "s3",
                endpoint_url=settings[0],
                region_name=settings[1],
                aws_access_key_id=settings[2],
                aws_secret_access_key=settings[3],
                config=Config(
                    retries={"max_attempts": 3, "mode": "standard"},
                    connect_timeout=5,
                    read_timeout=60,
                    s3={"addressing_style": config.get("S3_ADDRESSING_STYLE") or "path"},
                ),
            )
        return client


def _local_root(app, area: str) -> str:
    if area == "jobs":
        return app.config.get("JOBS_FOLDER") or os.path.join(app.instance_path, "jobs")
    return app.config.get("UPLOAD_FOLDER") or os.path.join(app.instance_path, "uploads")


def get_storage(area: str, app=None) -> Storage:
    """The storage of ``area`` ("jobs" or "uploads") as the app is configured now."""
    if area not in AREAS:
        raise ValueError(area)
    app = app or get_app()
    backend = (app.config.get("STORAGE_BACKEND") or "local").lower()
    if backend == "local":
        return LocalStorage(_local_root(app, area))
    if backend == "s3":
        bucket = app.config.get("S3_BUCKET")
        if not bucket:
            raise RuntimeError("STORAGE_BACKEND=s3 needs S3_BUCKET")
        return S3Storage(
            _s3_client(app.config), bucket, f"{app.config.get('S3_PREFIX') or ''}{area}/"
        )
    raise RuntimeError(f"unknown STORAGE_BACKEND {backend!r} (local or s3)")


def scratch_dir(app=None) -> str:
    """A local folder for files being written before they are stored (S3 backend)."""
    app = app or get_app()
    folder = app.config.get("STORAGE_SCRATCH_FOLDER") or os.path.join(
        tempfile.gettempdir(), "opora-scratch"
    )
    os.makedirs(folder, mode=0o700, exist_ok=True)
    return folder


def ensure_bucket(app=None) -> None:
    """Create the bucket when it does not exist (``flask portal storage-init``, tests)."""
    app = app or get_app()
    if (app.config.get("STORAGE_BACKEND") or "local").lower() != "s3":
        return
    client = _s3_client(app.config)
    bucket = app.config["S3_BUCKET"]
    from botocore.exceptions import ClientError

    try:
        client.head_bucket(Bucket=bucket)
    except ClientError:
        client.create_bucket(Bucket=bucket)
