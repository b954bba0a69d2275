"""The gateway's request dispatcher: route -> handler method (see policy.ROUTES)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import docker

from . import errors, policy
from .build import BuildHandlers
from .container_handlers import ContainerHandlers
from .image_transfer import ImageTransferHandlers
from .policy import bodies, query
from .request import Request
from .resources import ResourceHandlers
from .server import Forward, Reply
from .session import Session

if TYPE_CHECKING:
    from sandbox.config import GatewaySettings


class Handlers(ContainerHandlers, ResourceHandlers, ImageTransferHandlers, BuildHandlers):
    """Every route handler of policy.ROUTES, bound to one engine client and one configuration."""

    def __init__(
        self, api: docker.APIClient, manager: object, cfg: GatewaySettings, budget: policy.Budget
    ) -> None:
        self.api = api
        self.manager = manager
        self.budget = budget
        self.runtime = cfg.runtime
        self.mirror = cfg.mirror
        self.internal = cfg.network_internal
        self._build_network = cfg.build_network
        self.port_wait = cfg.port_wait

    def build_network(self, sess: Session) -> str:
        """Network of build containers: the session's own network unless configured otherwise."""
        return sess.network if self._build_network == "session" else self._build_network

    def dispatch(self, req: Request, sess: Session) -> Reply | Forward:
        """Apply the policy to one request of session `sess`."""
        route, params = policy.match(req.method, req.path)
        req.params = params
        try:
            req.query = query.rebuild(req.method, req.path, req.query)  # typed, allow-listed parameters
            raw = req.body
            action = getattr(self, f"h_{route.handler}")(req, sess)
            if isinstance(action, Forward):
                bodies.seal(route, action.req, raw)  # only a body the handler rebuilt reaches the engine
        except Exception as exc:  # noqa: BLE001 - every refusal and failure: errors.answer, in learner names
            return Reply(*errors.answer(exc, sess.outer_text))
        if isinstance(action, Forward):
            action.scrub = sess.outer
        else:
            action.obj = sess.outer(action.obj)
        return action
