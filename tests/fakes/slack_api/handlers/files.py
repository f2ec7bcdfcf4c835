"""The external upload flow (files.getUploadURLExternal, the upload URL,
files.completeUploadExternal) and files.info."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..records import Reply, UploadedFile, err, maybe_json, ok
from ..state import TS_BASE, Ctx

if TYPE_CHECKING:
    from ..fake import FakeSlack


def _file_object(fake: FakeSlack, uploaded: UploadedFile) -> dict[str, Any]:
    name = uploaded.filename
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else "text"
    mimetype = {"md": "text/markdown", "txt": "text/plain", "pdf": "application/pdf"}.get(
        extension, "application/octet-stream"
    )
    domain = uploaded.team_id.lower() if uploaded.team_id else "fake"
    file_url = f"https://files.slack.com/files-pri/{uploaded.team_id}-{uploaded.file_id}/{name}"
    channels = [c for c in [uploaded.channel_id, *uploaded.channels] if c]
    return {
        "id": uploaded.file_id,
        "created": TS_BASE,
        "timestamp": TS_BASE,
        "name": name,
        "title": uploaded.title or name,
        "mimetype": mimetype,
        "filetype": "markdown" if extension == "md" else extension,
        "pretty_type": extension.upper(),
        "user_team": uploaded.team_id,
        "editable": False,
        "size": len(uploaded.data or b""),
        "mode": "hosted",
        "is_external": False,
        "is_public": bool(channels and channels[0].startswith("C")),
        "url_private": file_url,
        "url_private_download": file_url.replace("/files-pri/", "/files-pri/download/"),
        "permalink": f"https://{domain}.slack.com/files/{uploaded.file_id}/{name}",
        "channels": [c for c in channels if c.startswith("C")],
        "groups": [c for c in channels if c.startswith("G")],
        "ims": [c for c in channels if c.startswith("D")],
        "comments_count": 0,
        "has_rich_preview": False,
    }


def get_upload_url(fake: FakeSlack, ctx: Ctx) -> Reply:
    """Answer ``files.getUploadURLExternal``."""
    filename = ctx.args.get("filename")
    length = ctx.args.get("length")
    if not filename:
        return err("invalid_arguments")
    try:
        size = int(length) if length is not None else -1
    except (TypeError, ValueError):
        size = -1
    if size < 0:
        return err("invalid_arguments")
    file_id = fake.state.next_id("F")
    fake.state.files[file_id] = UploadedFile(
        file_id=file_id, filename=str(filename), length=size, team_id=ctx.team_id
    )
    return ok(upload_url=f"{fake.root_url}upload/{file_id}", file_id=file_id)


def complete_upload(fake: FakeSlack, ctx: Ctx) -> Reply:
    """Answer ``files.completeUploadExternal``."""
    entries = maybe_json(ctx.args.get("files"))
    if not isinstance(entries, list) or not entries:
        return err("invalid_arguments")
    channels_arg = ctx.args.get("channels")
    channels = str(channels_arg).split(",") if channels_arg else []
    completed: list[UploadedFile] = []
    for entry in entries:
        file_id = entry.get("id") if isinstance(entry, dict) else None
        uploaded = fake.state.files.get(str(file_id))
        if uploaded is None or uploaded.data is None:
            return err("file_not_found")
        completed.append(uploaded)
    for entry, uploaded in zip(entries, completed, strict=True):
        uploaded.completed = True
        uploaded.title = entry.get("title") or uploaded.filename
        uploaded.channel_id = ctx.args.get("channel_id") or None
        uploaded.channels = channels
        uploaded.initial_comment = ctx.args.get("initial_comment") or None
        uploaded.thread_ts = ctx.args.get("thread_ts") or None
    return ok(files=[_file_object(fake, u) for u in completed])


def info(fake: FakeSlack, ctx: Ctx) -> Reply:
    """Answer ``files.info``."""
    uploaded = fake.state.files.get(str(ctx.args.get("file") or ""))
    if uploaded is None or not uploaded.completed:
        return err("file_not_found")
    file_obj = _file_object(fake, uploaded)
    if uploaded.data is not None:
        file_obj["preview"] = uploaded.text[:1000]
    return ok(
        file=file_obj,
        comments=[],
        response_metadata={"next_cursor": ""},
        content=uploaded.text,
    )
