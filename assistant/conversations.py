"""Saved conversations: each turn's question, the report filter it was asked under and its full answer object,
plus feedback per answer, in one SQLite file under the data dir (standard-library sqlite3: one small schema,
versioned with PRAGMA user_version, needs no ORM). Every method takes the owner (a browser's id, or a signed-in
user) and touches only that owner's conversations; a share token opens one conversation read-only."""
from __future__ import annotations

import json
import secrets
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass, field, replace
from pathlib import Path

from pydantic import ValidationError

from assistant.question import visible
from assistant.schema import Answer
from assistant.verify import ungrounded_figures

TITLE_CHARS = 80  # a conversation is titled by its first question, cut here
COMMENT_CHARS = 2000
SEARCH_CHARS = 200

# Migration n brings a file from schema version n to n + 1; a file is migrated in one transaction on open.
MIGRATIONS = [
    """
    CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        title TEXT NOT NULL,
        created REAL NOT NULL,
        updated REAL NOT NULL,
        share_token TEXT UNIQUE
    );
    CREATE INDEX conversations_by_owner ON conversations (owner, updated DESC);
    CREATE TABLE turns (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        question TEXT NOT NULL,
        reports TEXT,            -- JSON list of the report ids the filters allowed; NULL: every report
        answer TEXT NOT NULL,    -- the answer object (assistant.schema.Answer) as JSON
        created REAL NOT NULL,
        UNIQUE (conversation_id, position)
    );
    CREATE TABLE feedback (
        turn_id INTEGER PRIMARY KEY REFERENCES turns (id) ON DELETE CASCADE,
        rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
        comment TEXT NOT NULL DEFAULT '',
        updated REAL NOT NULL
    );
    """,
]


class ConversationError(Exception):
    """A request the store refuses (unknown conversation, bad value, a file from a newer version): a clear message."""


@dataclass
class SavedTurn:
    id: int
    position: int
    question: str
    answer: Answer
    reports: list[str] | None
    created: float
    rating: int | None = None   # 1 liked, -1 disliked
    comment: str = ""


@dataclass
class Conversation:
    id: str
    title: str
    created: float
    updated: float
    turns: list[SavedTurn] = field(default_factory=list)
    share_token: str | None = None

    def history(self) -> list[dict]:
        """The plain-text turns a follow-up sees, as the assistant takes them."""
        return [m for turn in self.turns for m in ({"role": "user", "content": turn.question},
                                                     {"role": "assistant", "content": turn.answer.answer})]


@dataclass
class Summary:
    id: str
    title: str
    updated: float
    turns: int


class ConversationStore:
    def __init__(self, path: Path, persistent: bool = True) -> None:
        self.path = Path(path)
        self.persistent = persistent  # False: a temporary copy (read-only data dir), gone when the app stops
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with closing(self._connect()) as db:
                self._migrate(db)
        except sqlite3.DatabaseError as err:
            raise ConversationError(f"{self.path} is not a conversations file ({err}); it was left as it is.") from None

    @classmethod
    def open(cls, data_dir: Path, name: str, writable: bool) -> "ConversationStore":
        """The store in data_dir; when data_dir cannot be written, a private temporary copy of it."""
        path = Path(data_dir) / name
        if writable:
            return cls(path)
        scratch = Path(tempfile.mkdtemp(prefix="govqa-conversations-")) / name
        if path.exists():
            shutil.copy2(path, scratch)
        return cls(scratch, persistent=False)

    # --- connections and schema ---

    def _connect(self) -> sqlite3.Connection:
        # one connection per call: the app answers from several threads, and sqlite3 connections are per thread
        db = sqlite3.connect(self.path, timeout=30)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA journal_mode = WAL")
        return db

    def _migrate(self, db: sqlite3.Connection) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise ConversationError(f"{self.path} was written by a newer version of this app (schema {version}, "
                                    f"this one knows {len(MIGRATIONS)}); it was left as it is.")
        for number in range(version, len(MIGRATIONS)):
            db.executescript(f"BEGIN; {MIGRATIONS[number]} PRAGMA user_version = {number + 1}; COMMIT;")

    @property
    def version(self) -> int:
        with closing(self._connect()) as db:
            return db.execute("PRAGMA user_version").fetchone()[0]

    # --- conversations ---

    def start(self, owner: str, first_question: str) -> str:
        """A new conversation titled by its first question; returns its id."""
        with closing(self._connect()) as db, db:
            return _insert_conversation(db, owner, first_question, time.time())

    def add_turn(self, owner: str, conversation_id: str, question: str, answer: Answer,
                 reports: list[str] | None = None) -> int:
        """Saves one turn at the end of the conversation; returns the turn's id."""
        now = time.time()
        with closing(self._connect()) as db, db:
            self._owned(db, owner, conversation_id)
            position = db.execute("SELECT COALESCE(MAX(position) + 1, 0) FROM turns WHERE conversation_id = ?",
                                  (conversation_id,)).fetchone()[0]
            turn_id = _insert_turn(db, conversation_id, position, question, answer, reports, now)
            db.execute("UPDATE conversations SET updated = ? WHERE id = ?", (now, conversation_id))
            return turn_id

    def copy(self, owner: str, conversation: Conversation) -> tuple[str, list[int]]:
        """conversation (a shared one, as shown) saved as a new conversation of owner's, in one transaction: its title,
        questions, filters and answers, not the sharer's feedback; -> the copy's id and its turn ids in order."""
        now = time.time()
        with closing(self._connect()) as db, db:
            copy_id = _insert_conversation(db, owner, conversation.title, now)
            return copy_id, [_insert_turn(db, copy_id, position, turn.question, turn.answer, turn.reports, now)
                             for position, turn in enumerate(conversation.turns)]

    def summaries(self, owner: str, search: str = "") -> list[Summary]:
        """The owner's conversations, newest first; search: text in a title, a question or an answer."""
        query = ("SELECT c.id, c.title, c.updated, (SELECT COUNT(*) FROM turns t WHERE t.conversation_id = c.id) AS n "
                 "FROM conversations c WHERE c.owner = ?")
        values: list = [owner]
        search = (search or "").strip()[:SEARCH_CHARS]
        if search:
            like = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            query += (" AND (c.title LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM turns t WHERE t.conversation_id = c.id "
                      "AND (t.question LIKE ? ESCAPE '\\' OR json_extract(t.answer, '$.answer') LIKE ? ESCAPE '\\')))")
            values += [like, like, like]
        with closing(self._connect()) as db:
            rows = db.execute(query + " ORDER BY c.updated DESC, c.rowid DESC", values).fetchall()
        return [Summary(r["id"], r["title"], r["updated"], r["n"]) for r in rows]

    def get(self, owner: str, conversation_id: str) -> Conversation:
        with closing(self._connect()) as db:
            return self._load(db, self._owned(db, owner, conversation_id))

    def title(self, owner: str, conversation_id: str) -> str:
        with closing(self._connect()) as db:
            return self._owned(db, owner, conversation_id)["title"]

    def rename(self, owner: str, conversation_id: str, title: str) -> None:
        title = title_line(title)
        if not title:
            raise ConversationError("A conversation needs a title.")
        with closing(self._connect()) as db, db:
            self._owned(db, owner, conversation_id)
            db.execute("UPDATE conversations SET title = ? WHERE id = ?", (title, conversation_id))

    def delete(self, owner: str, conversation_id: str) -> None:
        """Removes the conversation with its turns and their feedback."""
        with closing(self._connect()) as db, db:
            self._owned(db, owner, conversation_id)
            db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    # --- feedback ---

    def rate(self, owner: str, turn_id: int, rating: int, comment: str | None = None) -> None:
        """1 (liked) or -1 (disliked); comment: kept as it was when None."""
        if rating not in (1, -1):
            raise ConversationError("A rating is 1 (liked) or -1 (disliked).")
        with closing(self._connect()) as db, db:
            self._owned_turn(db, owner, turn_id)
            db.execute("INSERT INTO feedback (turn_id, rating, comment, updated) VALUES (?, ?, COALESCE(?, ''), ?) "
                       "ON CONFLICT (turn_id) DO UPDATE SET rating = excluded.rating, "
                       "comment = COALESCE(?, feedback.comment), updated = excluded.updated",
                       (turn_id, rating, _comment(comment), time.time(), _comment(comment)))

    def unrate(self, owner: str, turn_id: int) -> None:
        with closing(self._connect()) as db, db:
            self._owned_turn(db, owner, turn_id)
            db.execute("DELETE FROM feedback WHERE turn_id = ?", (turn_id,))

    def comment(self, owner: str, turn_id: int, comment: str) -> None:
        """A comment on a rated answer."""
        with closing(self._connect()) as db, db:
            self._owned_turn(db, owner, turn_id)
            if not db.execute("UPDATE feedback SET comment = ?, updated = ? WHERE turn_id = ?",
                              (_comment(comment), time.time(), turn_id)).rowcount:
                raise ConversationError("Rate the answer (👍 or 👎) before commenting on it.")

    def disliked(self) -> list[tuple[Conversation, SavedTurn]]:
        """Every disliked turn of every owner, oldest first, with its conversation up to that turn."""
        with closing(self._connect()) as db:
            rows = db.execute("SELECT t.conversation_id, t.position FROM feedback f JOIN turns t ON t.id = f.turn_id "
                              "WHERE f.rating = -1 ORDER BY f.updated, t.id").fetchall()
            found = []
            for row in rows:
                conversation = self._load(db, db.execute("SELECT * FROM conversations WHERE id = ?",
                                                         (row["conversation_id"],)).fetchone())
                turn = next(t for t in conversation.turns if t.position == row["position"])
                conversation.turns = [t for t in conversation.turns if t.position < row["position"]]
                found.append((conversation, turn))
            return found

    # --- sharing: a token opens one conversation read-only, to anyone who has the link ---

    def share(self, owner: str, conversation_id: str) -> str:
        with closing(self._connect()) as db, db:
            row = self._owned(db, owner, conversation_id)
            if row["share_token"]:
                return row["share_token"]
            token = secrets.token_urlsafe(18)
            db.execute("UPDATE conversations SET share_token = ? WHERE id = ?", (token, conversation_id))
            return token

    def shared(self, token: str) -> Conversation:
        with closing(self._connect()) as db:
            row = db.execute("SELECT * FROM conversations WHERE share_token = ?", (str(token or ""),)).fetchone()
            if row is None or not token:
                raise ConversationError("This shared conversation does not exist (any more).")
            return self._load(db, row)

    # --- helpers ---

    @staticmethod
    def _owned(db: sqlite3.Connection, owner: str, conversation_id: str) -> sqlite3.Row:
        row = db.execute("SELECT * FROM conversations WHERE id = ? AND owner = ?",
                         (str(conversation_id or ""), owner)).fetchone()
        if row is None:
            raise ConversationError("This conversation does not exist (any more).")
        return row

    @staticmethod
    def _owned_turn(db: sqlite3.Connection, owner: str, turn_id: int) -> None:
        if db.execute("SELECT 1 FROM turns t JOIN conversations c ON c.id = t.conversation_id WHERE t.id = ? AND c.owner = ?",
                      (int(turn_id), owner)).fetchone() is None:
            raise ConversationError("This answer is not in one of your conversations.")

    @staticmethod
    def _load(db: sqlite3.Connection, row: sqlite3.Row) -> Conversation:
        turns = [SavedTurn(t["id"], t["position"], str(t["question"]), saved_answer(t["question"], t["answer"]),
                           _reports(t["reports"]), t["created"], t["rating"], t["comment"] or "")
                 for t in db.execute("SELECT t.*, f.rating, f.comment FROM turns t LEFT JOIN feedback f ON f.turn_id = t.id "
                                     "WHERE t.conversation_id = ? ORDER BY t.position", (row["id"],))]
        return Conversation(row["id"], row["title"], row["created"], row["updated"], turns, row["share_token"])


DAMAGED = ("This saved answer is damaged (it cannot be read, or a figure in it is not in the passages it cites), so it "
           "is not shown; ask the question again. / 这条保存的回答已损坏（无法读取，或其中的数字不在所引段落中），不予显示，请重新提问。")


def saved_answer(question: object, raw: object) -> Answer:
    """A saved answer as stored, when it can be read and every figure it states is still in a span it cites; else a
    "not sure" answer saying it is damaged. The data dir is outside input: a damaged or edited row must neither break
    the conversation nor show a figure its sources do not hold."""
    try:
        answer = Answer.model_validate_json(raw if isinstance(raw, (str, bytes)) else "")
    except ValidationError:
        answer = None
    # a "not found" states no figure of its own, only the years the library covers
    if answer is None or (answer.status != "not_found" and ungrounded_figures(answer.model_dump(mode="json"))):
        return damaged(question)
    return answer


def damaged(question: object) -> Answer:
    return Answer(question=str(question or ""), status="uncertain", answer=DAMAGED, lang="en", kind="text")


def checked(conversation: Conversation, texts: Mapping[str, str]) -> Conversation:
    """The conversation as it may be shown or exported: a saved answer that quotes a span which is no longer the text
    at its offsets in its report is replaced by the damaged answer (reports no longer in the library are not checked;
    figures were checked when the row was read, by saved_answer)."""
    def holds(answer: Answer) -> bool:
        return all(c.text == texts[c.report_id][c.start:c.end] for c in [*answer.citations, *answer.related]
                   if c.report_id in texts)
    turns = [t if holds(t.answer) else replace(t, answer=damaged(t.question)) for t in conversation.turns]
    return replace(conversation, turns=turns)


def _insert_conversation(db: sqlite3.Connection, owner: str, title: str, now: float) -> str:
    """A new conversation row (titled from title, cut at TITLE_CHARS); -> its id."""
    conversation_id = secrets.token_hex(16)
    db.execute("INSERT INTO conversations (id, owner, title, created, updated) VALUES (?, ?, ?, ?, ?)",
               (conversation_id, owner, title_line(title), now, now))
    return conversation_id


def _insert_turn(db: sqlite3.Connection, conversation_id: str, position: int, question: str, answer: Answer,
                 reports: list[str] | None, now: float) -> int:
    """One turn row; -> its id."""
    return db.execute(
        "INSERT INTO turns (conversation_id, position, question, reports, answer, created) VALUES (?, ?, ?, ?, ?, ?)",
        (conversation_id, position, question, None if reports is None else json.dumps(list(reports)),
         answer.model_dump_json(), now)).lastrowid


def _reports(raw: object) -> list[str] | None:
    """A saved turn's report filter; an unreadable one is no filter."""
    try:
        value = None if raw is None else json.loads(raw)
    except (TypeError, ValueError):
        return None
    return [str(r) for r in value] if isinstance(value, list) else None


def title_line(text: str) -> str:
    """A conversation's title as stored: one line of visible characters, at most TITLE_CHARS ("" refuses it)."""
    line = " ".join(visible(str(text or "")).split())
    return line if len(line) <= TITLE_CHARS else line[:TITLE_CHARS - 1] + "…"


def _comment(text: str | None) -> str | None:
    return None if text is None else str(text).strip()[:COMMENT_CHARS]
