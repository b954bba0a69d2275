"""Gateway handlers for `docker build` and `docker commit`.

A build is parsed, checked and rebuilt, never forwarded as sent: the query through the typed model of
policy/buildquery.py (which also forces labels, network and limits), the context through
buildcontext.py (streamed from disk, bounded, normalised, re-packed), the Dockerfile through
policy/dockerfile.py (read like the engine's classic builder; every base image resolved in the
session's view and replaced by the session's lineage image, see lineage.py), and the engine receives
the new context with the Dockerfile the policy rendered.
"""

from __future__ import annotations

import io
import json
import re

from . import lineage, policy
from .buildcontext import Bounds, read_context
from .errors import Denied, NoSuchObject
from .policy import budget as budget_rules
from .policy import buildcontext as build_rules
from .policy import buildquery, dockerfile
from .policy import commit as commit_policy
from .policy import images as image_rules
from .request import Request
from .server import Forward
from .session import Session, normalize, split_ref


class BuildHandlers:
    """Build and commit. Mixed into gateway.handlers.Handlers (uses ImageHandlers' helpers)."""

    budget: policy.Budget

    def h_image_build(self, req: Request, sess: Session) -> Forward:
        """POST /build: typed query, checked context and Dockerfile, per-session cache lineage."""
        query = buildquery.parse(req.query)
        query.tags = [self._claim(sess, normalize(t)) for t in query.tags]  # type: ignore[attr-defined]
        self._room(sess)  # type: ignore[attr-defined]  # every build makes an image, tagged or not
        body = req.body_file if req.body_file is not None else io.BytesIO(req.body)
        ctx = read_context(body, query.dockerfile, Bounds.for_upload(self.budget.build_context))
        try:
            plan = dockerfile.read(ctx.dockerfile, query.buildargs, lambda ref, line: self._base(sess, ref))
            reading = [
                i for i in plan.parsed.instructions if i.cmd in {"copy", "add"} and "from" not in i.flags
            ]
            adds = sum(1 for i in reading if i.cmd == "add")
            files, archives = ctx.measure(archives=adds > 0)
            limit = self.budget.session_disk
            build_rules.check_build_writes(len(reading) - adds, adds, files, archives, limit)
            bases = {
                s.image_id: lineage.lineage_image(self.api, sess.id, sess.labels, s.image_id)  # type: ignore[attr-defined]
                for s in plan.stages
                if s.stage < 0
            }
            text = plan.render(bases)
        except BaseException:
            ctx.close()
            raise
        if req.body_file is not None:
            req.body_file.close()
        req.body_file, req.body = ctx.finish(text), b""
        query.dockerfile = ctx.dockerfile_path
        req.query = query.forward(
            sess.labels,
            self.build_network(sess),  # type: ignore[attr-defined]
            self.budget,
            getattr(sess, "cgroup_parent", ""),
        )
        req.headers = {"content-type": "application/x-tar"}
        built: dict[str, str] = {}
        shown = [ins.original.strip() for ins in plan.parsed.instructions]
        hide = StepHider(len({**query.labels, **sess.labels}), shown)
        tags, quiet = query.tags, query.quiet

        watcher = getattr(self.manager, "disk", None)  # type: ignore[attr-defined]
        ending: list[str] = []

        def line(obj: dict) -> dict | None:
            # Over the disk budget mid-build, the next step does not start: COPY and ADD steps write in
            # the engine, where nothing can stop them (a RUN step's container is stopped by the watcher).
            step = str(obj.get("stream") or "").startswith("Step ")
            refusal = watcher.refusal(sess.id) if watcher is not None and (step or ending) else ""
            if refusal:
                if ending:  # a client still reading: the engine's connection closes, it cancels the build
                    budget_rules.check_disk(ending[0])
                ending.append(refusal)
                try:
                    budget_rules.check_disk(refusal)
                except Denied as exc:  # the error line: the docker CLI stops reading, the build ends
                    return {"error": exc.message, "errorDetail": {"message": exc.message}}
            if isinstance(obj.get("aux"), dict) and obj["aux"].get("ID"):
                built["id"] = obj["aux"]["ID"]
            if quiet and ("stream" in obj or "status" in obj):
                return None  # docker build -q: only errors, and the image ID at the end (done)
            return hide(obj)

        def done(ok: bool) -> list[dict]:
            if built.get("id"):
                sess.image_ids.add(built["id"])
            if ok:
                self._own(sess, tags)  # type: ignore[attr-defined]
            return [{"stream": built["id"] + "\n"}] if ok and quiet and built.get("id") else []

        return Forward(req, "stream", on_line=line, on_end=done)

    def _base(self, sess: Session, ref: str) -> tuple[str, list[str]]:
        """(image ID, Env) of an image a build of `sess` reads: one it may see, pulled from the mirror
        when it has no such name yet; NoSuchObject/Denied otherwise."""
        try:
            info = self.image(sess, ref)  # type: ignore[attr-defined]
        except NoSuchObject:
            if split_ref(ref)[0]:
                raise
            self.pull_quietly(sess, ref)  # type: ignore[attr-defined]
            info = self.image(sess, ref)  # type: ignore[attr-defined]
        config = info.get("Config") or {}
        image_rules.check_no_triggers(ref, config)
        return info["Id"], config.get("Env") or []

    def h_image_commit(self, req: Request, sess: Session) -> Forward:
        """POST /commit: the session's container; the image gets the session's labels."""
        cid = self.container(sess, req.arg("container"))  # type: ignore[attr-defined]
        req.set_arg("container", cid)
        target = ""
        if req.arg("repo"):
            target = self._claim(sess, normalize(f"{req.arg('repo')}:{req.arg('tag') or 'latest'}"))  # type: ignore[attr-defined]
            repo, _, tag = target.rpartition(":")
            req.set_arg("repo", repo)
            req.set_arg("tag", tag)
        body = commit_policy.parse(req.body)  # the new image's Config, canonical fields only
        commit_policy.check_commit(body, req.args("changes"))
        body["Labels"] = {**(body.get("Labels") or {}), **sess.labels}
        req.body = json.dumps(body).encode()

        def committed(status: int, obj: object) -> object:
            if status == 201 and isinstance(obj, dict):
                sess.image_ids.add(obj["Id"])
                if target:
                    self._own(sess, [target])  # type: ignore[attr-defined]
            return obj

        return Forward(req, "json", on_json=committed)


class StepHider:
    """The build output as the learner wrote the Dockerfile: `Step i/N : ...` shows the learner's own
    instruction (not the rendered one with image IDs), and the classic builder's trailing
    `LABEL org.container-atlas...` steps (our forced labels) are hidden and not counted."""

    STEP = re.compile(r"^Step (\d+)/(\d+) : ")

    def __init__(self, hidden: int, shown: list[str] | None = None) -> None:
        self.hidden = hidden
        self.shown = shown or []
        self.hiding = False

    def __call__(self, obj: dict) -> dict | None:
        """The line to show (possibly renumbered), or None to drop it."""
        text = obj.get("stream")
        if not isinstance(text, str):
            return obj
        m = self.STEP.match(text)
        if m:
            step, total = int(m.group(1)), int(m.group(2)) - self.hidden
            self.hiding = step > total
            if not self.hiding:
                rest = self.shown[step - 1] if step <= len(self.shown) else text[m.end() :]
                return {**obj, "stream": f"Step {step}/{total} : {rest}"}
        if self.hiding and not text.startswith("Successfully"):
            return None
        self.hiding = False
        return obj
