"""Sources: follow news feeds and article pages, and turn what they publish into seed files.

Data flows one way: ``sources/`` → ``seeds/`` → ``briefings/`` → ``bot/``.  This package imports
neither the bot nor Telegram; the bot only schedules :class:`sources.poller.SourcePoller` and
shows its health.  A fetched article becomes a Markdown seed file with YAML front matter, so the
existing seeds watcher digests and announces it like any file copied into the folder.
"""
