"""Gateway handlers for images: what a session sees (its own names, shared base images), list, inspect,
save, tag, remove, and the image budget. Pull and push are in image_transfer.py, builds in build.py."""

from __future__ import annotations

import docker.errors

from . import image_filters, lineage, policy
from .errors import HttpError, Malformed, NoSuchObject
from .policy import budget as budget_rules
from .policy import images as image_rules
from .request import Request
from .server import Forward
from .session import OWNED_NAME, Session, id_prefix, normalize, reserved

HIDDEN = ("container-atlas/",)  # the sandbox's own images are not base images for learners


class ImageHandlers:
    """Images. Mixed into gateway.handlers.Handlers. Names the learner creates carry the session prefix
    in the engine (see session.OWNED_NAME); untagged images the session made are known by label or ID."""

    api: docker.APIClient
    budget: policy.Budget
    mirror: str
    manager: object

    # -- visibility: the session's own names (`atlas-<id>.` prefix) and shared base images ---------
    @staticmethod
    def _is_shared_tag(tag: str) -> bool:
        return tag not in image_filters.NONE and not tag.startswith(HIDDEN) and not OWNED_NAME.search(tag)

    def _visible_tags(self, sess: Session, tags: list[str]) -> list[str]:
        return [t for t in tags or [] if sess.prefix in t or self._is_shared_tag(t)]

    def _image_visible(self, sess: Session, image_id: str, labels: dict | None, tags: list[str]) -> bool:
        """An image the session made (lineage.made_by: tagged or `<none>`), else one with a name it
        sees (a shared base image); never one with another session's labels."""
        if lineage.made_by(labels, image_id, sess.id, sess.image_ids):
            return True
        return not (labels or {}).get(policy.LABEL_SESSION) and bool(self._visible_tags(sess, tags))

    def image(self, sess: Session, ref: str) -> dict:
        """The image `ref` as this session sees it, with the engine reference to send in ["_ref"]: the
        session's own name (`atlas-<id>.<ref>`), else a shared base image's name, else a full ID when
        `ref` is an ID or a prefix of exactly one visible image's ID. The engine is only asked for
        references the gateway computed; NoSuchObject (`No such image`) for anything else."""
        missing = NoSuchObject(f"No such image: {ref}")
        if not ref or reserved(ref) or ref.startswith(HIDDEN) or ref != ref.strip():
            raise missing
        if "@" in ref:  # name@digest: one of the visible digests of a visible image
            info = self._inspect(self.api.inspect_image, normalize(ref))  # type: ignore[attr-defined]
            if info is None or not self._visible(sess, info):
                raise missing
            if normalize(ref) not in self._visible_tags(sess, info.get("RepoDigests") or []):
                raise missing
            info["_ref"] = info["Id"]
            return info
        for name in (sess.inner_image(ref), normalize(ref)):
            if name == normalize(ref) and not self._is_shared_tag(name):
                continue
            info = self._inspect(self.api.inspect_image, name)  # type: ignore[attr-defined]
            if info is not None and name in (info.get("RepoTags") or []):  # exactly that name
                info["_ref"] = name
                return info
        hexid = id_prefix(ref)
        if hexid:
            visible = [i["Id"] for i in self.api.images(all=True) if self._visible(sess, i)]
            iid = self._unique(hexid, visible)  # type: ignore[attr-defined]
            info = self._inspect(self.api.inspect_image, iid) if iid else None  # type: ignore[attr-defined]
            if info is not None and self._visible(sess, info):
                info["_ref"] = info["Id"]
                return info
        raise missing

    def _visible(self, sess: Session, info: dict) -> bool:
        """True when the image (an inspect answer or an /images/json entry) is the session's or shared."""
        labels = info.get("Labels") if "Labels" in info else (info.get("Config") or {}).get("Labels")
        return self._image_visible(sess, info["Id"], labels, info.get("RepoTags") or [])

    @staticmethod
    def _own_tag(sess: Session, tag: str) -> bool:
        """True for an engine image name of this session (`[registry/]atlas-<id>.<repo>:<tag>`)."""
        m = OWNED_NAME.search(tag)
        return bool(m) and m.group(1) == sess.id

    def _shared(self, sess: Session, info: dict) -> list[str]:
        """The shared (base) tags of an image."""
        return [t for t in info.get("RepoTags") or [] if self._is_shared_tag(t)]

    def _filter_images(self, sess: Session, images: list[dict]) -> list[dict]:
        """The /images/json (or /system/df) entries this session sees, with the names it sees: the one
        home of the image view (`docker images`, `docker system df`, `docker info`). An image without a
        name in the view (the session's own `<none>` images: an old build after `docker build -t app`
        again, a failed build's last step, an untagged commit) is shown as the engine shows a dangling
        image, `<none>:<none>` and `<none>@<none>`, so that the CLI lists it (it drops an entry whose
        only name is a bare `<none>@<none>`) and `-f dangling=true` finds it."""
        out = []
        for img in images:
            if lineage.is_lineage(img):  # the session's build-cache roots: not the learner's images
                continue
            if self._image_visible(sess, img["Id"], img.get("Labels"), img.get("RepoTags") or []):
                img["RepoTags"] = self._visible_tags(sess, img.get("RepoTags") or [])
                img["RepoDigests"] = self._visible_tags(sess, img.get("RepoDigests") or [])
                if not img["RepoTags"] and not img["RepoDigests"]:
                    img["RepoTags"], img["RepoDigests"] = [image_filters.NONE[0]], [image_filters.NONE[1]]
                out.append(img)
        return out

    def _visible_images(self, sess: Session) -> list[dict]:
        return self._filter_images(sess, self.api.images())

    def _claim(self, sess: Session, tag: str) -> str:
        """The engine name for a name the learner creates (`mine` -> `atlas-<id>.mine:latest`); Denied
        when the sandbox has no room for a new one."""
        inner = sess.inner_image(tag)
        if inner not in sess.tags:
            self._room(sess)
        return inner

    def session_images(self, sess: Session) -> list[dict]:
        """Every image `sess` caused: tagged, untagged, failed builds (lineage.session_images)."""
        return lineage.session_images(self.api, sess.id, sess.image_ids)

    def _budgeted(self, sess: Session) -> tuple[int, int]:
        """(images, bytes) the image budget counts: the session's names plus its untagged images (not
        lineage images, not intermediate steps), and the size of the images it made or pulled."""
        made = self.session_images(sess)
        top = {i["Id"] for i in self.api.images()}  # not intermediate
        names = {t for i in made for t in i.get("RepoTags") or [] if self._own_tag(sess, t)}
        mine = [
            i
            for i in made
            if i["Id"] in top and not lineage.is_lineage(i) and (i["_owned"] or not self._shared(sess, i))
        ]
        untagged = [i for i in mine if not any(self._own_tag(sess, t) for t in i.get("RepoTags") or [])]
        return len(names) + len(untagged), sum(i.get("Size", 0) for i in mine)

    def _room(self, sess: Session) -> None:
        """Denied when the session has no room for one more image (count and disk budget)."""
        count, used = self._budgeted(sess)
        budget_rules.check_image_room(count, used, self.budget.images, self.budget.image_disk)

    def _own(self, sess: Session, tags: list[str]) -> None:
        self.manager.own_tags(sess, tags)  # type: ignore[attr-defined]

    def _mine(self, sess: Session) -> list[str]:
        """The session's own image names in the engine."""
        return [t for img in self.api.images() for t in img.get("RepoTags") or [] if sess.prefix in t]

    # -- list, inspect, tag, remove ------------------------------------------------------------
    def h_images_list(self, req: Request, sess: Session) -> Forward:
        """GET /images/json: the session's images and the shared base images only; the filters that
        name images (reference=, the legacy filter=, before=, since=) in the session's names
        (see image_filters)."""
        sent, patterns = image_filters.split_filters(
            req.arg("filters"), lambda ref: self.image(sess, ref)["Id"]
        )
        legacy = req.arg("filter")
        if legacy:
            patterns.append(image_filters.glob_regex(legacy, "query parameter filter"))
        req.set_arg("filter", None)
        req.set_arg("filters", sent)

        def answer(status: int, obj: object) -> object:
            if status != 200 or not isinstance(obj, list):
                return obj
            mine = self._filter_images(sess, obj)
            return image_filters.keep_matching(mine, patterns, sess.outer_text) if patterns else mine

        return Forward(req, "json", on_json=answer)

    def h_image(self, req: Request, sess: Session) -> Forward:
        """GET /images/{name}/json|history|get of a visible image (sent to the engine by its ID)."""
        ref = req.params["image"]
        info = self.image(sess, ref)
        action = req.path[len(f"/images/{ref}") :]
        if action == "/get":  # docker save of one image: the archive names it as the learner does
            req.path = f"/images/{info['_ref']}/get"
            return Forward(req, "tar", on_tar=sess.outer_text)
        req.path = f"/images/{info['Id']}{action}"

        def scrub(status: int, obj: object) -> object:  # only names this session may see
            if status == 200 and isinstance(obj, dict) and "RepoTags" in obj:
                obj["RepoTags"] = self._visible_tags(sess, obj["RepoTags"])
                obj["RepoDigests"] = self._visible_tags(sess, obj.get("RepoDigests") or [])
            if status == 200 and isinstance(obj, list):  # history: the tags of every layer's image
                for layer in obj:
                    if isinstance(layer, dict) and layer.get("Tags"):
                        layer["Tags"] = self._visible_tags(sess, layer["Tags"]) or None
            return obj

        return Forward(req, "json", on_json=scrub)

    def h_image_save(self, req: Request, sess: Session) -> Forward:
        """GET /images/get (docker save): each name resolved in the session's view; the engine is sent
        only the references the gateway computed (the session's own names, shared names, full IDs)."""
        names = req.args("names")
        if not names:
            raise Malformed("query parameter names", "name at least one image to save")
        req.query = [("names", self.image(sess, name)["_ref"]) for name in names]
        return Forward(req, "tar", on_tar=sess.outer_text)  # the archive's index in the learner's names

    def h_image_tag(self, req: Request, sess: Session) -> Forward:
        """POST /images/{name}/tag: a visible source, a name that is free for this session."""
        info = self.image(sess, req.params["image"])
        if not req.arg("repo"):
            raise Malformed("query parameter repo", "the new image name is missing")
        target = self._claim(sess, normalize(f"{req.arg('repo')}:{req.arg('tag') or 'latest'}"))
        repo, _, tag = target.rpartition(":")
        req.query = [("repo", repo), ("tag", tag)]
        req.path = f"/images/{info['Id']}/tag"

        def tagged(status: int, obj: object) -> object:
            if status < 300:
                self._own(sess, [target])
            return obj

        return Forward(req, "json", on_json=tagged)

    def h_image_delete(self, req: Request, sess: Session) -> Forward:
        """DELETE /images/{name}: the session's names and images; shared base images stay, and names
        other sessions gave the same image are never removed with it."""
        ref = req.params["image"]
        info = self.image(sess, ref)
        tags = info.get("RepoTags") or []
        shared = [] if info["_ref"] != info["Id"] else self._shared(sess, info)
        if info["_ref"] != info["Id"]:  # by name
            image_rules.check_removable(self._own_tag(sess, info["_ref"]), normalize(ref))
            target = info["_ref"]
        elif shared and not sess.owns(info["Config"].get("Labels")):
            image_rules.check_removable(False, ", ".join(shared))
        elif any(not self._own_tag(sess, t) for t in tags):  # others' names too: remove only ours
            own = [t for t in tags if self._own_tag(sess, t)]
            if not own:
                raise HttpError(409, f"conflict: unable to delete {ref} (the image is in use)")
            for t in own[:-1]:
                self.api.remove_image(t, noprune=True)
            self.manager.drop_tags(sess, own[:-1])  # type: ignore[attr-defined]
            target = own[-1]
        else:
            target = info["Id"]
        req.path = f"/images/{target}"

        def removed(status: int, obj: object) -> object:
            if status == 200 and isinstance(obj, list):
                self.manager.drop_tags(sess, [normalize(e["Untagged"]) for e in obj if "Untagged" in e])  # type: ignore[attr-defined]
                sess.image_ids.difference_update(e["Deleted"] for e in obj if "Deleted" in e)
            return obj

        return Forward(req, "json", on_json=removed)
