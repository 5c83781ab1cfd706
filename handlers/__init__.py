"""aiogram routers, one per feature; the fallback router goes last."""

from aiogram import Router

from handlers import fallback, start


def get_routers() -> list[Router]:
    """Feature routers in matching order."""
    return [start.router, fallback.router]
