"""Typed FastAPI dependencies shared by the routers."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from rightsgraph.api.server import Server


async def get_server(request: Request) -> Server:
    """The :class:`Server` that :func:`.app.create_app` made for this application (``async``
    although it does not wait: FastAPI runs a plain function dependency in a thread)."""
    server: Server = request.app.state.server
    return server


ServerDep = Annotated[Server, Depends(get_server)]
