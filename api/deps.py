"""Annotated shortcuts for route dependencies."""

from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from api.config import Settings, get_settings
from api.db import get_session
from api.engine.core import Engine


def get_engine(request: Request) -> Engine:
    """The engine loaded at start-up."""
    return request.app.state.engine


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
