"""Synthetic quiz banks for the benchmark: N items of every type with Markdown (emphasis, lists,
links), per-choice and per-answer feedback, hints and explanations, plus the same bank as text2qti
input. Of every ten items, four are choice items (two single choice), and one of each other type
(``--choice-only``: the bank of earlier versions, choice types in turn). text2qti has no matching,
ordering or blanks: those items reach it as short-answer questions, so that both tools build as
many questions.

    python benchmarks/generate.py 1000 /tmp/bench      # -> /tmp/bench/items/bench-1000/, bench-1000.md
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

CHOICE_TYPES = ("single_choice", "multiple_response", "true_false")
TYPES = ("single_choice", "multiple_response", "true_false", "short_answer", "matching", "single_choice", "ordering",
         "numeric", "essay", "fill_in_blanks")
WORDS = ("care", "client", "referral", "provider", "support", "plan", "consent", "follow-up", "trust",
         "engagement", "outreach", "clinician", "crisis", "continuity", "access", "appointment")
ITEMS_PER_FOLDER = 250


def sentence(rng: random.Random, words: int = 12) -> str:
    chosen = [rng.choice(WORDS) for _ in range(words)]
    chosen[rng.randrange(words)] = f"*{rng.choice(WORDS)}*"
    return " ".join(chosen).capitalize()


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def make_item(index: int, rng: random.Random, types: tuple[str, ...] = TYPES) -> tuple[str, dict]:
    kind = types[index % len(types)]
    item: dict = {
        "id": f"item-{index:05d}",
        "type": kind,
        "points": rng.choice((1, 2, 3)),
        "prompt": f"{sentence(rng, 15)}?\n\n- {sentence(rng, 5)}\n- {sentence(rng, 5)}\n\n"
                  f"See [the guide](https://example.org/guide/{index}).",
        "hints": [sentence(rng, 10), sentence(rng, 8)],
        "explanation": f"{sentence(rng, 30)}.\n\n{sentence(rng, 25)} **{rng.choice(WORDS)}**.",
    }
    if kind == "fill_in_blanks":
        item["answers"] = [rng.choice(WORDS)]
        item["prompt"] += (f"\n\n{sentence(rng, 8)} [[word]] {sentence(rng, 6)} [[days]] days, [[choice]] "
                           f"{sentence(rng, 5)}.")
    lines = [f"id: {item['id']}", f"type: {kind}", f"points: {item['points']}", "prompt: |"]
    lines += [f"  {line}" if line else "" for line in item["prompt"].split("\n")]
    if kind in CHOICE_TYPES:
        lines += _choices(kind, rng, item)
    elif kind == "short_answer":
        # Distinct: an answer another one already accepts is refused.
        item["answers"] = list(dict.fromkeys(" ".join(rng.sample(WORDS, 2)) for _ in range(rng.randint(1, 3))))
        item["feedback"] = [sentence(rng, 8) for _ in item["answers"]]
        lines.append("answers:")
        for text, feedback in zip(item["answers"], item["feedback"], strict=True):
            lines += [f"  - text: {quoted(text)}", f"    feedback: {quoted(feedback)}"]
        lines.append(f"other_feedback: {quoted(sentence(rng, 10))}")
    elif kind == "numeric":
        item["value"], item["tolerance"] = rng.randint(10, 500), rng.choice((0, 0.5, 2))
        lines += ["answers:", f"  - value: {item['value']}", f"    tolerance: {item['tolerance']}",
                  f"    feedback: {quoted(sentence(rng, 8))}", f"unit: {rng.choice(('days', 'mL', 'hours'))}",
                  f"other_feedback: {quoted(sentence(rng, 10))}"]
    elif kind == "matching":
        lefts = rng.sample(WORDS, 4)
        item["answers"] = [sentence(rng, 5) for _ in lefts]
        lines += ["pairs:"] + [line for left, right in zip(lefts, item["answers"], strict=True)
                               for line in (f"  - left: {quoted(left)}", f"    right: {quoted(right)}")]
        lines += ["distractors:", f"  - {quoted(sentence(rng, 4))}", "scoring: per_pair"]
    elif kind == "ordering":
        item["answers"] = [f"Step {n}: {sentence(rng, 5)}" for n in range(1, 5)]
        lines += ["order:"] + [f"  - {quoted(step)}" for step in item["answers"]] + ["scoring: per_position"]
    elif kind == "fill_in_blanks":
        options = rng.sample(WORDS, 3)
        lines += ["blanks:", f"  word: {{answers: [{item['answers'][0]}]}}", f"  days: {{value: {rng.randint(1, 60)}}}",
                  f"  choice: {{options: [{', '.join(options)}], correct: {options[0]}}}"]
    else:  # essay
        lines += ["grader_notes: |", f"  {sentence(rng, 20)}.", "", f"  - {sentence(rng, 6)}",
                  f"  - {sentence(rng, 6)}", f"response_template: {quoted(sentence(rng, 4))}",
                  "min_words: 20", "max_words: 300"]
    lines.append("hints:")
    lines += [f"  - {quoted(h)}" for h in item["hints"]]
    lines.append("explanation: |")
    lines += [f"  {line}" if line else "" for line in item["explanation"].split("\n")]
    return "\n".join(lines) + "\n", item


def _choices(kind: str, rng: random.Random, item: dict) -> list[str]:
    """A choice item's choices, as YAML lines (kept in ``item`` for text2qti)."""
    count = 2 if kind == "true_false" else rng.randint(3, 6)
    if kind == "multiple_response":
        correct = set(rng.sample(range(count), rng.randint(1, count - 1)))
    else:
        correct = {rng.randrange(count)}
    item["choices"] = []
    lines = ["choices:"]
    for c in range(count):
        text = ("True" if c == 0 else "False") if kind == "true_false" else sentence(rng, 6)
        choice = {"text": text, "correct": c in correct, "feedback": sentence(rng, 10)}
        item["choices"].append(choice)
        lines.append(f"  - text: {quoted(text)}")
        if choice["correct"]:
            lines.append("    correct: true")
        lines.append(f"    feedback: {quoted(choice['feedback'])}")
    return lines


def text2qti_question(number: int, item: dict) -> str:
    """The same question in text2qti's Markdown-based syntax (hints have no equivalent; its question
    text is one wrapped paragraph, so the prompt's list items are joined into it)."""
    prompt = " ".join(item["prompt"].replace("- ", "").split())
    lines = [f"{number}.  {prompt}", f"... {item['explanation'].splitlines()[0]}"]
    if item["type"] in ("short_answer", "matching", "ordering", "fill_in_blanks"):
        return "\n".join(lines + [f"*   {text}" for text in item["answers"][:3]])
    if item["type"] == "numeric":
        return "\n".join([*lines, f"=   {item['value']} +- {item['tolerance']}"])
    if item["type"] == "essay":
        return "\n".join([*lines, "____"])
    for index, choice in enumerate(item["choices"]):
        if item["type"] == "multiple_response":
            lines.append(f"[{'*' if choice['correct'] else ' '}] {choice['text']}")
        else:
            letter = "abcdefghij"[index]
            lines.append(f"{'*' if choice['correct'] else ''}{letter})  {choice['text']}")
        lines.append(f"... {choice['feedback']}")
    return "\n".join(lines)


def generate(size: int, out: Path, seed: int = 1, choice_only: bool = False) -> Path:
    """Write the bank of ``size`` items under ``out``; return the quiz folder."""
    rng = random.Random(seed)
    quiz_dir = out / "items" / f"bench-{size}"
    quiz_dir.mkdir(parents=True, exist_ok=True)
    (quiz_dir / "quiz.yaml").write_text(
        f"identifier: bench-{size}\ntitle: Benchmark bank of {size} items\nversion: 1.0.0\n"
        "pass_mark: 70\nshuffle_choices: true\n", encoding="utf-8")
    questions = []
    for index in range(size):
        yaml_text, item = make_item(index, rng, CHOICE_TYPES if choice_only else TYPES)
        folder = quiz_dir / f"part-{index // ITEMS_PER_FOLDER:03d}"
        folder.mkdir(exist_ok=True)
        (folder / f"{item['id']}.yaml").write_text(yaml_text, encoding="utf-8")
        questions.append(text2qti_question(index + 1, item))
    (out / f"bench-{size}.md").write_text(
        f"Quiz title: Benchmark bank of {size} items\nQuiz description: Synthetic bank.\n\n"
        + "\n\n".join(questions) + "\n", encoding="utf-8")
    return quiz_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("size", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--choice-only", action="store_true", help="choice items only, as in earlier banks")
    args = parser.parse_args()
    print(generate(args.size, args.out, args.seed, args.choice_only))


if __name__ == "__main__":
    main()
