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
from .policy import commit as commit_policy
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
        tags = [self._claim(sess, normalize(t)) for t in req.args("t")]  # type: ignore[attr-defined]
        req.query = [(k, v) for k, v in req.query if k != "t"] + [("t", t) for t in tags]
        self._check_context(sess, req)
        labels = json.loads(req.arg("labels") or "{}") or {}
        labels.update(sess.labels)
        req.set_arg("cachefrom", None)  # cache sources could be another sandbox's images
        req.set_arg("pull", None)  # base images come through the gateway's own pull (the mirror only)
        for key, value in (
            ("labels", json.dumps(labels)),
            ("networkmode", self.build_network(sess)),  # type: ignore[attr-defined]
            *self.budget.build_params().items(),  # memory, memswap, cpuperiod, cpuquota (sandbox/limits.py)
            ("rm", "1"),
            ("forcerm", "1"),
        ):
            req.set_arg(key, value)
        built: dict[str, str] = {}
        hide = StepHider(len(sess.labels))

        def line(obj: dict) -> dict | None:
            if isinstance(obj.get("aux"), dict) and obj["aux"].get("ID"):
                built["id"] = obj["aux"]["ID"]
            quiet = re.fullmatch(r"\s*(sha256:[0-9a-f]{64})\s*", str(obj.get("stream") or ""))
            if quiet:  # docker build -q prints only the image id
                built["id"] = quiet.group(1)
            return hide(obj)

        def done(ok: bool) -> list[dict]:
            if ok:
                if built.get("id"):
                    sess.image_ids.add(built["id"])
                self._own(sess, tags)
            return []

        return Forward(req, "stream", on_line=line, on_end=done)

    def _check_context(self, sess: Session, req: Request) -> None:
        """Find the Dockerfile in the context; check its FROM/COPY --from images and ADD sources."""
        name = req.arg("dockerfile") or "Dockerfile"
        name = name[2:] if name.startswith("./") else name
        plain = False
        try:
            with tarfile.open(fileobj=io.BytesIO(req.body), mode="r:*") as tar:
                member = tar.extractfile(name)
                text = member.read().decode("utf-8", "replace") if member else ""
        except KeyError:
            raise Denied(f"the build context has no {name}") from None
        except tarfile.TarError:  # `docker build - < Dockerfile`: the body is the Dockerfile itself
            text, plain = req.body.decode("utf-8", "replace"), True
        try:
            buildargs = json.loads(req.arg("buildargs") or "{}") or {}
        except ValueError:
            raise Denied("buildargs is not valid JSON") from None
        mapping = {}
        for ref in dockerfile_images(text, buildargs):
            try:
                engine_ref = self.image(sess, ref)["_ref"]  # type: ignore[attr-defined]
            except NotFound:
                if split_ref(ref)[0]:
                    raise
                self.pull_quietly(sess, ref)  # type: ignore[attr-defined]
                engine_ref = self.image(sess, ref)["_ref"]  # type: ignore[attr-defined]
            if engine_ref != ref:
                mapping[ref] = engine_ref
        if mapping:  # the session's own images have their engine names in the Dockerfile the builder reads
            data = scan_dockerfile(text, buildargs, mapping)[1].encode()
            req.body = data if plain else replace_member(req.body, name, data)

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


def dockerfile_images(text: str, buildargs: dict[str, str]) -> list[str]:
    """Images a Dockerfile reads (FROM, COPY --from); Denied for ADD <url> and unresolved variables."""
    return scan_dockerfile(text, buildargs)[0]


def scan_dockerfile(text: str, buildargs: dict, mapping: dict | None = None) -> tuple[list[str], str]:
    """(images the Dockerfile reads, the Dockerfile with those images renamed by `mapping`)."""
    text = re.sub(r"\\\r?\n", " ", text)
    args, stages, refs, out = dict(buildargs), set(), [], []
    mapping = mapping or {}

    def expand(value: str) -> str:
        done = re.sub(r"\$\{?(\w+)\}?", lambda m: str(args.get(m.group(1), m.group(0))), value)
        if "$" in done:
            raise Denied(f"cannot resolve {value} in the Dockerfile; give it a default with ARG")
        return done

    for raw in text.splitlines():
        words = raw.strip().split()
        if not words or words[0].startswith("#"):
            out.append(raw)
            continue
        instr = words[0].upper()
        rest = [w for w in words[1:] if not w.startswith("--platform")]
        if instr == "ARG" and rest:
            key, _, default = rest[0].partition("=")
            args.setdefault(key, default.strip("\"'"))
        elif instr == "FROM" and rest:
            image = expand(rest[0])
            if image.lower() not in stages and image != "scratch":
                refs.append(image)
                if image in mapping:
                    words[words.index(rest[0])] = mapping[image]
                    raw = " ".join(words)
            if len(rest) >= 3 and rest[1].lower() == "as":
                stages.add(rest[2].lower())
        elif instr in {"COPY", "ADD"}:
            for k, w in enumerate(words):
                if w.startswith("--from="):
                    src = expand(w.split("=", 1)[1])
                    if not src.isdigit() and src.lower() not in stages:
                        refs.append(src)
                        if src in mapping:
                            words[k] = f"--from={mapping[src]}"
                            raw = " ".join(words)
            if instr == "ADD" and any(re.match(r"^(https?|git)://|^git@", w) for w in rest):
                raise Denied("ADD from a URL is not available (the builder would fetch it from the host)")
        out.append(raw)
    return refs, "\n".join(out) + "\n"


def replace_member(body: bytes, name: str, data: bytes) -> bytes:
    """A copy of the tar `body` with member `name` holding `data`."""
    src, dst = io.BytesIO(body), io.BytesIO()
    with tarfile.open(fileobj=src, mode="r:*") as tin, tarfile.open(fileobj=dst, mode="w") as tout:
        for member in tin:
            if member.name == name or member.name == f"./{name}":
                member.size = len(data)
                tout.addfile(member, io.BytesIO(data))
            else:
                tout.addfile(member, tin.extractfile(member) if member.isfile() else None)
    return dst.getvalue()


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
