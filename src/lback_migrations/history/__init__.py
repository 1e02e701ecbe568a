"""Keeping a revision history healthy: the ``HEADS`` file, ordered ids, ``rebase``, ``squash``
and the checksums of applied revisions.

The modules used while ``env.py`` runs (:mod:`.heads_file`, :mod:`.revision_ids`,
:mod:`.checksums`, :mod:`.replaced`) import only the standard library, SQLAlchemy and Alembic;
the commands (:mod:`.rebase`, :mod:`.squash`) may import the formatter.
"""
