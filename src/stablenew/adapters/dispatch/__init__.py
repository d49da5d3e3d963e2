"""Step dispatchers that run a plan's steps on several generation servers at once."""

from stablenew.adapters.dispatch.thread_pool import ServerWorker, ThreadPoolDispatcher

__all__ = ["ServerWorker", "ThreadPoolDispatcher"]
