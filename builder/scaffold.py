"""`lmspack new` and `lmspack add`: a quiz folder, or one item, to start from.

The files come from templates/new/: a commented quiz.yaml and, for each item type, a commented
example that builds in every format as it is. Nothing is ever overwritten.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

from builder.errors import UsageError
from builder.loading import FLASHCARD, INTERACTION_LOADERS, QUIZ_FILE
from builder.rendering import render
from builder.writing import write_atomic

ITEM_TYPES: tuple[str, ...] = tuple(INTERACTION_LOADERS)
"""The question types an author may write, in the loader's order: lmspack new's examples."""
ADDABLE_TYPES: tuple[str, ...] = (*ITEM_TYPES, FLASHCARD)
"""What lmspack add makes: a question of any type, or a flashcard item (a card to study, which a
new quiz has no example of: its quiz formats would warn that they leave it out)."""
GITIGNORE = "# lmspack's build output and its cache: made again by `lmspack build`.\ndist/\n.lmspack-cache/\n"
_NOT_IDENTIFIER = re.compile(r"[^A-Za-z0-9_.-]+")


def identifier_from(name: str) -> str:
    """A quiz identifier from a folder name: what the loader takes (a letter or _ first; letters,
    digits, _ - . after), 'quiz' when nothing of the name is left."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()  # café: cafe
    cleaned = _NOT_IDENTIFIER.sub("-", ascii_name).strip("-.") or "quiz"
    identifier = cleaned if cleaned[0].isalpha() or cleaned[0] == "_" else f"quiz-{cleaned}"
    return identifier[:64].rstrip("-.")  # the loader takes 64 characters at most


def new_quiz(folder: Path, title: str | None = None) -> list[Path]:
    """A quiz folder with quiz.yaml, a .gitignore for the build output and one example item of each
    type; the files written. The folder must not exist, or be empty."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UsageError(f"{folder} already exists and is not an empty folder; lmspack new writes a new quiz "
                         "folder (lmspack add adds an item to a quiz)")
    identifier = identifier_from(folder.resolve().name)
    shown_title = title or folder.resolve().name.replace("-", " ").replace("_", " ").strip().capitalize() or "Quiz"
    files = {QUIZ_FILE: render("new/quiz.yaml", identifier=identifier, title=shown_title,
                               title_yaml=json.dumps(shown_title, ensure_ascii=False)),
             ".gitignore": GITIGNORE}
    for n, item_type in enumerate(ITEM_TYPES, start=1):
        item_id = f"example-{item_type.replace('_', '-')}"
        files[f"{n:02d}-{item_id}.yaml"] = _item_text(item_type, item_id, "new")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        write_atomic(folder / name, text.encode("utf-8"))
        written.append(folder / name)
    return written


def add_item(folder: Path, item_type: str, item_id: str | None = None) -> Path:
    """One example item of ``item_type`` in the quiz folder, under ``item_id`` (default: the type's
    name and the first free number), listed in quiz.yaml's ``items:`` when the quiz has that list."""
    quiz_file = folder / QUIZ_FILE
    if not quiz_file.is_file():
        raise UsageError(f"{folder} is not a quiz folder (it has no {QUIZ_FILE}); lmspack new {folder} makes one")
    taken = {path.stem for path in folder.rglob("*.y*ml")}
    if item_id is None:
        stem = item_type.replace("_", "-")
        item_id = next(f"{stem}-{n}" for n in range(1, len(taken) + 2) if f"{stem}-{n}" not in taken)
    elif identifier_from(item_id) != item_id:
        raise UsageError(f"--id {item_id!r}: an item id uses letters, digits, _ - . and starts with a letter or _")
    path = folder / f"{item_id}.yaml"
    if path.exists():
        raise UsageError(f"{path} already exists; give another --id")
    quiz_text = quiz_file.read_text(encoding="utf-8")
    listed = _listed(quiz_text, item_id)
    write_atomic(path, _item_text(item_type, item_id, "add").encode("utf-8"))
    if listed is not None:
        write_atomic(quiz_file, listed.encode("utf-8"))
    return path


def _item_text(item_type: str, item_id: str, command: str) -> str:
    return render(f"new/{item_type}.yaml", id=item_id, command=command)


# quiz.yaml's `items:` as a block list: the key at the start of a line, then lines "  - id".
_ITEMS_LIST = re.compile(r"^items:[ \t]*(?:#.*)?\n((?:[ \t]+-[^\n]*\n|[ \t]*#[^\n]*\n)*)", re.MULTILINE)


def _listed(quiz_text: str, item_id: str) -> str | None:
    """quiz.yaml's text with ``item_id`` appended to its `items:` list; None when it has no such
    list (items then come in file-name order, the new one included). A list written another way
    (items: [a, b]) is refused: editing it safely is the author's."""
    found = _ITEMS_LIST.search(quiz_text if quiz_text.endswith("\n") else quiz_text + "\n")
    if found is None:
        if re.search(r"^items:", quiz_text, re.MULTILINE):
            raise UsageError("quiz.yaml lists its items on one line (items: [...]); add the new item's id "
                             "to it yourself, or write the list one item a line")
        return None
    text = quiz_text if quiz_text.endswith("\n") else quiz_text + "\n"
    entries = [line for line in found.group(1).splitlines() if line.strip().startswith("-")]
    indent = entries[-1][:len(entries[-1]) - len(entries[-1].lstrip())] if entries else "  "
    end = found.end()
    return text[:end] + f"{indent}- {item_id}\n" + text[end:]
