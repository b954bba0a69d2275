"""Gateway handlers for `docker build` (context size, Dockerfile images, forced labels and limits) and
`docker commit`."""

from __future__ import annotations

import io
import json
import re
import tarfile

from . import policy
from .httpio import Request
from .policy import Denied, NotFound
from .server import Forward
from .session import Session, normalize, split_ref


class BuildHandlers:
    """Build and commit. Mixed into gateway.handlers.Handlers (uses ImageHandlers' helpers)."""

    budget: policy.Budget

    def h_image_build(self, req: Request, sess: Session) -> Forward:
        """POST /build: tags must be free, context checked, labels/limits/network forced."""
        for param, reason in policy.BUILD_DENIED_PARAMS.items():
            if req.arg(param):
                raise Denied(reason)
        if req.arg("version") == "2":
            raise Denied("BuildKit is not available; the classic builder is used (DOCKER_BUILDKIT=0)")
        if req.arg("ulimits") not in ("", "null", "[]"):
            raise Denied("--ulimit is not allowed")
        tags = [normalize(t) for t in req.args("t")]
        for t in tags:
            self._claim(sess, t)
        self._check_context(sess, req)
        labels = json.loads(req.arg("labels") or "{}") or {}
        labels.update(sess.labels)
        cpu_quota = self.budget.nano_cpus * 100_000 // 1_000_000_000
        req.set_arg("cachefrom", None)  # cache sources could be another sandbox's images
        req.set_arg("pull", None)  # base images come through the gateway's own pull (the mirror only)
        for key, value in (
            ("labels", json.dumps(labels)),
            ("networkmode", self.build_network(sess)),  # type: ignore[attr-defined]
            ("memory", str(self.budget.memory)),
            ("memswap", str(self.budget.memory)),
            ("cpuperiod", "100000"),
            ("cpuquota", str(cpu_quota)),
            ("rm", "1"),
            ("forcerm", "1"),
        ):
            req.set_arg(key, value)
        built: dict[str, str] = {}
        hide = StepHider(len(sess.labels))

        def line(obj: dict) -> dict | None:
            if isinstance(obj.get("aux"), dict) and obj["aux"].get("ID"):
                built["id"] = obj["aux"]["ID"]
            return hide(obj)

        def done(ok: bool) -> list[dict]:
            if ok and built.get("id"):
                sess.image_ids.add(built["id"])
                self._own(sess, tags)
            return []

        return Forward(req, "stream", on_line=line, on_end=done)

    def _check_context(self, sess: Session, req: Request) -> None:
        """Find the Dockerfile in the context; check its FROM/COPY --from images and ADD sources."""
        name = req.arg("dockerfile") or "Dockerfile"
        try:
            with tarfile.open(fileobj=io.BytesIO(req.body), mode="r:*") as tar:
                member = tar.extractfile(name.lstrip("./") if name.startswith("./") else name)
                text = member.read().decode("utf-8", "replace") if member else ""
        except (tarfile.TarError, KeyError):
            raise Denied(f"the build context has no {name}") from None
        try:
            buildargs = json.loads(req.arg("buildargs") or "{}") or {}
        except ValueError:
            raise Denied("buildargs is not valid JSON") from None
        for ref in dockerfile_images(text, buildargs):
            try:
                self.image(sess, ref)
            except NotFound:
                if split_ref(ref)[0]:
                    raise
                self.pull_quietly(sess, ref)

    def h_image_commit(self, req: Request, sess: Session) -> Forward:
        """POST /commit: the session's container; the image gets the session's labels."""
        cid = self.container(sess, req.arg("container"))  # type: ignore[attr-defined]
        req.set_arg("container", cid)
        target = normalize(f"{req.arg('repo')}:{req.arg('tag') or 'latest'}") if req.arg("repo") else ""
        if target:
            self._claim(sess, target)  # type: ignore[attr-defined]
        body = req.json()
        body["Labels"] = {**(body.get("Labels") or {}), **sess.labels}
        req.body = json.dumps(body).encode()

        def committed(status: int, obj: object) -> object:
            if status == 201 and isinstance(obj, dict):
                sess.image_ids.add(obj["Id"])
                if target:
                    self._own(sess, [target])  # type: ignore[attr-defined]
            return obj

        return Forward(req, "json", on_json=committed)


def dockerfile_images(text: str, buildargs: dict[str, str]) -> list[str]:
    """Images a Dockerfile reads (FROM, COPY --from); Denied for ADD <url> and unresolved variables."""
    text = re.sub(r"\\\r?\n", " ", text)
    args, stages, refs = dict(buildargs), set(), []

    def expand(value: str) -> str:
        out = re.sub(r"\$\{?(\w+)\}?", lambda m: str(args.get(m.group(1), m.group(0))), value)
        if "$" in out:
            raise Denied(f"cannot resolve {value} in the Dockerfile; give it a default with ARG")
        return out

    for raw in text.splitlines():
        words = raw.strip().split()
        if not words or words[0].startswith("#"):
            continue
        instr, rest = words[0].upper(), [w for w in words[1:] if not w.startswith("--platform")]
        if instr == "ARG" and rest:
            key, _, default = rest[0].partition("=")
            args.setdefault(key, default.strip("\"'"))
        elif instr == "FROM" and rest:
            image = expand(rest[0])
            if image.lower() not in stages and image != "scratch":
                refs.append(image)
            if len(rest) >= 3 and rest[1].lower() == "as":
                stages.add(rest[2].lower())
        elif instr in {"COPY", "ADD"}:
            for w in rest:
                if w.startswith("--from="):
                    src = expand(w.split("=", 1)[1])
                    if not src.isdigit() and src.lower() not in stages:
                        refs.append(src)
            if instr == "ADD" and any(re.match(r"^(https?|git)://|^git@", w) for w in rest):
                raise Denied("ADD from a URL is not available (the builder would fetch it from the host)")
    return refs


class StepHider:
    """Hides the classic builder's trailing `LABEL org.container-atlas...` steps (our forced labels)
    from the build output and renumbers `Step i/N`, so the learner sees the steps of their Dockerfile."""

    STEP = re.compile(r"^Step (\d+)/(\d+) : ")

    def __init__(self, hidden: int) -> None:
        self.hidden = hidden
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
                return {**obj, "stream": f"Step {step}/{total} : " + text[m.end() :]}
        if self.hiding and not text.startswith("Successfully"):
            return None
        self.hiding = False
        return obj
