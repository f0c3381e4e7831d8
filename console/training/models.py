"""Tables of the trainer workbench, on the account database's metadata.

Created by the Alembic migration ``0005_training``. Conversations are
referred to by Rasa's conversation id (sender id), messages by the id of
their row in the tracker store's ``events`` table. Texts stored here are
already masked (bot/core/masking.py): the workbench tables hold no
personal data, and they are what the export writes to the training data.
"""
from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)

from bot.db.models import Base, UTCDateTime, one_of, stored_now

ANNOTATION_STATUSES = ("labelled", "ignored")
RUN_STATUSES = ("queued", "training", "evaluating", "succeeded", "failed")
ACTIVATION_KINDS = ("activate", "rollback")


class MessageAnnotation(Base):
    """A trainer's label for one cardholder message. ``version`` grows by
    one on every change; a change based on an older version is refused."""

    __tablename__ = "training_annotations"

    id = Column(Integer, primary_key=True)
    event_id = Column(Integer, nullable=False, unique=True)  # tracker store events.id
    conversation_id = Column(String(255), nullable=False, index=True)
    text = Column(Text, nullable=False)  # masked
    predicted_intent = Column(String(64))
    predicted_confidence = Column(Float)
    status = Column(String(16), nullable=False)
    intent = Column(String(64))  # NULL when ignored
    entities = Column(Text, nullable=False, default="[]")  # JSON [{start, end, entity, value}]
    version = Column(Integer, nullable=False, default=1)
    user_id = Column(Integer, ForeignKey("console_users.id"), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=stored_now)
    updated_at = Column(UTCDateTime, nullable=False, default=stored_now)

    __table_args__ = (CheckConstraint(one_of("status", ANNOTATION_STATUSES), name="status"),)


class ConversationReview(Base):
    __tablename__ = "training_reviews"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, unique=True)
    reviewed = Column(Boolean, nullable=False, default=False)
    version = Column(Integer, nullable=False, default=1)
    user_id = Column(Integer, ForeignKey("console_users.id"), nullable=False)
    updated_at = Column(UTCDateTime, nullable=False, default=stored_now)


class ConversationTag(Base):
    __tablename__ = "training_tags"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    tag = Column(String(64), nullable=False)
    user_id = Column(Integer, ForeignKey("console_users.id"), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=stored_now)

    __table_args__ = (UniqueConstraint("conversation_id", "tag"),)


class ReviewNote(Base):
    __tablename__ = "training_notes"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    user_id = Column(Integer, ForeignKey("console_users.id"), nullable=False)
    text = Column(Text, nullable=False)  # masked
    created_at = Column(UTCDateTime, nullable=False, default=stored_now)


class TrainingRun(Base):
    """A candidate model: trained and evaluated by ``python -m console.training.worker``."""

    __tablename__ = "training_runs"

    id = Column(Integer, primary_key=True)
    status = Column(String(16), nullable=False, default="queued")
    progress = Column(String(255), nullable=False, default="")
    user_id = Column(Integer, ForeignKey("console_users.id"), nullable=False)
    out_dir = Column(String(1024), nullable=False)
    pid = Column(Integer)  # the worker process, to tell a crashed run from a running one
    model_path = Column(String(1024))  # the candidate .tar.gz
    current_model_path = Column(String(1024))  # what it was compared with
    report = Column(Text)  # JSON, see console/training/evaluate.py
    error = Column(Text)
    created_at = Column(UTCDateTime, nullable=False, default=stored_now)
    finished_at = Column(UTCDateTime)

    __table_args__ = (CheckConstraint(one_of("status", RUN_STATUSES), name="status"),)


class ModelActivation(Base):
    """Which model a supervisor put on the running server, and what was there before."""

    __tablename__ = "training_activations"

    id = Column(Integer, primary_key=True)
    kind = Column(String(16), nullable=False)
    run_id = Column(Integer, ForeignKey("training_runs.id"))
    model_path = Column(String(1024), nullable=False)
    previous_model_path = Column(String(1024))
    user_id = Column(Integer, ForeignKey("console_users.id"), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=stored_now)

    __table_args__ = (CheckConstraint(one_of("kind", ACTIVATION_KINDS), name="kind"),)
