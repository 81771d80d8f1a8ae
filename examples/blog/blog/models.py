"""SQLAlchemy models for the blog example.

Written in the classic ``declarative_base()`` + ``Column(...)`` style so the
module works unchanged on SQLAlchemy 1.4 and 2.0.
"""
import sqlalchemy as sa
from sqlalchemy.orm import declarative_base, relationship

# Deterministic constraint / index names, so that hand-written migrations and
# autogenerate agree on every name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
Base = declarative_base(metadata=metadata)

POST_STATUSES = ("draft", "published", "archived")
post_status = sa.Enum(*POST_STATUSES, name="post_status")


post_tags = sa.Table(
    "post_tags",
    metadata,
    sa.Column(
        "post_id",
        sa.Integer,
        sa.ForeignKey("posts.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "tag_id",
        sa.Integer,
        sa.ForeignKey("tags.id", ondelete="CASCADE"),
        primary_key=True,
    ),
)


class User(Base):
    __tablename__ = "users"

    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(sa.String(255), nullable=False, unique=True)
    username = sa.Column(sa.String(50), nullable=False, unique=True)
    display_name = sa.Column(sa.String(100), nullable=True)
    bio = sa.Column(sa.Text, nullable=True)
    is_active = sa.Column(
        sa.Boolean, nullable=False, server_default=sa.true()
    )
    created_at = sa.Column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )

    posts = relationship("Post", back_populates="author")
    comments = relationship("Comment", back_populates="author")

    def __repr__(self):
        return "<User id=%r username=%r>" % (self.id, self.username)


class Post(Base):
    __tablename__ = "posts"

    id = sa.Column(sa.Integer, primary_key=True)
    author_id = sa.Column(
        sa.Integer,
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    title = sa.Column(sa.String(200), nullable=False)
    slug = sa.Column(sa.String(200), nullable=False, index=True, unique=True)
    body = sa.Column(sa.Text, nullable=False)
    status = sa.Column(post_status, nullable=False, server_default="draft")
    published_at = sa.Column(sa.DateTime(timezone=True), nullable=True)
    created_at = sa.Column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )
    updated_at = sa.Column(
        sa.DateTime(timezone=True),
        nullable=False,
        server_default=sa.func.now(),
        onupdate=sa.func.now(),
    )

    author = relationship("User", back_populates="posts")
    comments = relationship(
        "Comment", back_populates="post", cascade="all, delete-orphan"
    )
    tags = relationship("Tag", secondary=post_tags, back_populates="posts")

    def __repr__(self):
        return "<Post id=%r slug=%r>" % (self.id, self.slug)


class Comment(Base):
    __tablename__ = "comments"

    id = sa.Column(sa.Integer, primary_key=True)
    post_id = sa.Column(
        sa.Integer,
        sa.ForeignKey("posts.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    author_id = sa.Column(
        sa.Integer,
        sa.ForeignKey("users.id", ondelete="SET NULL"),
        nullable=True,
    )
    body = sa.Column(sa.Text, nullable=False)
    created_at = sa.Column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )

    post = relationship("Post", back_populates="comments")
    author = relationship("User", back_populates="comments")

    def __repr__(self):
        return "<Comment id=%r post_id=%r>" % (self.id, self.post_id)


class Tag(Base):
    __tablename__ = "tags"

    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(50), nullable=False, unique=True)
    description = sa.Column(sa.Text, nullable=True)

    posts = relationship("Post", secondary=post_tags, back_populates="tags")

    def __repr__(self):
        return "<Tag id=%r name=%r>" % (self.id, self.name)
